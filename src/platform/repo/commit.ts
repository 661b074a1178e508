import { promises as fsp, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  canonicalJson,
  compareKeys,
  isObject,
  newObject,
  type JsonObject,
} from '../../core/revision/canonicalJson';
import { applyMergePatch } from '../../core/revision/mergePatch';
import { commitFiles, isObjectEntry, type Repo } from './Repository';
import { PvrError, goPathError } from './PvrError';
import { copyAtomic } from './objectStore';
import { computeWorkingState, statePatch } from './workingState';
import { crashPoint } from './crashPoint';
import { FILE_CONCURRENCY, mapLimit } from './mapLimit';

export interface CommitOptions {
  message?: string;
  checkpoint?: boolean;
  /** Progress lines (`Adding raw ...`), pvr prints them on stderr. */
  progress: (line: string) => void;
  now?: Date;
}

function rfc3339Local(d: Date): string {
  const off = -d.getTimezoneOffset();
  const pad = (n: number): string => String(Math.abs(n)).padStart(2, '0');
  const zone = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${zone}`;
}

/**
 * `pvr commit` (pvr-repo.md §7.4). Objects are stored first (each atomically, verified against the
 * sha the working state recorded); then `.pvr/commitmsg`, `.pvr/json` and the removal of `.pvr/new`
 * happen as one journaled step, so an interruption leaves the old or the new revision, never a mix.
 * Every failure is a PvrError with pvr's plain style (`ERROR: ...`, exit 1).
 */
export async function commitRepo(repo: Repo, opts: CommitOptions): Promise<void> {
  try {
    await commitInner(repo, opts);
  } catch (e) {
    if (e instanceof PvrError) throw new PvrError(e.message, 1, 'plain');
    throw e;
  }
}

async function commitInner(repo: Repo, opts: CommitOptions): Promise<void> {
  if (opts.checkpoint) {
    const path = join(repo.root, 'checkpoint.json');
    const text = canonicalJson({ major: rfc3339Local(opts.now ?? new Date()) });
    await fsp.writeFile(path, text, { mode: 0o640 });
    repo.staged.set('checkpoint.json', { ForceObject: false, Sha: '' });
  }
  const working = await computeWorkingState(repo);
  const patch = statePatch(repo, working.state);
  const pristine: JsonObject = repo.pristine ?? newObject();
  const keys = Object.keys(patch).sort(compareKeys);
  const changed = keys.filter((k) => patch[k] !== null && k in pristine);
  const added = keys.filter((k) => patch[k] !== null && !(k in pristine));
  const removed = keys.filter((k) => patch[k] === null);

  // Each task is a progress line and, for objects, a copy into the store. Copies run concurrently;
  // lines and errors are reported in order afterwards, as a sequential run would have.
  interface Task {
    line: string;
    store?: { key: string; overwrite: boolean };
  }
  const tasks: Task[] = [];
  // One listing of the store and of the staging area instead of a stat per object.
  const present = await listNames(repo.objdir);
  const staged = repo.stagingDir ? await listNames(repo.stagingDir) : new Set<string>();
  const store = async (key: string, overwrite: boolean): Promise<void> => {
    const sha = working.state[key];
    const src = working.files.get(key) ?? join(repo.root, key);
    // copyAtomic opens the source first; a failure there is tagged beforeAnnounce, because pvr
    // reports a missing source before printing its line.
    if (typeof sha !== 'string') throw new PvrError(`bad object id for file '${key}'`, 1);
    const dest = join(repo.objdir, sha);
    // An existing object is reused only if it is whole (same size as the file); a truncated one,
    // e.g. from a power loss, is rewritten. Only names the store listed are stat'ed.
    if (!overwrite && present.has(sha) && (await sameSize(dest, src))) return;
    // A copy staged by `add` has exactly this content (it is named by its hash): move it in.
    if (repo.stagingDir && staged.has(sha)) {
      try {
        renameSync(join(repo.stagingDir, sha), dest);
        crashPoint('object-write');
        return;
      } catch {
        // Gone meanwhile, or another file system: copy below (which also reports a missing objdir).
      }
    }
    await copyAtomic(src, dest, {
      expectSha: sha,
      mismatch: (actual) =>
        `${src} changed while it was being committed (sha ${actual}, expected ${sha}); nothing was committed, run the commit again`,
    });
  };

  for (const k of changed) {
    const v = working.state[k];
    if (k.endsWith('.json') && !isObjectEntry(k, v))
      tasks.push({ line: `Committing (inline): ${join(repo.root, k)}\n` });
    else
      tasks.push({ line: `Committing (raw): ${join(repo.root, k)}\n`, store: { key: k, overwrite: true } });
  }
  for (const k of added) {
    if (k.endsWith('.json') && !repo.staged.get(k)?.ForceObject) tasks.push({ line: `Adding inline ${k}\n` });
    else {
      const sha = working.state[k];
      tasks.push({
        line: `Adding raw ${join(repo.root, k)} with ${typeof sha === 'string' ? sha : ''}\n`,
        store: { key: k, overwrite: false },
      });
    }
  }
  for (const k of removed) tasks.push({ line: `Removing ${k}\n` });
  const done = await mapLimit(tasks, FILE_CONCURRENCY, (t) =>
    t.store ? store(t.store.key, t.store.overwrite) : Promise.resolve(),
  );
  tasks.forEach((t, i) => {
    const r = done[i];
    if (r && !r.ok && (r.error as { beforeAnnounce?: boolean }).beforeAnnounce) throw r.error;
    opts.progress(t.line);
    if (r && !r.ok) throw r.error;
  });
  crashPoint('commit-objects-stored');

  const next = applyMergePatch(pristine, patch);
  const msg = opts.message ? opts.message : '** No commit message **';
  await writeNew(join(repo.pvrDir, 'commitmsg.new'), msg);
  crashPoint('commit-msg-written');
  await writeNew(join(repo.pvrDir, 'json.new'), canonicalJson(next));
  crashPoint('commit-json-written');
  await commitFiles(repo.pvrDir, ['commitmsg', 'json'], ['new']);
  if (isObject(next)) repo.pristine = next;
  repo.staged.clear();
}

/** The names in a directory (none when it is missing or unreadable). */
async function listNames(dir: string): Promise<Set<string>> {
  return new Set(await fsp.readdir(dir).catch(() => [] as string[]));
}

async function sameSize(a: string, b: string): Promise<boolean> {
  try {
    await Promise.resolve();
    return statSync(a).size === statSync(b).size;
  } catch {
    return false;
  }
}

async function writeNew(path: string, data: string): Promise<void> {
  try {
    const fh = await fsp.open(path, 'w', 0o644);
    try {
      await fh.writeFile(data);
      await fh.chmod(0o644);
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw new PvrError(goPathError('open', path, e), 1);
  }
}
