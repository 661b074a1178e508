import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import {
  canonicalJson,
  newObject,
  parseGoJson,
  isObject,
  type JsonObject,
} from '../../core/revision/canonicalJson';
import { formatConfig, emptyConfig, isObjectEntry } from '../repo/Repository';
import { writeAtomic, exists } from '../repo/objectStore';

/**
 * The storage of `pvkit serve`, laid out like a device's (pantavisor-format.md §1):
 *
 *   DIR/objects/<sha256>            every uploaded object, verified before it gets its name
 *   DIR/objects/.incoming/          uploads in progress or interrupted (`<sha>.partial`, resumable)
 *   DIR/trails/<N>/.pvr/json        revision N's state (canonical JSON); also config, commitmsg
 *   DIR/current                     the number of the current (last posted) revision
 *   DIR/device-id                   a random id, reported as the post's `trail-id`
 *
 * Each `trails/<N>` is itself a pvr repository whose `.pvr/config` points at `DIR/objects`, so
 * `pvkit clone DIR/trails/3/.pvr` works without the server. A revision appears by one rename of a
 * complete directory, so a crash never leaves half a revision under a number.
 */
export class TrailStore {
  readonly objdir: string;
  readonly incoming: string;
  readonly trails: string;
  deviceId = '';
  private chain: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {
    this.objdir = join(dir, 'objects');
    this.incoming = join(this.objdir, '.incoming');
    this.trails = join(dir, 'trails');
  }

  /** Creates the layout (idempotent) and clears uploads a killed server left behind. */
  async open(): Promise<this> {
    await fsp.mkdir(this.objdir, { recursive: true });
    // Interrupted uploads are kept (`<sha>.partial`, resumable); anything else there is debris.
    await fsp.mkdir(this.incoming, { recursive: true });
    for (const e of await fsp.readdir(this.incoming)) {
      if (!/^[0-9a-f]{64}\.partial$/.test(e))
        await fsp.rm(join(this.incoming, e), { recursive: true, force: true });
    }
    await fsp.mkdir(this.trails, { recursive: true });
    for (const e of await fsp.readdir(this.trails)) {
      if (e.startsWith('.')) await fsp.rm(join(this.trails, e), { recursive: true, force: true });
    }
    const idPath = join(this.dir, 'device-id');
    this.deviceId = (await fsp.readFile(idPath, 'utf8').catch(() => '')).trim();
    if (!this.deviceId) {
      this.deviceId = randomBytes(12).toString('hex');
      await writeAtomic(idPath, this.deviceId);
    }
    return this;
  }

  /** Numbers of all stored revisions, ascending. */
  async revisions(): Promise<number[]> {
    const names = await fsp.readdir(this.trails).catch(() => [] as string[]);
    return names
      .filter((n) => /^(0|[1-9]\d{0,8})$/.test(n))
      .map(Number)
      .sort((a, b) => a - b);
  }

  /** The current revision, or undefined when nothing was posted yet. */
  async current(): Promise<number | undefined> {
    const t = (await fsp.readFile(join(this.dir, 'current'), 'utf8').catch(() => '')).trim();
    if (/^\d+$/.test(t) && (await exists(join(this.trails, t, '.pvr', 'json')))) return Number(t);
    const all = await this.revisions();
    return all[all.length - 1];
  }

  /** The canonical state bytes of revision `n`, or undefined. */
  async stateBytes(n: number): Promise<Buffer | undefined> {
    return fsp.readFile(join(this.trails, String(n), '.pvr', 'json')).catch(() => undefined);
  }

  async commitMsg(n: number): Promise<string> {
    return fsp.readFile(join(this.trails, String(n), '.pvr', 'commitmsg'), 'utf8').catch(() => '');
  }

  objectPath(sha: string): string {
    return join(this.objdir, sha);
  }

  async hasObject(sha: string): Promise<boolean> {
    return exists(this.objectPath(sha));
  }

  /** Runs `fn` after every earlier call has finished (posts are numbered one at a time). */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /**
   * Stores `state` as a new revision (`rev` -1: the next number). The caller has checked that
   * every object exists. Returns the number and the sha256 of the canonical state.
   */
  async addRevision(
    state: JsonObject,
    commitMsg: string,
    rev: number,
  ): Promise<{ rev: number; sha: string }> {
    return this.serial(async () => {
      const all = await this.revisions();
      const n = rev >= 0 ? rev : (all[all.length - 1] ?? 0) + 1;
      if (all.includes(n)) throw new RevisionExists(n);
      const text = canonicalJson(state);
      const sha = createHash('sha256').update(text).digest('hex');
      const tmp = join(this.trails, `.incoming-${n}-${randomBytes(4).toString('hex')}`);
      await fsp.mkdir(join(tmp, '.pvr'), { recursive: true });
      try {
        const cfg = emptyConfig();
        cfg.ObjectsDir = '../../objects';
        await fsp.writeFile(join(tmp, '.pvr', 'config'), formatConfig(cfg));
        await fsp.writeFile(join(tmp, '.pvr', 'commitmsg'), commitMsg || '** No commit message **');
        await fsp.writeFile(join(tmp, '.pvr', 'json'), text);
        await fsp.rename(tmp, join(this.trails, String(n)));
      } catch (e) {
        await fsp.rm(tmp, { recursive: true, force: true });
        throw e;
      }
      await writeAtomic(join(this.dir, 'current'), String(n));
      return { rev: n, sha };
    });
  }
}

export class RevisionExists extends Error {
  constructor(readonly rev: number) {
    super(`revision ${rev} already exists; post without --rev to get the next number`);
  }
}

/** Why a state key cannot be a file of a checkout, or undefined when it can. */
export function badStatePath(key: string): string | undefined {
  if (key.startsWith('#spec')) return undefined;
  if (key === '') return 'an empty name';
  if (key.includes('\0')) return 'a NUL byte';
  if (key.includes('\\')) return 'a backslash';
  if (key.startsWith('/')) return 'an absolute path';
  const segs = key.split('/');
  if (segs.some((s) => s === '..')) return 'a ".." segment (path traversal)';
  if (segs.some((s) => s === '' || s === '.')) return 'an empty or "." segment';
  return undefined;
}

/** The object shas a state refers to, with the first key naming each. */
export function stateObjects(state: JsonObject): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(state)) {
    if (k.startsWith('#spec') || !isObjectEntry(k, v)) continue;
    if (typeof v === 'string' && !out.has(v)) out.set(v, k);
  }
  return out;
}

/** Parses with pvr's decoder; throws with the decoder's message. */
export function parseState(bytes: Uint8Array): JsonObject {
  const v = parseGoJson(bytes);
  if (!isObject(v)) throw new Error('the body is not a JSON object');
  return v ?? newObject();
}
