import { spawnSync } from 'node:child_process';
import { existsSync, promises as fsp } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { canonicalJson, compareKeys, newObject, type JsonObject } from '../../core/revision/canonicalJson';
import { InvalidJsonDocument, toDoubles } from '../../core/revision/mergePatch';
import { getPartMatches } from '../../core/revision/partFilter';
import { findExecutable } from '../findExecutable';
import { decodeConfig, decodeState, formatConfig, isObjectEntry, openRepo, type Repo } from './Repository';
import { PvrError, goPathError } from './PvrError';
import { copyAtomic, exists, writeAtomic } from './objectStore';
import { initRepo } from './init';
import { checkoutRepo } from './checkout';
import { clientFromEnv } from '../remote/clientFromEnv';
import { getRemote } from '../remote/getRemote';
import { RemoteError } from '../remote/PvrRemote';
import { isHttpUrl, resolveRemoteRef, type RemoteRef } from '../remote/remoteUrl';

/** The argument of get/clone, normalised as pvr does (pvr-repo.md §10.1). */
export interface SourceRef {
  /** What is stored as `DefaultGetUrl`. */
  url: string;
  /** The local path the URL names. */
  path: string;
  parts: string[];
  /** The fragment exactly as decoded (for pvr's empty-source quirk). */
  fragment: string | undefined;
}

/** Thrown for an argument Go's url.Parse rejects. */
export class BadUrlError extends Error {}

function percentDecode(s: string, whole: string): string {
  return s.replace(/%(..)?/g, (m, hex: string | undefined) => {
    if (!hex || !/^[0-9a-fA-F]{2}$/.test(hex)) {
      throw new BadUrlError(`parse "${whole}": invalid URL escape "${m.slice(0, 3)}"`);
    }
    return String.fromCharCode(Number.parseInt(hex, 16));
  });
}

/** Normalises and parses a get/clone argument. Throws {@link BadUrlError}. */
export function parseSourceRef(arg: string): SourceRef {
  const hash = arg.indexOf('#');
  const base = hash >= 0 ? arg.slice(0, hash) : arg;
  const frag =
    hash >= 0
      ? arg
          .slice(hash + 1)
          .replace(/#/g, '%23')
          .replace(/\//g, '%2F')
      : undefined;
  const url = frag === undefined ? base : `${base}#${frag}`;
  let path = base.replace(/\?.*$/s, '');
  const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.exec(path);
  if (scheme) {
    const rest = path.slice(scheme[0].length);
    path = rest.startsWith('//') ? rest.replace(/^\/\/[^/]*/, '') : rest.startsWith('/') ? rest : '';
  }
  path = percentDecode(path, url);
  const fragment = frag === undefined ? undefined : percentDecode(frag, url);
  const parts = fragment ? fragment.split(',') : [];
  return { url, path, parts, fragment };
}

/** Where the source state and objects were found. */
interface Source {
  dir: string;
  state: JsonObject | null;
  objdir: string;
  cleanup: () => Promise<void>;
}

/** Bytes that make Go's content sniffing call data binary. */
function looksBinary(b: Buffer): boolean {
  for (const c of b)
    if (c <= 0x08 || c === 0x0b || (c >= 0x0e && c <= 0x1a) || (c >= 0x1c && c <= 0x1f)) return true;
  return false;
}

const TEST_JSON = 'error testing existance of local json file in provided path: ';

/**
 * Opens a local source: a `.pvr` directory holding `json`, or an export tarball unpacked with the
 * system `tar` into `$TMPDIR/pvr-tmprepo-<digits>` (removed by `cleanup`). `stdout` receives tar's
 * error output the way pvr prints it. Errors use `failCode`.
 */
async function openSource(
  ref: SourceRef,
  cwd: string,
  env: NodeJS.ProcessEnv,
  failCode: number,
  stdout: (t: string) => void,
): Promise<Source> {
  const local = resolve(cwd, ref.path);
  const st = await fsp.stat(local);
  let dir = local;
  let cleanup = (): Promise<void> => Promise.resolve();
  if (!st.isDirectory()) {
    const fh = await fsp.open(local, 'r');
    const head = Buffer.alloc(512);
    const { bytesRead } = await fh.read(head, 0, 512, 0);
    await fh.close();
    if (bytesRead === 0) throw new PvrError(`${TEST_JSON}EOF`, failCode);
    const tmpBase = env['TMPDIR'] || '/tmp';
    dir = join(tmpBase, `pvr-tmprepo-${String(Math.floor(Math.random() * 1e9)).padStart(9, '1')}`);
    await fsp.mkdir(dir, { mode: 0o700 });
    const tmpDir = dir;
    cleanup = () => fsp.rm(tmpDir, { recursive: true, force: true });
    const flags = looksBinary(head.subarray(0, bytesRead)) ? 'xvf' : 'xzvf';
    const tar = (await findExecutable('tar', env, cwd)) ?? 'tar';
    const r = spawnSync(tar, [flags, local], { cwd: dir, env, encoding: 'utf8' });
    if (r.status !== 0) {
      await cleanup();
      const code = r.status ?? 1;
      stdout(`exit status ${code}: ${r.stderr}\n`);
      throw new PvrError(`${TEST_JSON}exit status ${code}`, failCode);
    }
  }
  try {
    const jsonPath = join(dir, 'json');
    let bytes: Buffer;
    try {
      bytes = await fsp.readFile(jsonPath);
    } catch (e) {
      throw new PvrError(
        `${goPathError('open', jsonPath, e)} (the source must be a repository's .pvr directory or an export tarball; pvkit does not fetch from Pantahub)`,
        failCode,
      );
    }
    const state = decodeState(bytes, `${TEST_JSON}JSON Unmarshal (json.new):`, failCode);
    let objdir = join(dir, 'objects');
    const cfgPath = join(dir, 'config');
    if (await exists(cfgPath)) {
      const cfg = decodeConfig(
        await fsp.readFile(cfgPath),
        `${TEST_JSON}JSON Unmarshal (config.new):`,
        failCode,
      );
      if (cfg.ObjectsDir)
        objdir = isAbsolute(cfg.ObjectsDir) ? cfg.ObjectsDir : join(dir, '..', cfg.ObjectsDir);
    }
    return { dir, state, objdir, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/** Reports a reference that names no local path (pvr would go to the network). */
function unresolvable(arg: string, failCode: number, badRefCode: number): PvrError {
  const base = arg.split('#')[0] ?? '';
  const n = base.split('/').length;
  if (n === 1) {
    return new PvrError(
      'device nick is missing. (syntax:pvr get <USER_NICK>/<DEVICE_NICK>[#<part>]). See --help',
      badRefCode,
    );
  }
  if (n >= 3)
    return new PvrError('clone URL is not a valid URL, nor in pvr device ref format; see --help', badRefCode);
  return new PvrError(
    `${arg} is neither a local source (a repository's .pvr directory or an export tarball) nor a remote (http(s)://…, a device address, or USER/DEVICE on Pantahub)`,
    failCode,
  );
}

export interface GetOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: (t: string) => void;
  /** Progress lines; bytes because pvr cuts names mid-UTF-8. */
  stderr: (b: Uint8Array) => void;
  /** Clone prints `pulling objects file ...` lines instead of `<name> [OK]`. */
  cloneStyle?: boolean;
  failCode?: number;
  badRefCode?: number;
  signal?: AbortSignal;
}

/**
 * `pvr get` from a local source (pvr-repo.md §10.3): copies (and verifies) every object, merges the
 * source state over the local pristine (doubles, part filter, union), writes `.pvr/json` and
 * `.pvr/config`. Returns the number of objects.
 */
export async function getRepo(repo: Repo, arg: string, opts: GetOptions): Promise<number> {
  const failCode = opts.failCode ?? 3;
  const badRefCode = opts.badRefCode ?? 1;
  let ref: SourceRef;
  try {
    ref = parseSourceRef(arg);
  } catch (e) {
    throw new PvrError((e as Error).message, badRefCode);
  }
  const local = !isHttpUrl(arg) && ref.path !== '' && (await exists(resolve(opts.cwd, ref.path)));
  if (!local) {
    let remote: RemoteRef | undefined;
    try {
      remote = resolveRemoteRef(arg, { repoBaseUrl: opts.env['PVR_REPO_BASEURL'] });
    } catch (e) {
      throw new PvrError((e as Error).message, badRefCode);
    }
    if (!remote) throw unresolvable(arg, failCode, badRefCode);
    const client = clientFromEnv(opts.env, opts.signal ? { signal: opts.signal } : {});
    let got;
    try {
      got = await getRemote(client, remote.url, remote.parts, repo.objdir, (l) =>
        opts.stderr(Buffer.from(l)),
      );
    } catch (e) {
      if (e instanceof RemoteError) {
        throw new PvrError(
          `get from ${remote.url} failed (${e.step}${e.object ? `, ${e.object}` : ''}): ${e.message}`,
          failCode,
        );
      }
      throw e;
    } finally {
      client.dispose();
    }
    await mergeIntoPristine(repo, got.state, ref, failCode, false);
    return got.downloaded + got.cached;
  }
  const src = await openSource(ref, opts.cwd, opts.env, failCode, opts.stdout);
  try {
    const srcState = src.state ?? newObject();
    const lines: Buffer[] = [];
    let count = 0;
    try {
      for (const k of Object.keys(srcState).sort(compareKeys)) {
        const v = srcState[k] ?? null;
        if (k.startsWith('#spec') || !isObjectEntry(k, v) || typeof v !== 'string') continue;
        count++;
        const dest = join(repo.objdir, v);
        const from = join(src.objdir, v);
        if (opts.cloneStyle) lines.push(Buffer.from(`pulling objects file ${from}-> ${dest}.new\n`));
        else {
          const had = await exists(dest);
          lines.push(
            Buffer.concat([Buffer.from(k).subarray(0, 15), Buffer.from(had ? ' [OK cache]\n' : ' [OK]\n')]),
          );
        }
        await copyAtomic(from, dest, {
          expectSha: v,
          mismatch: (actual) =>
            `object ${from} is corrupt: its content hashes to ${actual}; nothing was imported`,
        });
      }
    } finally {
      lines.sort((a, b) => Buffer.compare(a, b));
      for (const l of lines) opts.stderr(l);
    }
    await mergeIntoPristine(repo, srcState, ref, failCode, true);
    return count;
  } finally {
    await src.cleanup();
  }
}

/** Merges a source state over the pristine (doubles, part filter, union) and saves json + config. */
async function mergeIntoPristine(
  repo: Repo,
  srcState: JsonObject,
  ref: SourceRef,
  failCode: number,
  localQuirks: boolean,
): Promise<void> {
  let local: JsonObject;
  let incoming: JsonObject;
  try {
    local = toDoubles(repo.pristine ?? newObject()) as JsonObject;
    incoming = toDoubles(srcState) as JsonObject;
  } catch (e) {
    if (e instanceof InvalidJsonDocument) throw new PvrError(e.message, failCode);
    throw e;
  }
  const keys = Object.keys(incoming);
  if (localQuirks && keys.length === 0 && !(ref.fragment ?? '').includes(',')) {
    // pvr quirk (080-get-empty-export): an empty source adds a member named after the part list.
    local[ref.fragment ?? ''] = local[''] ?? null;
  }
  for (const k of keys) if (getPartMatches(k, ref.parts)) local[k] = incoming[k] ?? null;
  await writeAtomic(join(repo.pvrDir, 'json'), canonicalJson(local));
  repo.pristine = local;
  repo.config.DefaultGetUrl = ref.url;
  await writeAtomic(join(repo.pvrDir, 'config'), formatConfig(repo.config));
}

export interface CloneOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  configDir: string;
  objects?: string;
  spec: string;
  canonical: boolean;
  stdout: (t: string) => void;
  stderr: (b: Uint8Array) => void;
}

/** `pvr clone` from a local source (pvr-repo.md §10.4); returns the absolute target. */
export async function cloneRepo(args: string[], opts: CloneOptions): Promise<string> {
  const arg = args[0];
  if (arg === undefined) throw new PvrError('clone needs need repository argument. See --help', 2);
  let ref: SourceRef;
  try {
    ref = parseSourceRef(arg);
  } catch {
    throw new PvrError('clone must have a valid URL as argument', 2);
  }
  let namePath = ref.path;
  if (args.length !== 2 && !existsSync(resolve(opts.cwd, ref.path))) {
    // A device address clones into `pvr`, as pvr names it after the expanded URL's last element.
    try {
      const remote = resolveRemoteRef(arg, { repoBaseUrl: opts.env['PVR_REPO_BASEURL'] });
      if (remote) namePath = new URL(remote.url).pathname;
    } catch {
      // reported by get below
    }
  }
  const target = resolve(
    opts.cwd,
    args.length === 2 ? (args[1] ?? '') : basename(namePath.replace(/\/+$/, '')),
  );
  const tmp = join(dirname(target), `pvr-clone-${String(Math.floor(Math.random() * 1e9)).padStart(9, '1')}`);
  try {
    await fsp.mkdir(tmp, { mode: 0o700 });
  } catch (e) {
    throw new PvrError(goPathError('mkdir', tmp, e), 4);
  }
  try {
    await initRepo(tmp, { objects: opts.objects, spec: opts.spec, configDir: opts.configDir, cwd: opts.cwd });
    let repo: Repo;
    try {
      repo = await openRepo(tmp);
    } catch (e) {
      throw new PvrError((e as Error).message, 6);
    }
    await getRepo(repo, arg, {
      cwd: opts.cwd,
      env: opts.env,
      stdout: opts.stdout,
      stderr: opts.stderr,
      cloneStyle: true,
      failCode: 7,
      badRefCode: 7,
    }).catch((e: unknown) => {
      throw e instanceof PvrError ? new PvrError(e.message, 7) : e;
    });
    try {
      await checkoutRepo(await openRepo(tmp), { canonical: opts.canonical });
    } catch (e) {
      throw new PvrError((e as Error).message, 8);
    }
    const st = await fsp.lstat(target).catch(() => undefined);
    if (st?.isDirectory()) throw new PvrError(`rename ${tmp} ${target}: file exists`, 9);
    try {
      await fsp.rename(tmp, target);
    } catch (e) {
      throw new PvrError(goPathError('rename', `${tmp} ${target}`, e), 9);
    }
    return target;
  } catch (e) {
    await fsp.rm(tmp, { recursive: true, force: true });
    throw e;
  }
}
