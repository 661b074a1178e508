import { promises as fs, existsSync, statSync, type Dirent, type Stats } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { CheckoutFile } from '../../core/revision/RevisionModel';
import type { FileKind } from '../../core/revision/fileKinds';

/** Folders a checkout walk never enters: pvr's own (`.pvr`, `.pv`) and version control. */
const SKIP_DIRS = new Set(['.pvr', '.pv', '.git']);

/** JSON files larger than this are still read; this only bounds what one walk keeps in memory. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

export function isCheckoutRoot(dir: string): boolean {
  return existsSync(join(dir, '.pvr', 'json')) || existsSync(join(dir, '.pvr', 'config'));
}

/** The nearest folder at or above `path` that holds a `.pvr/`. */
export function findCheckoutRoot(path: string): string | undefined {
  let dir = resolve(path);
  try {
    if (!statSync(dir).isDirectory()) dir = dirname(dir);
  } catch {
    dir = dirname(dir);
  }
  for (;;) {
    if (isCheckoutRoot(dir)) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

export interface LoadedCheckout {
  root: string;
  files: CheckoutFile[];
  pristine?: { file: string; text: string };
  /** Files that could not be read, with the reason. */
  unreadable: { file: string; reason: string }[];
}

/**
 * Reads a checkout the way pvr sees its working tree: every file below the root except `.pvr/`
 * and `.pv/` (and `.git/`), JSON files with their text, other files by existence only.
 */
export async function loadCheckout(root: string, signal?: AbortSignal): Promise<LoadedCheckout> {
  const out: LoadedCheckout = { root, files: [], unreadable: [] };
  const walk = async (dir: string): Promise<void> => {
    if (signal?.aborted) return;
    let names: Dirent[];
    try {
      names = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      out.unreadable.push({ file: dir, reason: (e as Error).message });
      return;
    }
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of names) {
      const p = join(dir, d.name);
      if (d.isDirectory()) {
        if (dir === root && SKIP_DIRS.has(d.name)) continue;
        if (d.name === '.git') continue;
        await walk(p);
        continue;
      }
      const key = relative(root, p).split(sep).join('/');
      if (!d.name.endsWith('.json')) {
        out.files.push({ key, file: p });
        continue;
      }
      try {
        const st = await fs.stat(p);
        if (st.size > MAX_JSON_BYTES) {
          out.unreadable.push({ file: p, reason: `larger than ${MAX_JSON_BYTES} bytes` });
          continue;
        }
        out.files.push({ key, file: p, text: await fs.readFile(p, 'utf8') });
      } catch (e) {
        out.unreadable.push({ file: p, reason: (e as Error).message });
      }
    }
  };
  await walk(root);
  const pj = join(root, '.pvr', 'json');
  try {
    out.pristine = { file: pj, text: await fs.readFile(pj, 'utf8') };
  } catch {
    // A checkout made by `pvr init` always has .pvr/json; without it the #spec check is skipped.
  }
  return out;
}

/** Guesses the kind of a lone revision file from its name (and folder for _sigs/_dm). */
export function kindFromPath(file: string): FileKind {
  const name = basename(file);
  const parent = basename(dirname(file));
  if (parent === '_sigs' && name.endsWith('.json')) return 'signature';
  if (parent === '_dm' && name.endsWith('.json')) return 'dm';
  if (parent === 'bsp' && name === 'run.json') return 'bsp-run';
  if (parent === 'bsp' && name === 'src.json') return 'bsp-src';
  switch (name) {
    case 'run.json':
      return 'run';
    case 'src.json':
      return 'src';
    case 'services.json':
      return 'services';
    case 'drivers.json':
      return 'bsp-drivers';
    case 'device.json':
      return 'device';
    case 'groups.json':
      return 'groups';
    case 'disks.json':
    case 'disks_v3.json':
      return 'disks';
    case 'mdev.json':
      return 'mdev';
  }
  return 'state';
}

export type ValidationTarget =
  | { type: 'checkout'; root: string; only?: string[] }
  | { type: 'file'; file: string; kind: FileKind }
  | { type: 'compose'; path: string };

const COMPOSE_NAMES = new Set(['docker-compose.yml', 'docker-compose.yaml']);

/**
 * Turns command-line paths into what to validate: checkouts (a folder with `.pvr/`, or any file
 * inside one), lone files, and, for other folders, every checkout and compose project below them.
 */
export async function discoverTargets(
  paths: readonly string[],
  kind: FileKind | 'auto' = 'auto',
): Promise<ValidationTarget[]> {
  const targets: ValidationTarget[] = [];
  const checkouts = new Map<string, { type: 'checkout'; root: string; only?: string[] }>();
  const addCheckout = (root: string, file?: string): void => {
    const t = checkouts.get(root);
    if (!t) {
      const n: { type: 'checkout'; root: string; only?: string[] } = {
        type: 'checkout',
        root,
        ...(file ? { only: [file] } : {}),
      };
      checkouts.set(root, n);
      targets.push(n);
    } else if (file && t.only) t.only.push(file);
    else if (!file) delete t.only;
  };
  for (const p of paths) {
    const abs = resolve(p);
    let st: Stats;
    try {
      st = await fs.stat(abs);
    } catch {
      targets.push({ type: 'file', file: abs, kind: kind === 'auto' ? kindFromPath(abs) : kind });
      continue;
    }
    if (st.isDirectory()) {
      if (isCheckoutRoot(abs)) {
        addCheckout(abs);
        continue;
      }
      const inside = findCheckoutRoot(abs);
      if (inside) {
        addCheckout(inside);
        continue;
      }
      await scanFolder(
        abs,
        (root) => addCheckout(root),
        (c) => targets.push({ type: 'compose', path: c }),
      );
      continue;
    }
    if (COMPOSE_NAMES.has(basename(abs)) && kind === 'auto') {
      targets.push({ type: 'compose', path: abs });
      continue;
    }
    const root = kind === 'auto' && basename(dirname(abs)) !== '.pvr' ? findCheckoutRoot(abs) : undefined;
    if (root) addCheckout(root, abs);
    else targets.push({ type: 'file', file: abs, kind: kind === 'auto' ? kindFromPath(abs) : kind });
  }
  return targets;
}

async function scanFolder(
  dir: string,
  onCheckout: (root: string) => void,
  onCompose: (file: string) => void,
  depth = 0,
): Promise<void> {
  if (depth > 8) return;
  if (isCheckoutRoot(dir)) {
    onCheckout(dir);
    return;
  }
  let names: Dirent[];
  try {
    names = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const d of names) {
    if (d.isFile() && COMPOSE_NAMES.has(d.name)) onCompose(join(dir, d.name));
  }
  for (const d of names) {
    if (d.isDirectory() && !d.name.startsWith('.') && d.name !== 'node_modules')
      await scanFolder(join(dir, d.name), onCheckout, onCompose, depth + 1);
  }
}
