import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalFromNode } from '../../core/signature/canonicalValue';
import { compareCodePoints } from '../../core/signature/canonicalValue';
import { indexState, type StateIndex } from '../../core/signature/payload';
import type { WorkingChanges } from '../../core/signature/coverage';
import { parseJson } from '../../core/parse/parseJson';

/**
 * A simple reading of a pvr checkout's working tree, enough to tell which committed keys changed.
 * The repository engine (another module) will replace it; the rules follow `shared/docs/pvr-repo.md`
 * §5: a `.json` key whose committed value is not a 64-hex sha is inline JSON (compared as parsed
 * values, so reformatting is not a change); every other key is the sha256 of the file's bytes.
 */
export class CheckoutError extends Error {}

export interface Checkout {
  dir: string;
  /** The committed state (`.pvr/json`). */
  state: StateIndex;
  changes: WorkingChanges;
}

const SHA = /^[0-9a-fA-F]{64}$/;

/** Hash cache keyed by path, size and mtime, so that re-checking a large rootfs is cheap. */
const hashCache = new Map<string, string>();

async function sha256File(path: string, size: number, mtimeMs: number): Promise<string> {
  const key = `${path}\0${size}\0${mtimeMs}`;
  const hit = hashCache.get(key);
  if (hit) return hit;
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  const hex = h.digest('hex');
  if (hashCache.size > 5000) hashCache.clear();
  hashCache.set(key, hex);
  return hex;
}

/** Reads `<dir>/.pvr/json` and compares every committed key with its file. */
export async function readCheckout(dir: string): Promise<Checkout> {
  let text: string;
  try {
    text = await readFile(join(dir, '.pvr', 'json'), 'utf8');
  } catch {
    throw new CheckoutError(
      `${dir} is not a pvr checkout: ${join(dir, '.pvr', 'json')} is missing; run pvr init/clone`,
    );
  }
  let state: StateIndex;
  try {
    state = indexState(text);
  } catch (e) {
    throw new CheckoutError(`${join(dir, '.pvr', 'json')}: ${(e as Error).message}`);
  }
  const changes: WorkingChanges = { modified: [], deleted: [], added: [] };
  for (const key of state.keys) {
    if (key === '#spec') continue;
    const path = join(dir, ...key.split('/'));
    let st;
    try {
      st = await lstat(path);
    } catch {
      changes.deleted.push(key);
      continue;
    }
    if (st.isDirectory()) {
      changes.deleted.push(key);
      continue;
    }
    const committed = state.values.get(key);
    if (!committed) continue;
    const inline =
      key.endsWith('.json') && !(committed.type === 'string' && SHA.test(String(committed.value)));
    if (inline) {
      const parsed = parseJson(await readFile(path, 'utf8'));
      const same =
        parsed.errors.length === 0 &&
        parsed.root !== undefined &&
        canonicalFromNode(parsed.root, parsed.text) === canonicalFromNode(committed, state.text);
      if (!same) changes.modified.push(key);
    } else {
      const sha = await sha256File(path, st.size, st.mtimeMs);
      if (sha !== String(committed.value).toLowerCase()) changes.modified.push(key);
    }
  }
  const known = new Set(state.keys);
  for (const rel of await walk(dir, '')) if (!known.has(rel)) changes.added.push(rel);
  changes.added.sort(compareCodePoints);
  return { dir, state, changes };
}

/** Files below `dir` as `/`-separated paths, without `.pvr/`, `.pv/` and `.git/`; symlinks count as files. */
async function walk(root: string, rel: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(join(root, rel), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (!rel && (e.name === '.pvr' || e.name === '.pv' || e.name === '.git')) continue;
    if (e.isDirectory()) out.push(...(await walk(root, p)));
    else out.push(p);
  }
  return out;
}
