import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  canonicalJson,
  compareKeys,
  goJson,
  indentJson,
  newObject,
  type JsonObject,
} from '../../core/revision/canonicalJson';
import { isObjectEntry, type Repo } from './Repository';
import { PvrError, errnoCode, goPathError } from './PvrError';
import { copyAtomic, writeAtomic } from './objectStore';

export interface CheckoutOptions {
  canonical?: boolean;
  hardlink?: boolean;
}

/**
 * Rejects state keys that would write outside the working tree: absolute paths, `..` segments,
 * empty segments, NUL. pvr trusts them; a state from an import or get could otherwise overwrite
 * any file.
 */
export function checkKeyPath(key: string): void {
  const segs = key.split('/');
  if (key.startsWith('/') || key.includes('\0') || segs.some((s) => s === '..' || s === '' || s === '.')) {
    throw new PvrError(
      `refusing to check out '${key}' from .pvr/json: the path leaves the repository or is malformed; fix or remove that key`,
      3,
    );
  }
}

/** Ensures every directory above `rel` exists as a real directory inside the tree (no symlinks). */
async function ensureParent(root: string, rel: string): Promise<void> {
  const segs = rel.split('/').slice(0, -1);
  let cur = root;
  for (const s of segs) {
    cur = join(cur, s);
    let st;
    try {
      st = await fsp.lstat(cur);
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw new PvrError(goPathError('lstat', cur, e), 3);
      await fsp.mkdir(cur, { mode: 0o755 });
      continue;
    }
    if (st.isSymbolicLink()) {
      throw new PvrError(
        `refusing to check out ${join(root, rel)}: ${cur} is a symbolic link, and writing through it could leave the repository; replace it with a directory`,
        3,
      );
    }
    if (!st.isDirectory()) throw new PvrError(`Not a directory ${dirname(join(root, rel))}`, 3);
  }
}

/**
 * `pvr reset`/`checkout` (pvr-repo.md §8): writes every pristine key into the working tree (inline
 * JSON as Go JSON with four-space indent, or canonical; objects copied from the store and verified),
 * each file replaced atomically, then removes `.pvr/new`. Never deletes anything else.
 */
export async function checkoutRepo(repo: Repo, opts: CheckoutOptions = {}): Promise<void> {
  if (!repo.initialized)
    throw new PvrError(goPathError('open', join(repo.pvrDir, 'json'), { code: 'ENOENT' }), 3);
  const pristine: JsonObject = repo.pristine ?? newObject();
  for (const key of Object.keys(pristine).sort(compareKeys)) {
    if (key.startsWith('#spec')) continue;
    checkKeyPath(key);
    const v = pristine[key] ?? null;
    const dest = join(repo.root, key);
    await ensureParent(repo.root, key);
    if (!isObjectEntry(key, v)) {
      const text = opts.canonical || opts.hardlink ? canonicalJson(v) : indentJson(goJson(v), '    ');
      await writeAtomic(dest, text, 0o644);
      continue;
    }
    if (typeof v !== 'string') throw new PvrError(`bad object id for file '${key}' in pristine pvr json`, 3);
    const obj = join(repo.objdir, v);
    if (opts.hardlink) {
      try {
        await fsp.access(obj);
      } catch (e) {
        throw new PvrError(goPathError('open', obj, e), 3);
      }
      await fsp.rm(dest, { force: true });
      await fsp.link(obj, dest);
      await fsp.chmod(dest, 0o444);
      continue;
    }
    await copyAtomic(obj, dest, {
      expectSha: v,
      mismatch: (actual) => `Object cannot be checked out; wrong sha: ${actual} == ${v}`,
    });
  }
  await fsp.rm(join(repo.pvrDir, 'new'), { force: true });
}
