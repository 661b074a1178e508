import { createHash } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  openSync,
  promises as fsp,
  constants as fsc,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { PvrError, errnoCode, goPathError } from './PvrError';
import { crashPoint } from './crashPoint';

/**
 * Content-addressed object storage with constant memory: files are read in fixed-size chunks,
 * hashed while they are copied, written under a temporary name, flushed and renamed. Nothing is
 * ever held whole in memory, so a 4 GB object costs one buffer.
 */

const CHUNK = 1 << 20;

/** Lowercase hex sha256 of a file's content (following symlinks), streamed. */
export async function hashFile(path: string): Promise<string> {
  const fh = await fsp.open(path, 'r');
  try {
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
    return hash.digest('hex');
  } finally {
    await fh.close();
  }
}

/**
 * Opens `<dest>.new` exclusively. pvr's temporary name is exactly `<dest>.new` (its error texts
 * name it); when that name is taken by a concurrent writer or a crashed one we fall back to a
 * unique name, so two processes never write into the same temporary file.
 */
async function openTemp(dest: string, mode: number): Promise<{ fh: fsp.FileHandle; tmp: string }> {
  const first = `${dest}.new`;
  try {
    return { fh: await fsp.open(first, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, mode), tmp: first };
  } catch (e) {
    if (errnoCode(e) !== 'EEXIST') throw new PvrError(goPathError('open', first, e), 3);
  }
  const tmp = `${dest}.${process.pid}.${Math.random().toString(36).slice(2)}.new`;
  try {
    return { fh: await fsp.open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, mode), tmp };
  } catch (e) {
    throw new PvrError(goPathError('open', tmp, e), 3);
  }
}

export interface CopyOptions {
  /** The sha256 the content must have; a mismatch fails and leaves `dest` untouched. */
  expectSha?: string;
  /** Message for a mismatch (receives the actual sha). */
  mismatch?: (actual: string) => string;
  mode?: number;
  /**
   * fsync the copy before renaming it. Off by default: a killed process cannot leave a torn file
   * behind a rename (the page cache survives it), objects are verified whenever they are read, and
   * one fsync per object made committing 5,000 small files 40x slower than `cp -r`.
   */
  sync?: boolean;
}

/**
 * Copies `src` to `dest` atomically (temporary file, fsync, rename), hashing on the way; returns the
 * sha256 of what was copied. With `expectSha`, a different content fails before the rename, so a
 * file that changed since it was hashed, or a corrupt object, never lands under a wrong name.
 */
export async function copyAtomic(src: string, dest: string, opts: CopyOptions = {}): Promise<string> {
  if (!opts.sync && opts.mode === undefined) {
    const small = await copySmall(src, dest, opts);
    if (small !== undefined) return small;
  }
  let inp: fsp.FileHandle;
  try {
    inp = await fsp.open(src, 'r');
  } catch (e) {
    // Tagged so that callers can tell "the source could not be opened" from later failures.
    throw Object.assign(new PvrError(goPathError('open', src, e), 3), { beforeAnnounce: true });
  }
  let tmp = '';
  let renamed = false;
  try {
    const t = await openTemp(dest, opts.mode ?? 0o644);
    tmp = t.tmp;
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(CHUNK);
    try {
      for (;;) {
        const { bytesRead } = await inp.read(buf, 0, CHUNK, null);
        if (bytesRead === 0) break;
        const chunk = buf.subarray(0, bytesRead);
        hash.update(chunk);
        let off = 0;
        while (off < bytesRead) off += (await t.fh.write(chunk, off, bytesRead - off)).bytesWritten;
        crashPoint('object-write');
      }
      if (opts.sync) await t.fh.sync();
    } finally {
      await t.fh.close();
    }
    if (opts.mode !== undefined) await fsp.chmod(tmp, opts.mode);
    const actual = hash.digest('hex');
    if (opts.expectSha !== undefined && actual !== opts.expectSha) {
      throw new PvrError(opts.mismatch?.(actual) ?? `content of ${src} does not match ${opts.expectSha}`, 3);
    }
    await fsp.rename(tmp, dest);
    renamed = true;
    return actual;
  } finally {
    await inp.close();
    if (tmp && !renamed) await fsp.rm(tmp, { force: true });
  }
}

const SMALL = 256 * 1024;

/**
 * The fast path of {@link copyAtomic} for small files: one read, one exclusive write, one rename
 * (a third of the system calls, which dominate for thousands of small files). Returns undefined
 * for files too big for it.
 */
async function copySmall(src: string, dest: string, opts: CopyOptions): Promise<string | undefined> {
  // Synchronous on purpose (see HashCache.hash): for small files the calls are cheaper than the
  // thread-pool hand-offs of their async forms.
  let fd: number;
  try {
    fd = openSync(src, 'r');
  } catch (e) {
    throw Object.assign(new PvrError(goPathError('open', src, e), 3), { beforeAnnounce: true });
  }
  let data: Buffer;
  try {
    const size = fstatSync(fd).size;
    if (size > SMALL) return undefined;
    data = readSmall(fd, size);
  } finally {
    closeSync(fd);
  }
  const actual = createHash('sha256').update(data).digest('hex');
  if (opts.expectSha !== undefined && actual !== opts.expectSha) {
    throw new PvrError(opts.mismatch?.(actual) ?? `content of ${src} does not match ${opts.expectSha}`, 3);
  }
  let tmp = `${dest}.new`;
  try {
    writeFileSync(tmp, data, { flag: 'wx', mode: 0o644 });
  } catch (e) {
    if (errnoCode(e) !== 'EEXIST') throw new PvrError(goPathError('open', tmp, e), 3);
    tmp = `${dest}.${process.pid}.${Math.random().toString(36).slice(2)}.new`;
    writeFileSync(tmp, data, { flag: 'wx', mode: 0o644 });
  }
  crashPoint('object-write');
  try {
    renameSync(tmp, dest);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  await Promise.resolve();
  return actual;
}

/**
 * Reads a small file whose size fstat gave: one read in the common case, more if it grew since
 * (the caller sees the growth in its second fstat and does not cache the result).
 */
export function readSmall(fd: number, size: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(total < size ? size - total + 1 : 65536);
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    chunks.push(buf.subarray(0, n));
    total += n;
    if (n < buf.length) break;
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

/**
 * Hashes `src` while copying it into the staging area `stagingDir` (one read, one write), so that
 * a later commit only has to move the copy into the objects directory. Returns the sha256; the
 * copy is `<stagingDir>/<sha>`. Old staged copies (never committed) are not kept forever: see
 * {@link pruneStaging}.
 */
export async function hashAndStage(src: string, stagingDir: string): Promise<string> {
  await fsp.mkdir(stagingDir, { recursive: true, mode: 0o700 });
  const tmp = join(stagingDir, `${process.pid}.${Math.random().toString(36).slice(2)}.new`);
  const inp = await fsp.open(src, 'r');
  let ok = false;
  try {
    const out = await fsp.open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o644);
    const hash = createHash('sha256');
    try {
      const buf = Buffer.allocUnsafe(CHUNK);
      for (;;) {
        const { bytesRead } = await inp.read(buf, 0, CHUNK, null);
        if (bytesRead === 0) break;
        hash.update(buf.subarray(0, bytesRead));
        let off = 0;
        while (off < bytesRead) off += (await out.write(buf, off, bytesRead - off)).bytesWritten;
      }
    } finally {
      await out.close();
    }
    const sha = hash.digest('hex');
    await fsp.rename(tmp, join(stagingDir, sha));
    ok = true;
    return sha;
  } finally {
    await inp.close();
    if (!ok) await fsp.rm(tmp, { force: true });
  }
}

/** Removes staged copies older than `maxAgeMs` (files added but never committed). */
export async function pruneStaging(stagingDir: string, maxAgeMs = 7 * 24 * 3600 * 1000): Promise<void> {
  const names = await fsp.readdir(stagingDir).catch(() => [] as string[]);
  const now = Date.now();
  for (const n of names) {
    const p = join(stagingDir, n);
    const st = await fsp.stat(p).catch(() => undefined);
    if (st && now - st.mtimeMs > maxAgeMs) await fsp.rm(p, { force: true });
  }
}

/** Writes `data` to `dest` atomically through `<dest>.new` (pvr's temporary name) and a rename. */
export async function writeAtomic(dest: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const tmp = `${dest}.new`;
  try {
    await fsp.writeFile(tmp, data, { mode });
  } catch (e) {
    throw new PvrError(goPathError('open', tmp, e), 3);
  }
  const fh = await fsp.open(tmp, 'r+');
  try {
    await fh.chmod(mode);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, dest);
}

/** True when `path` exists (without following a final symlink). */
export async function exists(path: string): Promise<boolean> {
  try {
    await fsp.lstat(path);
    return true;
  } catch {
    return false;
  }
}
