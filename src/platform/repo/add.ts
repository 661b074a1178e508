import { promises as fsp } from 'node:fs';
import { isAbsolute } from 'node:path';
import { compileGoGlob, GlobSyntaxError } from '../../core/revision/goGlob';
import { writeStaged, type Repo } from './Repository';
import { PvrError, errnoCode } from './PvrError';
import { walkTree, type WalkEntry } from './workingState';
import { pruneStaging } from './objectStore';
import { isShaLike } from '../../core/revision/canonicalJson';
import { FILE_CONCURRENCY, mapLimit } from './mapLimit';

/**
 * `pvr add` (pvr-repo.md §6): stages every walked file whose absolute path matches one of the Go
 * globs (all files for no pattern or `.`), recording its sha256, then writes `.pvr/new`.
 * `warn` receives messages about files that vanished while adding.
 */
export async function addFiles(
  repo: Repo,
  patterns: string[],
  raw: boolean,
  warn: (text: string) => void,
): Promise<void> {
  const all = patterns.length === 0 || (patterns.length === 1 && patterns[0] === '.');
  let matchers: RegExp[] = [];
  try {
    matchers = all ? [] : patterns.map((p) => compileGoGlob(isAbsolute(p) ? p : `${repo.root}/${p}`));
  } catch (e) {
    if (e instanceof GlobSyntaxError) {
      warn(`WARNING: cannot read file (syntax error in pattern):${repo.root}/\n`);
      throw new PvrError(e.message, 3);
    }
    throw e;
  }
  const matched: WalkEntry[] = [];
  for await (const e of walkTree(repo.root, false, (rel) => rel.startsWith('.pv'))) {
    if (all || matchers.some((m) => m.test(e.abs))) matched.push(e);
  }
  const shas = await mapLimit(matched, FILE_CONCURRENCY, (e) => stageOne(repo, e, raw, warn));
  matched.forEach((e, i) => {
    const r = shas[i];
    if (!r?.ok) throw r?.error;
    if (r.value !== undefined) repo.staged.set(e.rel, { ForceObject: raw, Sha: r.value });
  });
  await writeStaged(repo);
  await repo.hashes.save();
  if (repo.stagingDir) await pruneStaging(repo.stagingDir);
}

/** Hashes one matched entry; undefined when it is not a readable file (silently skipped). */
async function stageOne(
  repo: Repo,
  e: WalkEntry,
  raw: boolean,
  warn: (text: string) => void,
): Promise<string | undefined> {
  {
    // A regular file by its directory entry needs no stat; a symlink is followed to see what it is.
    let isFile = e.isFile === true;
    if (!isFile && !e.isDirectory) {
      try {
        isFile = (await fsp.stat(e.abs)).isFile();
      } catch {
        isFile = false; // dangling symlink, or gone
      }
    }
    if (!isFile) return undefined;
    let sha: string;
    try {
      // Files that will be objects are staged for the commit; inline JSON is only hashed.
      const inline = e.rel.endsWith('.json') && !raw && !isShaLike(repo.pristine?.[e.rel]);
      sha = await repo.hashes.hash(e.abs, inline ? undefined : repo.stagingDir);
    } catch (err) {
      // Gone (or replaced by a directory) since the walk saw it.
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'EISDIR') {
        warn(`WARNING: ${e.abs} disappeared while it was being added; it is not staged\n`);
        return undefined;
      }
      throw new PvrError(`cannot read ${e.abs}: ${(err as Error).message}`, 3);
    }
    return sha;
  }
}
