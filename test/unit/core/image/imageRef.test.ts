import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ImageRefError,
  isLoopbackRegistry,
  parseImageRef,
  parsePlatform,
  platformMatches,
} from '../../../../src/core/image/imageRef';

const D = `sha256:${'a'.repeat(64)}`;

test('image references as pvr takes them, and skopeo archive names', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['nginx', { kind: 'registry', domain: 'docker.io', path: 'library/nginx', tag: 'latest', name: 'nginx' }],
    ['nginx:1.25', { domain: 'docker.io', path: 'library/nginx', tag: '1.25', name: 'nginx' }],
    [
      'vaultwarden/server',
      { domain: 'docker.io', path: 'vaultwarden/server', tag: 'latest', name: 'vaultwarden/server' },
    ],
    [
      'registry.gitlab.com/pantacor/pv-platforms/wifi-connect:arm32v6',
      { domain: 'registry.gitlab.com', path: 'pantacor/pv-platforms/wifi-connect', tag: 'arm32v6' },
    ],
    [
      '127.0.0.1:5000/demo',
      { domain: '127.0.0.1:5000', path: 'demo', tag: 'latest', name: '127.0.0.1:5000/demo' },
    ],
    ['localhost/demo:1', { domain: 'localhost', path: 'demo', tag: '1' }],
    [`busybox@${D}`, { path: 'library/busybox', tag: undefined, digest: D, name: 'busybox' }],
    [`busybox:1.36@${D}`, { tag: '1.36', digest: D }],
    ['docker-archive:img.tar', { kind: 'docker-archive', path: 'img.tar', ref: undefined }],
    [
      'docker-archive:/x/img.tar:localhost/demo:1',
      { kind: 'docker-archive', path: '/x/img.tar', ref: 'localhost/demo:1' },
    ],
    ['oci:layout:v1', { kind: 'oci', path: 'layout', ref: 'v1' }],
    ['oci-archive:a.tar', { kind: 'oci-archive', path: 'a.tar' }],
  ];
  for (const [raw, want] of cases) {
    const got = parseImageRef(raw) as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(want)) assert.equal(got[k], v, `${raw}: ${k}`);
  }
});

test('bad references name the problem', () => {
  for (const [raw, re] of [
    ['', /empty/],
    ['Nginx', /not a valid repository name/],
    ['nginx@sha256:xyz', /not a digest/],
    ['nginx:bad tag', /not a valid tag|not a valid repository/],
    ['docker-archive:', /give a path/],
  ] as const)
    assert.throws(
      () => parseImageRef(raw),
      (e: Error) => e instanceof ImageRefError && re.test(e.message),
      raw,
    );
});

test('platform selection matches pvr 037: architecture, variant only when asked, OS not compared', () => {
  const arm = parsePlatform('linux/arm');
  const v6 = parsePlatform('linux/arm/v6');
  assert.ok(platformMatches(arm, { architecture: 'arm', variant: 'v7' }));
  assert.ok(!platformMatches(v6, { architecture: 'arm', variant: 'v7' }));
  assert.ok(platformMatches(v6, { architecture: 'arm', variant: 'v6' }));
  assert.ok(platformMatches(arm, { architecture: 'arm' }));
  assert.ok(!platformMatches(arm, { architecture: 'arm64' }));
  assert.throws(() => parsePlatform('arm'), /os\/arch/);
});

test('loopback registries use plain HTTP as Docker allows', () => {
  for (const [d, want] of [
    ['127.0.0.1:5000', true],
    ['localhost:5000', true],
    ['[::1]:5000', true],
    ['registry.example.com', false],
    ['10.0.0.1:5000', false],
  ] as const)
    assert.equal(isLoopbackRegistry(d), want, d);
});
