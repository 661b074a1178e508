import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectPrompt, runPvr } from '../../../src/platform/pvrCli';

// The real pvr cannot be installed here (no network), so these tests use stand-in `pvr` scripts
// that behave like it in the ways that matter: output, exit codes, prompts, long runs.

function fakePvr(body: string): { path: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pvkit-fakepvr-'));
  const path = join(dir, 'pvr');
  writeFileSync(path, `#!/bin/bash\n${body}\n`);
  chmodSync(path, 0o755);
  return { path, dir };
}

test('runs pvr with self-upgrade disabled, logs the command line and streams output', async () => {
  const f = fakePvr('echo "args: $*"; echo "upgrade=$PVR_DISABLE_SELF_UPGRADE" >&2; exit 3');
  const logged: string[] = [];
  let streamed = '';
  const r = await runPvr(['status', 'a b'], {
    pvrPath: f.path,
    cwd: f.dir,
    logger: { info: (m) => logged.push(m), warn: (m) => logged.push(m) },
    onOutput: (t) => (streamed += t),
  });
  assert.equal(r.exitCode, 3);
  assert.equal(r.stdout, 'args: status a b\n');
  assert.equal(r.stderr, 'upgrade=1\n');
  assert.match(streamed, /args: status a b/);
  assert.match(logged[0] ?? '', new RegExp(`\\$ ${f.path} status 'a b'`));
  rmSync(f.dir, { recursive: true, force: true });
});

test('a login prompt is detected, the process killed and a clear message returned', async () => {
  const f = fakePvr('printf "Username: "; read x; sleep 30');
  const t0 = Date.now();
  const r = await runPvr(['get', 'user/device'], { pvrPath: f.path, cwd: f.dir });
  assert.equal(r.prompt?.kind, 'login');
  assert.match(r.error?.message ?? '', /Run "pvr login" in a terminal first/);
  assert.ok(Date.now() - t0 < 20_000, 'the prompt was not left waiting');
  rmSync(f.dir, { recursive: true, force: true });
});

test('a download-keys question is detected', async () => {
  const f = fakePvr('printf "Do you want to download the signing keys? [y/N] "; sleep 30');
  const r = await runPvr(['sig', 'ls'], { pvrPath: f.path, cwd: f.dir });
  assert.equal(r.prompt?.kind, 'download');
  rmSync(f.dir, { recursive: true, force: true });
});

test('an unknown question is detected after the output stays idle', async () => {
  const f = fakePvr('printf "Continue anyway? "; sleep 30');
  const r = await runPvr(['x'], { pvrPath: f.path, cwd: f.dir, promptIdleMs: 200 });
  assert.equal(r.prompt?.kind, 'question');
  rmSync(f.dir, { recursive: true, force: true });
});

test('cancellation kills pvr and its children', async () => {
  const f = fakePvr('sleep 30 & wait');
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 200);
  const t0 = Date.now();
  const r = await runPvr(['clone', 'x'], { pvrPath: f.path, cwd: f.dir, signal: ac.signal });
  assert.equal(r.error?.kind, 'cancelled');
  assert.ok(Date.now() - t0 < 10_000);
  rmSync(f.dir, { recursive: true, force: true });
});

test('a missing pvr names the setting to fix', async () => {
  const r = await runPvr(['status'], { pvrPath: '/nonexistent/pvr', cwd: tmpdir() });
  assert.equal(r.error?.kind, 'not-found');
  assert.match(r.error?.message ?? '', /pantavisor\.pvr\.path/);
});

const PROMPTS: [string, boolean, string | undefined][] = [
  ['Username: ', false, 'login'],
  ['Password:', false, 'login'],
  ['done\n', true, undefined],
  ['Progress 10%', true, undefined],
  ['Overwrite? [y/N] ', true, 'question'],
];
for (const [tail, idle, kind] of PROMPTS) {
  test(`prompt detection: ${JSON.stringify(tail)}`, () => assert.equal(detectPrompt(tail, idle)?.kind, kind));
}
