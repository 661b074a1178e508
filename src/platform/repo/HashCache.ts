import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, promises as fsp, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { hashAndStage, hashFile, readSmall } from './objectStore';

/** Files above this size are staged by `add` so that commit can move instead of copy. */
export const STAGE_MIN = 64 * 1024;

interface Entry {
  /** dev:ino:size:mtimeMs:ctimeMs of the file when it was hashed (fractional ms, sub-µs steps). */
  id: string;
  sha: string;
}

/**
 * Remembers the sha256 of files by their identity (device, inode, size, mtime and ctime in ns), so
 * that `status`, `diff` and `commit` do not re-read gigabytes that `add` has just hashed. It lives
 * in the pvr config directory, never in `.pvr/` (which must stay byte-compatible with pvr).
 * Entries are only trusted for files whose mtime was more than two seconds older than the moment
 * they were hashed ("racy" files, as git calls them, are always re-read), because a write in the
 * same clock tick would not change the mtime.
 */
export class HashCache {
  private entries = new Map<string, Entry>();
  private dirty = false;

  private constructor(private readonly file: string | undefined) {}

  /** Opens the cache of repository `root` under `configDir` (a missing or broken cache is empty). */
  static async open(configDir: string | undefined, root: string): Promise<HashCache> {
    if (!configDir) return new HashCache(undefined);
    const name = createHash('sha256').update(root).digest('hex').slice(0, 24);
    const cache = new HashCache(join(configDir, 'pvkit-hash-cache', `${name}.json`));
    try {
      const data = JSON.parse(await fsp.readFile(cache.file ?? '', 'utf8')) as Record<string, Entry>;
      for (const [k, v] of Object.entries(data)) {
        if (typeof v.id === 'string' && typeof v.sha === 'string') cache.entries.set(k, v);
      }
    } catch {
      // No cache yet, or unreadable: everything is hashed.
    }
    return cache;
  }

  /** An in-memory cache that is never saved. */
  static memory(): HashCache {
    return new HashCache(undefined);
  }

  // Plain (double) stats, not bigint ones: fourteen BigInts per call were much of the garbage of
  // hashing 20,000 small files, and a double still resolves mtime to under a microsecond.
  private static id(st: Stats): string {
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  }

  /** The sha256 of `abs` (following symlinks), from the cache when the file is unchanged. */
  async hash(abs: string, stagingDir?: string): Promise<string> {
    // Small files use synchronous calls: on a busy machine the thread-pool hand-off of each async
    // call costs more than the call itself, and thousands of small files are all hand-offs. A file
    // the cache knows is stat'ed by path (one call on a hit); any other is opened at once and
    // identified by fstat, so a first `add` of 20,000 files costs open, fstat, read, fstat, close.
    const hit = this.entries.get(abs);
    if (hit && hit.id === HashCache.id(statSync(abs))) return hit.sha;
    let fd: number | undefined = openSync(abs, 'r');
    const st = fstatSync(fd);
    const id = HashCache.id(st);
    const started = Date.now();
    let sha: string;
    let after: string;
    try {
      if (st.size <= STAGE_MIN) {
        sha = createHash('sha256')
          .update(readSmall(fd, Number(st.size)))
          .digest('hex');
        after = HashCache.id(fstatSync(fd));
      } else {
        if (fd !== undefined) closeSync(fd);
        fd = undefined;
        // Files big enough to matter are copied to the staging area while hashing (see hashAndStage).
        sha = stagingDir ? await hashAndStage(abs, stagingDir) : await hashFile(abs);
        after = HashCache.id(statSync(abs));
      }
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    // Only remember files that did not change while hashing and are not racily recent.
    if (after === id && st.mtimeMs < started - 2000) {
      this.entries.set(abs, { id, sha });
      this.dirty = true;
    }
    return sha;
  }

  /** Writes the cache back (atomically) if it changed. Failures are ignored: it is only a cache. */
  async save(): Promise<void> {
    if (!this.file || !this.dirty) return;
    try {
      await fsp.mkdir(join(this.file, '..'), { recursive: true, mode: 0o700 });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await fsp.writeFile(tmp, JSON.stringify(Object.fromEntries(this.entries)));
      await fsp.rename(tmp, this.file);
      this.dirty = false;
    } catch {
      // A read-only config directory only costs speed.
    }
  }
}
