import { promises as fsp } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import {
  GoJsonError,
  canonicalJson,
  goJsonString,
  goTypeName,
  isObject,
  isShaLike,
  newObject,
  parseGoJson,
  type JsonObject,
  type JsonValue,
} from '../../core/revision/canonicalJson';
import { PvrError, errnoCode, goPathError } from './PvrError';
import { writeAtomic } from './objectStore';
import { crashPoint } from './crashPoint';
import { HashCache } from './HashCache';

/** The spec written by `init` when none is given, and assumed when the state has none. */
export const DEFAULT_SPEC = 'pantavisor-service-system@1';

/** `.pvr/config` (pvr-repo.md §2.3), fields in pvr's order. */
export interface PvrConfig {
  DefaultGetUrl: string;
  DefaultPutUrl: string;
  DefaultPostUrl: string;
  ObjectsDir: string;
  AccessTokens: Record<string, string>;
  RefreshTokens: Record<string, string>;
}

/** One entry of `.pvr/new`. */
export interface StagedEntry {
  ForceObject: boolean;
  Sha: string;
}

/** An opened repository: the pristine state, what is staged, and where objects live. */
export interface Repo {
  root: string;
  pvrDir: string;
  /** False when `.pvr/json` does not exist (pvr-repo.md §2.7). */
  initialized: boolean;
  /** The pristine state; null when uninitialised or when `.pvr/json` holds `null`. */
  pristine: JsonObject | null;
  staged: Map<string, StagedEntry>;
  config: PvrConfig;
  objdir: string;
  /** File hashes remembered between commands (see HashCache); in-memory only unless opened with one. */
  hashes: HashCache;
  /** Where `add` leaves copies of big files for the next commit (in the config dir), if anywhere. */
  stagingDir?: string;
}

export function emptyConfig(): PvrConfig {
  return {
    DefaultGetUrl: '',
    DefaultPutUrl: '',
    DefaultPostUrl: '',
    ObjectsDir: '',
    AccessTokens: {},
    RefreshTokens: {},
  };
}

function goMap(m: Record<string, string>): string {
  const keys = Object.keys(m).sort();
  if (!keys.length) return '{}';
  return `{\n${keys.map((k) => `\t\t${goJsonString(k)}: ${goJsonString(m[k] ?? '')}`).join(',\n')}\n\t}`;
}

/** `.pvr/config` text: Go `MarshalIndent` with one TAB per level, no trailing newline. */
export function formatConfig(c: PvrConfig): string {
  return [
    '{',
    `\t"DefaultGetUrl": ${goJsonString(c.DefaultGetUrl)},`,
    `\t"DefaultPutUrl": ${goJsonString(c.DefaultPutUrl)},`,
    `\t"DefaultPostUrl": ${goJsonString(c.DefaultPostUrl)},`,
    `\t"ObjectsDir": ${goJsonString(c.ObjectsDir)},`,
    `\t"AccessTokens": ${goMap(c.AccessTokens)},`,
    `\t"RefreshTokens": ${goMap(c.RefreshTokens)}`,
    '}',
  ].join('\n');
}

/** Decodes a config document with Go's struct rules (case-insensitive names, unknown ignored). */
export function decodeConfig(bytes: Uint8Array, what: string, exitCode: number): PvrConfig {
  let v: JsonValue;
  try {
    v = parseGoJson(bytes);
  } catch (e) {
    throw new PvrError(`${what}${(e as Error).message}`, exitCode);
  }
  const c = emptyConfig();
  if (v === null) return c;
  if (!isObject(v)) {
    throw new PvrError(
      `${what}json: cannot unmarshal ${goTypeName(v)} into Go value of type libpvr.PvrConfig`,
      exitCode,
    );
  }
  const fields = ['DefaultGetUrl', 'DefaultPutUrl', 'DefaultPostUrl', 'ObjectsDir'] as const;
  for (const key of Object.keys(v)) {
    const f = fields.find((x) => x.toLowerCase() === key.toLowerCase());
    const val = v[key] ?? null;
    if (f) {
      if (typeof val === 'string') c[f] = val;
      else if (val !== null) {
        throw new PvrError(
          `${what}json: cannot unmarshal ${goTypeName(val)} into Go struct field PvrConfig.${f} of type string`,
          exitCode,
        );
      }
    } else if (/^(access|refresh)tokens$/i.test(key) && isObject(val)) {
      const target = key.toLowerCase().startsWith('access') ? c.AccessTokens : c.RefreshTokens;
      for (const [k, t] of Object.entries(val)) if (typeof t === 'string') target[k] = t;
    }
  }
  return c;
}

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await fsp.readFile(path);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return undefined;
    if (errnoCode(e) === 'EISDIR') throw e;
    throw new PvrError(goPathError('open', path, e), 2);
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await fsp.stat(path)).isDirectory();
  } catch {
    return false;
  }
}

const BAD_NEW =
  'repo in bad state. JSON Unmarshal (.pvr/json) Not possible. Make a copy of the repository for forensics, file a bug and maybe delete that file manually to try to recover: ';

/** Decodes `.pvr/new` (pvr-repo.md §2.2) with Go's type errors. */
function decodeStaged(bytes: Uint8Array): Map<string, StagedEntry> {
  const out = new Map<string, StagedEntry>();
  let v: JsonValue;
  try {
    v = parseGoJson(bytes);
  } catch (e) {
    throw new PvrError(BAD_NEW + (e as Error).message, 2);
  }
  if (v === null) return out;
  if (!isObject(v)) {
    throw new PvrError(
      `${BAD_NEW}json: cannot unmarshal ${goTypeName(v)} into Go value of type map[string]libpvr.PvrFileAddInfo`,
      2,
    );
  }
  for (const path of Object.keys(v)) {
    const e = v[path] ?? null;
    const entry: StagedEntry = { ForceObject: false, Sha: '' };
    if (e !== null && !isObject(e)) {
      throw new PvrError(
        `${BAD_NEW}json: cannot unmarshal ${goTypeName(e)} into Go value of type libpvr.PvrFileAddInfo`,
        2,
      );
    }
    for (const k of Object.keys(e ?? {})) {
      const m = (e ?? {})[k] ?? null;
      if (k.toLowerCase() === 'sha') {
        if (typeof m === 'string') entry.Sha = m;
        else if (m !== null)
          throw new PvrError(
            `${BAD_NEW}json: cannot unmarshal ${goTypeName(m)} into Go struct field PvrFileAddInfo.Sha of type string`,
            2,
          );
      } else if (k.toLowerCase() === 'forceobject') {
        if (typeof m === 'boolean') entry.ForceObject = m;
        else if (m !== null)
          throw new PvrError(
            `${BAD_NEW}json: cannot unmarshal ${goTypeName(m)} into Go struct field PvrFileAddInfo.ForceObject of type bool`,
            2,
          );
      }
    }
    out.set(path, entry);
  }
  return out;
}

/** Decodes a state document (`.pvr/json` or a source's `json`); null for the literal `null`. */
export function decodeState(bytes: Uint8Array, what: string, exitCode: number): JsonObject | null {
  let v: JsonValue;
  try {
    v = parseGoJson(bytes);
  } catch (e) {
    if (e instanceof GoJsonError) throw new PvrError(`${what}${e.message}`, exitCode);
    throw e;
  }
  if (v === null) return null;
  if (!isObject(v)) {
    throw new PvrError(
      `${what}json: cannot unmarshal ${goTypeName(v)} into Go value of type libpvr.PvrMap`,
      exitCode,
    );
  }
  return v;
}

/**
 * Opens the repository at `root` (pvr-repo.md §2.7). Never searches upwards. Errors are exit 2
 * with pvr's texts; an uninitialised directory opens fine.
 */
export async function openRepo(root: string, configDir?: string): Promise<Repo> {
  const pvrDir = join(root, '.pvr');
  const repo: Repo = {
    root,
    pvrDir,
    initialized: false,
    pristine: null,
    staged: new Map(),
    config: emptyConfig(),
    objdir: join(pvrDir, 'objects'),
    hashes: await HashCache.open(configDir, root),
    ...(configDir ? { stagingDir: join(configDir, 'pvkit-staging') } : {}),
  };
  const jsonPath = join(pvrDir, 'json');
  if (await isDirectory(jsonPath)) throw new PvrError('repo is in bad state. .pvr/json is a directory', 2);
  const json = await readIfExists(jsonPath);
  if (!json) return repo;
  repo.initialized = true;
  repo.pristine = decodeState(json, 'JSON Unmarshal (.pvr/json): ', 2);
  const staged = await readIfExists(join(pvrDir, 'new')).catch(() => undefined);
  if (staged) repo.staged = decodeStaged(staged);
  const configPath = join(pvrDir, 'config');
  if (await isDirectory(configPath)) throw new PvrError('repo is in bad state. .pvr/json is a directory', 2);
  const config = await readIfExists(configPath);
  if (config) repo.config = decodeConfig(config, 'JSON Unmarshal (.pvr/json): ', 2);
  const od = repo.config.ObjectsDir;
  if (od) repo.objdir = isAbsolute(od) ? od : join(root, od);
  return repo;
}

/** Canonical `.pvr/new` text. */
export function formatStaged(staged: Map<string, StagedEntry>): string {
  const o = newObject();
  for (const [k, e] of staged) {
    const entry = newObject();
    entry['ForceObject'] = e.ForceObject;
    entry['Sha'] = e.Sha;
    o[k] = entry;
  }
  // ForceObject sorts before Sha, which is also pvr's member order.
  return canonicalJson(o);
}

/**
 * Writes `.pvr/new` as pvr does, through a temporary file in `.pvr/` (pvr's name is
 * `new.<random>`, reported as `new.XXX` when `.pvr/` is missing).
 */
export async function writeStaged(repo: Repo): Promise<void> {
  const tmp = join(repo.pvrDir, `new.${process.pid}${Math.random().toString(36).slice(2, 8)}`);
  try {
    await fsp.writeFile(tmp, formatStaged(repo.staged), { mode: 0o644 });
  } catch (e) {
    throw new PvrError(goPathError('open', join(repo.pvrDir, 'new.XXX'), e), 3);
  }
  await fsp.chmod(tmp, 0o644);
  await fsp.rename(tmp, join(repo.pvrDir, 'new'));
}

// ---------------------------------------------------------------------------------------------
// Commit journal: makes the replacement of commitmsg + json + removal of new all-or-nothing.

const JOURNAL = 'pvkit-commit.journal';

interface Journal {
  renames: [string, string][];
  remove: string[];
}

/**
 * Replaces several `.pvr` files as one step. Every new file is already written as `<name>.new`;
 * the journal naming them is the commit point: once it exists the change is completed (now or by
 * {@link recoverRepo} after a crash); before, the old files are untouched.
 */
export async function commitFiles(pvrDir: string, names: string[], remove: string[]): Promise<void> {
  const journal: Journal = { renames: names.map((n) => [`${n}.new`, n]), remove };
  await writeAtomic(join(pvrDir, JOURNAL), JSON.stringify(journal));
  crashPoint('commit-journal');
  await finishJournal(pvrDir, journal);
}

async function finishJournal(pvrDir: string, j: Journal): Promise<void> {
  for (const [from, to] of j.renames) {
    try {
      await fsp.rename(join(pvrDir, from), join(pvrDir, to));
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw e; // already renamed before a crash
    }
    crashPoint(`commit-rename-${to}`);
  }
  for (const r of j.remove) await fsp.rm(join(pvrDir, r), { force: true });
  await fsp.rm(join(pvrDir, JOURNAL), { force: true });
}

/**
 * Completes or discards an interrupted commit (call with the lock held): a journal is rolled
 * forward; `.new` files without a journal are leftovers of a commit that never reached its commit
 * point and are removed.
 */
export async function recoverRepo(pvrDir: string): Promise<void> {
  const text = await fsp.readFile(join(pvrDir, JOURNAL), 'utf8').catch(() => undefined);
  if (text !== undefined) {
    let j: Journal | undefined;
    try {
      j = JSON.parse(text) as Journal;
    } catch {
      j = undefined; // a torn journal cannot exist (it is renamed into place); be safe anyway
    }
    if (j) await finishJournal(pvrDir, j);
    else await fsp.rm(join(pvrDir, JOURNAL), { force: true });
    return;
  }
  for (const n of ['json.new', 'commitmsg.new']) await fsp.rm(join(pvrDir, n), { force: true });
}

/** True when `v` (a pristine or working value under `key`) is stored as an object file. */
export function isObjectEntry(key: string, v: JsonValue | undefined): boolean {
  return !key.endsWith('.json') || isShaLike(v);
}
