import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, pvkit, pvkitSpawn, scratch } from '../../../support/pvkitCli';
import { acquireLock, LOCK_NAME } from '../../../../src/platform/repo/lock';

const skip = existsSync(CLI) ? false : 'dist/cli.js not built';

function repo(): { root: string; env: NodeJS.ProcessEnv } {
  const s = scratch('pvkit-lock-');
  const root = join(s.dir, 'repo');
  mkdirSync(root);
  assert.equal(pvkit(root, s.env, 'init').status, 0);
  return { root, env: s.env };
}

test('a lock held by a live process makes a command wait, then fail clearly', { skip }, async () => {
  const { root, env } = repo();
  const release = await acquireLock(join(root, '.pvr'));
  const r = pvkit(root, { ...env, PVKIT_LOCK_TIMEOUT_MS: '300' }, 'status');
  assert.equal(r.status, 3);
  assert.match(
    r.stderr,
    new RegExp(`locked by another pvkit process \\(pid ${process.pid}, lock file .*${LOCK_NAME}\\)`),
  );
  await release();
  assert.equal(pvkit(root, env, 'status').status, 0);
  rmSync(join(root, '..'), { recursive: true, force: true });
});

test('a stale lock (its process is gone) is recovered', { skip }, () => {
  const { root, env } = repo();
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  writeFileSync(join(root, '.pvr', LOCK_NAME), `${dead.stdout}\n`);
  writeFileSync(join(root, 'a.txt'), 'a');
  const r = pvkit(root, env, 'add', 'a.txt');
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!existsSync(join(root, '.pvr', LOCK_NAME)));
  assert.match(readFileSync(join(root, '.pvr', 'new'), 'utf8'), /a\.txt/);
  rmSync(join(root, '..'), { recursive: true, force: true });
});

test('concurrent adds are serialised: no staged file is lost', { skip }, async () => {
  const { root, env } = repo();
  const names = ['a', 'b', 'c', 'd'].map((n) => `${n}.txt`);
  for (const n of names) writeFileSync(join(root, n), n);
  const runs = names.map(
    (n) =>
      new Promise<number | null>((res) => {
        const c = pvkitSpawn(root, env, 'add', n);
        c.on('exit', (code) => res(code));
      }),
  );
  assert.deepEqual(await Promise.all(runs), [0, 0, 0, 0]);
  const staged = JSON.parse(readFileSync(join(root, '.pvr', 'new'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(staged).sort(), names);
  rmSync(join(root, '..'), { recursive: true, force: true });
});
