import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { goJson, indentJson } from '../../core/revision/canonicalJson';
import { acquireLock } from './lock';
import { isObjectEntry, openRepo, recoverRepo, writeStaged, type Repo } from './Repository';
import { computeWorkingState, diffText, statePatch, statusText } from './workingState';
import { commitRepo } from './commit';
import { checkKeyPath } from './checkout';
import { copyAtomic, writeAtomic } from './objectStore';
import { PvrError } from './PvrError';
import { runPvr, type PvrRunOptions } from '../pvrCli';

/**
 * What the editor needs from a pvr checkout, as plain data: used by the VS Code source control
 * provider. Two engines implement it: the built-in one (this package, no pvr needed) and one that
 * runs a user-installed pvr. Reading the committed revision is always done natively.
 */

export type ChangeKind = 'A' | 'D' | 'C' | '?';
export interface Change {
  path: string;
  kind: ChangeKind;
}

export interface RepoEngine {
  status(root: string): Promise<Change[]>;
  /** Stages exact paths (no globbing). */
  stage(root: string, paths: string[]): Promise<void>;
  commit(root: string, message: string): Promise<string>;
  diff(root: string): Promise<string>;
}

/** Parses `pvr status` output. */
export function parseStatus(text: string): Change[] {
  const out: Change[] = [];
  for (const line of text.split('\n')) {
    const m = /^([ADC?]) (.*)$/.exec(line);
    if (m) out.push({ kind: m[1] as ChangeKind, path: m[2] ?? '' });
  }
  return out;
}

/** Runs `fn` on the opened repository with the lock held (and an interrupted commit recovered). */
export async function withRepo<T>(
  root: string,
  configDir: string | undefined,
  fn: (repo: Repo) => Promise<T>,
): Promise<T> {
  const release = await acquireLock(join(root, '.pvr'));
  try {
    await recoverRepo(join(root, '.pvr'));
    return await fn(await openRepo(root, configDir));
  } finally {
    await release();
  }
}

/** The built-in engine. */
export function builtinEngine(configDir?: string): RepoEngine {
  return {
    status: (root) =>
      withRepo(root, configDir, async (repo) => {
        const w = await computeWorkingState(repo);
        return parseStatus(statusText(repo, statePatch(repo, w.state), w.untracked));
      }),
    stage: (root, paths) =>
      withRepo(root, configDir, async (repo) => {
        for (const p of paths) {
          checkKeyPath(p);
          const abs = join(root, p);
          const st = await fsp.stat(abs).catch(() => undefined);
          if (!st?.isFile()) throw new PvrError(`cannot add ${abs}: not a regular file`, 3);
          repo.staged.set(p, { ForceObject: false, Sha: await repo.hashes.hash(abs) });
        }
        await writeStaged(repo);
        await repo.hashes.save();
      }),
    commit: (root, message) =>
      withRepo(root, configDir, async (repo) => {
        let out = '';
        await commitRepo(repo, { message, progress: (l) => (out += l) });
        return out;
      }),
    diff: (root) =>
      withRepo(root, configDir, async (repo) => {
        const w = await computeWorkingState(repo);
        return diffText(statePatch(repo, w.state));
      }),
  };
}

/** The engine backed by a user-installed pvr. */
export function pvrEngine(opts: Omit<PvrRunOptions, 'cwd'>): RepoEngine {
  const call = async (root: string, args: string[]): Promise<string> => {
    const r = await runPvr(args, { ...opts, cwd: root });
    if (r.error || r.exitCode !== 0) {
      throw new Error(
        r.error?.message ?? `pvr ${args.join(' ')} failed (exit ${String(r.exitCode)}): ${r.stderr.trim()}`,
      );
    }
    return r.stdout + r.stderr;
  };
  return {
    status: async (root) => parseStatus(await call(root, ['status'])),
    // `--` keeps names with a leading dash from being read as flags; pvr globs, so escape.
    stage: async (root, paths) => {
      await call(root, ['add', '--', ...paths.map((p) => join(root, p).replace(/[*?[\\]/g, '\\$&'))]);
    },
    commit: (root, message) => call(root, ['commit', '-m', message]),
    diff: async (root) => {
      const r = await runPvr(['diff'], { ...opts, cwd: root });
      if (r.error || r.exitCode !== 0) throw new Error(r.error?.message ?? r.stderr.trim());
      return r.stdout;
    },
  };
}

/** Removes paths from `.pvr/new` (pvr has no command for this; it is a format-level edit). */
export async function unstage(root: string, configDir: string | undefined, paths: string[]): Promise<void> {
  await withRepo(root, configDir, async (repo) => {
    for (const p of paths) repo.staged.delete(p);
    await writeStaged(repo);
  });
}

/**
 * The committed content of `path` as checkout would write it (inline JSON as Go JSON with four
 * spaces, objects verified against their sha); undefined when the path is not committed.
 */
export async function committedContent(
  root: string,
  configDir: string | undefined,
  path: string,
): Promise<Buffer | undefined> {
  const repo = await openRepo(root, configDir);
  const v = repo.pristine?.[path];
  if (v === undefined || path.startsWith('#spec')) return undefined;
  if (!isObjectEntry(path, v)) return Buffer.from(indentJson(goJson(v), '    '));
  if (typeof v !== 'string') return undefined;
  const data = await fsp.readFile(join(repo.objdir, v));
  const { createHash } = await import('node:crypto');
  if (createHash('sha256').update(data).digest('hex') !== v) {
    throw new PvrError(`object ${join(repo.objdir, v)} is corrupt (content does not match its name)`, 3);
  }
  return data;
}

/**
 * Discards the working change of one path: a changed or deleted committed file is restored, a
 * staged new file is unstaged (the file is kept), an untracked file is deleted.
 */
export async function discard(
  root: string,
  configDir: string | undefined,
  path: string,
  kind: ChangeKind,
): Promise<void> {
  checkKeyPath(path);
  if (kind === '?') {
    await fsp.rm(join(root, path), { force: true });
    return;
  }
  if (kind === 'A') {
    await unstage(root, configDir, [path]);
    return;
  }
  await withRepo(root, configDir, async (repo) => {
    const v = repo.pristine?.[path];
    if (v === undefined) return;
    await fsp.mkdir(join(root, path, '..'), { recursive: true });
    if (!isObjectEntry(path, v)) await writeAtomic(join(root, path), indentJson(goJson(v), '    '));
    else if (typeof v === 'string') {
      await copyAtomic(join(repo.objdir, v), join(root, path), {
        expectSha: v,
        mismatch: (a) => `Object cannot be checked out; wrong sha: ${a} == ${v}`,
      });
    }
  });
}
