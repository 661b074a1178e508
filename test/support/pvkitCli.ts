import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './corpus';

/** The built CLI bundle (scripts/test.mjs builds it before the unit tests). */
export const CLI = join(ROOT, 'dist/cli.js');

export interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A scratch directory with its own pvr config dir, as the transcripts use. */
export function scratch(prefix = 'pvkit-repo-'): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  return {
    dir,
    env: { ...process.env, PVR_CONFIG_DIR: join(dir, 'config'), PVR_DISABLE_SELF_UPGRADE: '1', TMPDIR: dir },
  };
}

/** Runs `node dist/cli.js ...args` synchronously. */
export function pvkit(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): CliRun {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `node dist/cli.js ...args` in the background. */
export function pvkitSpawn(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
}
