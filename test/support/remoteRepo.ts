import { createHash, randomFillSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { main } from '../../src/cli/pvkit';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs pvkit in this process (no build needed), capturing its output. */
export async function pvkitIn(cwd: string, env: NodeJS.ProcessEnv, ...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    cwd,
    env,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    stderrBytes: (b) => (stderr += Buffer.from(b).toString('utf8')),
  });
  return { code, stdout, stderr };
}

export interface Scratch {
  base: string;
  env: NodeJS.ProcessEnv;
}

/** A temporary directory with its own pvr config dir and quick network retries. */
export function scratchDir(prefix = 'pvkit-remote-'): Scratch {
  const base = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  return {
    base,
    env: {
      ...process.env,
      PVR_CONFIG_DIR: join(base, 'config'),
      PVR_DISABLE_SELF_UPGRADE: '1',
      TMPDIR: base,
      PVKIT_HTTP_BACKOFF_MS: '20',
      PVKIT_HTTP_RETRIES: '3',
      PVKIT_HTTP_TIMEOUT: '20',
    },
  };
}

/** Random bytes that differ per seed. */
export function randomBytesOf(size: number, seed: number): Buffer {
  const b = randomFillSync(Buffer.alloc(size));
  if (size >= 4) b.writeUInt32LE(seed, 0);
  return b;
}

/** Writes `files` (path → content) below `root`. */
export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), c);
  }
}

/** Inits a repository at `dir` with its own objects dir, writes `files` and commits them. */
export async function committedRepo(
  s: Scratch,
  dir: string,
  files: Record<string, string | Buffer>,
  objects = join(s.base, 'objects'),
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const argv of [['init', '-o', objects], null, ['add', '.'], ['commit', '-m', 'test']]) {
    if (argv === null) {
      writeTree(dir, files);
      continue;
    }
    const r = await pvkitIn(dir, s.env, ...argv);
    if (r.code !== 0) throw new Error(`pvkit ${argv.join(' ')}: ${r.stderr}`);
  }
}

export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Checks that every object of a served revision is present and hashes to its name. */
export function revisionIsWhole(serveDir: string, rev: number): { ok: boolean; problems: string[] } {
  const state = JSON.parse(
    readFileSync(join(serveDir, 'trails', String(rev), '.pvr', 'json'), 'utf8'),
  ) as Record<string, unknown>;
  const problems: string[] = [];
  for (const [k, v] of Object.entries(state)) {
    if (k.startsWith('#spec') || k.endsWith('.json')) continue;
    if (typeof v !== 'string') continue;
    try {
      const got = sha256(readFileSync(join(serveDir, 'objects', v)));
      if (got !== v) problems.push(`${k}: hashes to ${got}`);
    } catch {
      problems.push(`${k}: object ${v} missing`);
    }
  }
  return { ok: problems.length === 0, problems };
}

/** Files below `dir` (relative paths), skipping `.pvr`. */
export function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (rel === '.pvr') continue;
    if (e.isDirectory()) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}
