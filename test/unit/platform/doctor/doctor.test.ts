import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKS, formatReport, pingEngine, runDoctor } from '../../../../src/platform/doctor/doctor';

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
