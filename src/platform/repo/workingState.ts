import { promises as fsp, readdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import {
  GoJsonError,
  compareKeys,
  goJson,
  indentJson,
  isShaLike,
  newObject,
  parseGoJson,
  type JsonObject,
  type JsonValue,
} from '../../core/revision/canonicalJson';
import { createMergePatch, InvalidJsonDocument, toDoubles } from '../../core/revision/mergePatch';
import { DEFAULT_SPEC, type Repo } from './Repository';
import { FILE_CONCURRENCY, mapLimit } from './mapLimit';
import { PvrError, goPathError } from './PvrError';

/** One entry met by the tree walk. */
export interface WalkEntry {
  /** Path relative to the root with `/`. */
  rel: string;
  abs: string;
  isDirectory: boolean;
  /** A regular file by its directory entry (a symlink or an unknown type is false). */
  isFile?: boolean;
}

/**
 * Depth-first walk in pvr's order (pvr-repo.md §5.1): the names of each directory in byte order, a
 * subdirectory walked completely when its name comes up, symlinks not followed. Directories are
 * yielded too (`add` matches patterns against them) unless `filesOnly`.
 */
export async function* walkTree(
  root: string,
  filesOnly = true,
  skip?: (rel: string) => boolean,
): AsyncGenerator<WalkEntry> {
  async function* walk(dir: string, prefix: string): AsyncGenerator<WalkEntry> {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // vanished or unreadable directory: nothing to list
    }
    entries.sort((a, b) => compareKeys(a.name, b.name));
    for (const d of entries) {
      const abs = join(dir, d.name);
      const rel = prefix + d.name;
      if (skip?.(rel)) continue;
      let isDirectory = d.isDirectory();
      // Symlinks are never followed; only file systems without d_type need an lstat.
      if (!isDirectory && !d.isFile() && !d.isSymbolicLink()) {
        try {
          isDirectory = (await fsp.lstat(abs)).isDirectory();
        } catch {
          continue; // vanished between readdir and lstat
        }
      }
      if (isDirectory) {
        if (!filesOnly) yield { rel, abs, isDirectory };
        yield* walk(abs, `${rel}/`);
      } else yield { rel, abs, isDirectory, isFile: d.isFile() };
    }
  }
  yield* walk(root, '');
}

/** The working state (pvr-repo.md §5) and what it was computed from. */
export interface WorkingState {
  state: JsonObject;
  /** Absolute file of every tracked key present on disk. */
  files: Map<string, string>;
  /** Untracked files in walk order. */
  untracked: string[];
}

/** pvr's "is this file inline JSON" rule (§5.2). */
export function isInlineFile(repo: Repo, rel: string): boolean {
  if (!rel.endsWith('.json')) return false;
  if (isShaLike(repo.pristine?.[rel])) return false;
  return !repo.staged.get(rel)?.ForceObject;
}

/** Reads a tracked file's value: decoded inline JSON, or the sha256 of its content. */
export async function fileValue(repo: Repo, rel: string, abs: string): Promise<JsonValue> {
  if (isInlineFile(repo, rel)) {
    let bytes: Buffer;
    try {
      bytes = await fsp.readFile(abs);
    } catch (e) {
      throw new PvrError(goPathError('open', abs, e), 3);
    }
    try {
      return parseGoJson(bytes);
    } catch (e) {
      if (e instanceof GoJsonError) throw new PvrError(`JSON Unmarshal (${rel}): ${e.message}`, 3);
      throw e;
    }
  }
  try {
    return await repo.hashes.hash(abs);
  } catch (e) {
    throw new PvrError(goPathError('open', abs, e), 3);
  }
}

/** Computes the working state of `repo` from the files on disk. */
export async function computeWorkingState(repo: Repo): Promise<WorkingState> {
  const state = newObject();
  const spec = repo.pristine?.['#spec'];
  state['#spec'] = spec === undefined ? DEFAULT_SPEC : spec;
  const files = new Map<string, string>();
  const untracked: string[] = [];
  const tracked: WalkEntry[] = [];
  for await (const e of walkTree(repo.root)) {
    if ((repo.pristine !== null && e.rel in repo.pristine) || repo.staged.has(e.rel)) tracked.push(e);
    else if (!e.rel.startsWith('.pvr/') && !e.rel.startsWith('.pv/')) untracked.push(e.rel);
  }
  const values = await mapLimit(tracked, FILE_CONCURRENCY, (e) => fileValue(repo, e.rel, e.abs));
  tracked.forEach((e, i) => {
    const v = values[i];
    if (!v?.ok) throw v?.error; // the first bad file in walk order, as pvr reports it
    state[e.rel] = v.value;
    files.set(e.rel, e.abs);
  });
  await repo.hashes.save();
  return { state, files, untracked };
}

/** The status/diff patch from the pristine to the working state, on doubles (§7.1). */
export function statePatch(repo: Repo, working: JsonObject): JsonObject {
  try {
    return createMergePatch(
      toDoubles(repo.pristine ?? newObject()) as JsonObject,
      toDoubles(working) as JsonObject,
    );
  } catch (e) {
    if (e instanceof InvalidJsonDocument) throw new PvrError(e.message, 3);
    throw e;
  }
}

/** `pvr status` output lines for a patch and the untracked files (§7.2). */
export function statusText(repo: Repo, patch: JsonObject, untracked: string[]): string {
  const a: string[] = [];
  const d: string[] = [];
  const c: string[] = [];
  for (const k of Object.keys(patch)) {
    if (patch[k] === null) d.push(`D ${k}\n`);
    else if (repo.pristine !== null && k in repo.pristine) c.push(`C ${k}\n`);
    else a.push(`A ${k}\n`);
  }
  const byBytes = (x: string, y: string): number => compareKeys(x, y);
  return [
    ...a.sort(byBytes),
    ...d.sort(byBytes),
    ...c.sort(byBytes),
    ...untracked.map((u) => `? ${u}\n`),
  ].join('');
}

/** `pvr diff` output (§7.3). */
export function diffText(patch: JsonObject): string {
  return `${indentJson(goJson(patch), '\t')}\n`;
}
