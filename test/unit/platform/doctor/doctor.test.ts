import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CHECKS,
  formatReport,
  hostQemuArch,
  pingEngine,
  runDoctor,
} from '../../../../src/platform/doctor/doctor';

test('pingEngine talks to a Docker-style /_ping on a unix socket', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pvkit-doctor-'));
  const sock = join(dir, 'engine.sock');
  const server = createServer((req, res) => {
    res.setHeader('Api-Version', '1.41');
    res.end(req.url === '/_ping' ? 'OK' : 'no');
  });
  await new Promise<void>((r) => server.listen(sock, r));
  try {
    assert.deepEqual(await pingEngine(`unix://${sock}`), {
      ok: true,
      detail: `unix://${sock}: OK (API 1.41)`,
    });
    const r = await runDoctor({ dockerHost: `unix://${sock}` }, [CHECKS[1]!]);
    assert.equal(r[0]?.status, 'ok');
  } finally {
    server.close();
  }
  const gone = await pingEngine(`unix://${sock}`);
  assert.equal(gone.ok, false);
});

test('a configured pvr binary is run with --version; a missing one is a warning with a fix', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pvkit-doctor-'));
  const fake = join(dir, 'pvr');
  writeFileSync(
    fake,
    '#!/bin/sh\n[ "$PVR_DISABLE_SELF_UPGRADE" = 1 ] || exit 9\necho "pvr version 037-stand-in"\n',
  );
  chmodSync(fake, 0o755);
  const [ok] = await runDoctor({ pvrPath: fake }, [CHECKS[0]!]);
  assert.deepEqual([ok?.status, ok?.detail], ['ok', 'pvr version 037-stand-in']);
  const [missing] = await runDoctor({ pvrPath: join(dir, 'nope') }, [CHECKS[0]!]);
  assert.equal(missing?.status, 'warn');
  assert.match(formatReport([missing]), /fix: .*pantavisor\.pvr\.path/);
});

test('every check that is not ok names its fix (nothing installed, nothing reachable)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pvkit-doctor-'));
  const results = await runDoctor({
    env: { PATH: dir },
    pvrPath: join(dir, 'pvr'),
    qemuPath: join(dir, 'qemu-system-x86_64'),
    dockerHost: `unix://${join(dir, 'none.sock')}`,
    target: { label: 'closed port', url: 'http://127.0.0.1:9/cgi-bin/pvr' },
    pantahubSignedIn: false,
  });
  assert.deepEqual(
    results.map((r) => r.id),
    ['pvr', 'engine', 'mksquashfs', 'qemu', 'kvm', 'target', 'pantahub'],
  );
  for (const r of results) {
    assert.notEqual(r.status, 'ok', `${r.id} cannot be ok with nothing installed`);
    assert.ok(r.fix && r.fix.length > 20, `${r.id} has a fix: ${JSON.stringify(r)}`);
    assert.ok(formatReport([r]).includes(`fix: ${r.fix}`), r.id);
  }
  const byId = new Map(results.map((r) => [r.id, r]));
  // The KVM line uses the preview's probe with the same binary: it cannot start it, so it skips.
  assert.equal(byId.get('kvm')?.status, 'skip');
  assert.match(byId.get('kvm')?.detail ?? '', /could not start .*qemu-system-x86_64/);
  assert.equal(byId.get('mksquashfs')?.status, 'fail');
});

test('the push target line asks the endpoint over HTTP; the Pantahub line follows the sign-in', async () => {
  const server = createServer((_req, res) => res.end('{}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    const checks = CHECKS.slice(5);
    const [target, hub] = await runDoctor(
      { target: { label: 'local', url: `http://127.0.0.1:${port}/cgi-bin/pvr` }, pantahubSignedIn: true },
      checks,
    );
    assert.deepEqual([target?.status, hub?.status], ['ok', 'ok']);
    assert.equal(target?.fix, undefined);
    const [none, unknown] = await runDoctor({}, checks);
    assert.deepEqual([none?.status, unknown?.status], ['skip', 'skip']);
  } finally {
    server.close();
  }
});

test('hostQemuArch maps this machine to a QEMU architecture', () => {
  assert.ok(['x86_64', 'aarch64', 'arm'].includes(hostQemuArch()));
});
