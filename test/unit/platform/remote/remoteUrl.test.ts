import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveRemoteRef } from '../../../../src/platform/remote/remoteUrl';

const BASE = 'https://pvr.example.test';

test('remote reference forms (pvr §2.4)', () => {
  const cases: [string, { forPost?: boolean }, string | undefined, string[]?][] = [
    ['http://10.0.0.5:12368/cgi-bin/pvr', {}, 'http://10.0.0.5:12368/cgi-bin/pvr'],
    ['https://host/x/y/', {}, 'https://host/x/y'],
    ['http://h/cgi-bin/pvr#bsp,-app', {}, 'http://h/cgi-bin/pvr', ['bsp', '-app']],
    ['192.168.1.7', {}, 'http://192.168.1.7:12368/cgi-bin/pvr'],
    ['fe80::1', {}, 'http://[fe80::1]:12368/cgi-bin/pvr'],
    ['[::1]', {}, 'http://[::1]:12368/cgi-bin/pvr'],
    ['10.0.0.5#bsp', {}, 'http://10.0.0.5:12368/cgi-bin/pvr', ['bsp']],
    ['alice/mydevice', {}, `${BASE}/alice/mydevice`],
    ['alice/mydevice', { forPost: true }, `${BASE}/alice/mydevice`],
    ['some/deep/path', {}, undefined],
    ['./local', {}, undefined],
    ['plainname', {}, undefined],
    ['/abs/path', {}, undefined],
  ];
  for (const [arg, o, url, parts] of cases) {
    const r = resolveRemoteRef(arg, { ...o, repoBaseUrl: `${BASE}/` });
    assert.equal(r?.url, url, arg);
    if (parts) assert.deepEqual(r?.parts, parts, arg);
  }
});

test('USER/DEVICE without a base URL goes to Pantahub (resolution only, never contacted)', () => {
  assert.equal(resolveRemoteRef('a/b')?.url, 'https://pvr.pantahub.com/a/b');
});

test('post does not expand a bare address, as pvr, and says what to give instead', () => {
  assert.throws(
    () => resolveRemoteRef('10.1.2.3', { forPost: true }),
    /http:\/\/10\.1\.2\.3:12368\/cgi-bin\/pvr/,
  );
});
