import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createGunzip, createGzip } from 'node:zlib';
import type { Readable, Writable } from 'node:stream';
import { canonicalJson, compareKeys, newObject } from '../../core/revision/canonicalJson';
import { exportPartMatches } from '../../core/revision/partFilter';
import { isObjectEntry, type Repo } from './Repository';
import { PvrError, errnoCode, goPathError } from './PvrError';
import { TAR_END, TarError, parseTarHeader, tarHeader, tarPadding } from './tar';

/** A byte sink; `export -` passes stdout. */
export interface ByteSink {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** True when pvr treats the file name as gzip (`.gz`/`.tgz`, any case). */
export function isGzipName(name: string): boolean {
  const l = name.toLowerCase();
  return l.endsWith('.gz') || l.endsWith('.tgz');
}

/** Wraps a file handle, gzipping when asked (with pvr's gzip header: OS byte 0xff). */
async function fileSink(path: string, gzip: boolean): Promise<ByteSink> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(path, 'w', 0o644);
  } catch (e) {
    throw new PvrError(goPathError('open', path, e), 3);
  }
  const raw: ByteSink = {
    write: async (c) => {
      await fh.write(c);
    },
    close: async () => {
      await fh.close();
    },
  };
  return gzip ? gzipSink(raw) : raw;
}

function gzipSink(inner: ByteSink): ByteSink {
  const gz = createGzip();
  let first = true;
  const pending: Promise<void>[] = [];
  gz.on('data', (c: Buffer) => {
    if (first && c.length >= 10) {
      c[9] = 0xff; // "OS unknown", as Go writes it
      first = false;
    }
    pending.push(inner.write(c));
  });
  const ended = new Promise<void>((res, rej) => {
    gz.on('end', res);
    gz.on('error', rej);
  });
  return {
    write: (c) =>
      new Promise<void>((res) => {
        if (gz.write(c)) res();
        else gz.once('drain', res);
      }),
    close: async () => {
      gz.end();
      await ended;
      await Promise.all(pending);
      await inner.close();
    },
  };
}

/**
 * `pvr export` (pvr-repo.md §9.1): the pristine state (filtered by `parts`) as `json`, then one
 * `objects/<sha>` entry per object key. Object content is streamed and verified against its name.
 * `dest` is a path, or a sink for `-`.
 */
export async function exportRepo(repo: Repo, dest: string | ByteSink, parts: string[]): Promise<void> {
  const sink = typeof dest === 'string' ? await fileSink(dest, isGzipName(dest)) : dest;
  const pristine = repo.pristine ?? newObject();
  const kept = newObject();
  for (const k of Object.keys(pristine)) if (exportPartMatches(k, parts)) kept[k] = pristine[k] ?? null;
  let failure: unknown;
  try {
    const json = Buffer.from(canonicalJson(kept));
    await sink.write(tarHeader('json', json.length, 0o600, Math.round(Date.now() / 1000)));
    await sink.write(json);
    await sink.write(tarPadding(json.length));
    for (const k of Object.keys(kept).sort(compareKeys)) {
      const v = kept[k] ?? null;
      if (k.startsWith('#spec') || !isObjectEntry(k, v)) continue;
      if (typeof v !== 'string') throw new PvrError(`bad object id for file '${k}' in pristine pvr json`, 3);
      const obj = join(repo.objdir, v);
      let st;
      try {
        st = await fsp.stat(obj);
      } catch (e) {
        throw new PvrError(goPathError('stat', obj, e), 3);
      }
      await sink.write(tarHeader(`objects/${v}`, st.size, st.mode, Math.round(st.mtimeMs / 1000)));
      const hash = createHash('sha256');
      let n = 0;
      for await (const chunk of createReadStream(obj, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
        hash.update(chunk);
        n += chunk.length;
        await sink.write(chunk);
      }
      const actual = hash.digest('hex');
      if (n !== st.size || actual !== v.toLowerCase()) {
        throw new PvrError(
          `object ${obj} is corrupt: its content hashes to ${actual}; restore it (pvr get, or re-add the file) before exporting`,
          3,
        );
      }
      await sink.write(tarPadding(st.size));
    }
  } catch (e) {
    failure = e;
  }
  // The archive is closed properly even after a failure, as pvr does.
  await sink.write(TAR_END);
  await sink.close();
  if (failure) throw failure instanceof Error ? failure : new Error('export failed');
}

/** Reads a whole stream through a tar parser, calling `onEntry` for each file entry. */
async function readTar(
  input: Readable,
  onEntry: (name: string, mode: number, data: AsyncIterable<Buffer>) => Promise<void>,
): Promise<void> {
  let buf: Buffer = Buffer.alloc(0);
  let done = false;
  let error: unknown;
  const waiters: (() => void)[] = [];
  const wake = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  input.on('data', (c: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, c]) : c;
    input.pause();
    wake();
  });
  input.on('end', () => {
    done = true;
    wake();
  });
  input.on('error', (e) => {
    error = e;
    done = true;
    wake();
  });
  const need = async (n: number): Promise<boolean> => {
    while (buf.length < n && !done) {
      input.resume();
      await new Promise<void>((r) => waiters.push(r));
    }
    if (error) throw error instanceof Error ? error : new Error('read failed');
    return buf.length >= n;
  };
  const take = (n: number): Buffer => {
    const out = buf.subarray(0, n);
    buf = buf.subarray(n);
    return out;
  };
  for (;;) {
    if (!(await need(512))) {
      if (buf.length === 0) return; // clean end of input
      throw new TarError('unexpected EOF');
    }
    const h = parseTarHeader(take(512));
    if (!h) return;
    const padded = h.size + ((512 - (h.size % 512)) % 512);
    let left = h.size;
    async function* body(): AsyncGenerator<Buffer> {
      while (left > 0) {
        if (!(await need(1))) throw new TarError('unexpected EOF');
        const c = take(Math.min(left, buf.length));
        left -= c.length;
        yield c;
      }
    }
    if (h.type === '0' || h.type === '\0' || h.type === '7') await onEntry(h.name, h.mode, body());
    else for await (const _ of body()) void _;
    if (!(await need(padded - h.size))) throw new TarError('unexpected EOF');
    take(padded - h.size);
  }
}

/**
 * `pvr import` (pvr-repo.md §9.2): entries under an `objects/` directory go to the objects store
 * (verified against their name), everything else into `.pvr/`, each through `<target>.new` and a
 * rename. Entry names that would leave `.pvr/` are refused.
 */
export async function importRepo(repo: Repo, tarball: string): Promise<void> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(tarball, 'r');
  } catch (e) {
    throw new PvrError(goPathError('open', tarball, e), 3);
  }
  const raw = fh.createReadStream({ highWaterMark: 1 << 20 });
  let input: Readable = raw;
  if (isGzipName(tarball)) {
    const gun = createGunzip();
    raw.pipe(gun);
    input = gun;
  }
  try {
    await readTar(input, async (name, mode, data) => {
      const segs = name.split('/').filter((s) => s !== '' && s !== '.');
      if (name.startsWith('/') || segs.includes('..') || segs.length === 0) {
        throw new PvrError(`refusing to import entry '${name}' of ${tarball}: its path leaves .pvr/`, 3);
      }
      const isObject = basename(dirname(name)) === 'objects';
      const target = isObject ? join(repo.objdir, basename(name)) : join(repo.pvrDir, ...segs);
      const tmp = `${target}.new`;
      let out: fsp.FileHandle;
      try {
        out = await fsp.open(tmp, 'w', mode & 0o7777);
      } catch (e) {
        for await (const _ of data) void _;
        throw new PvrError(goPathError('open', tmp, e), 3);
      }
      const hash = createHash('sha256');
      try {
        for await (const c of data) {
          hash.update(c);
          await out.write(c);
        }
        await out.chmod(mode & 0o7777);
        await out.sync();
      } finally {
        await out.close();
      }
      const actual = hash.digest('hex');
      if (isObject && /^[0-9a-f]{64}$/.test(basename(name)) && actual !== basename(name)) {
        await fsp.rm(tmp, { force: true });
        throw new PvrError(`object ${name} in ${tarball} is corrupt: its content hashes to ${actual}`, 3);
      }
      await fsp.rename(tmp, target);
    });
  } catch (e) {
    if (e instanceof PvrError) throw e;
    const code = errnoCode(e);
    if (code === 'Z_DATA_ERROR' || (e instanceof Error && /incorrect header check/.test(e.message))) {
      throw new PvrError('gzip: invalid header', 3);
    }
    if (code === 'Z_BUF_ERROR' || (e instanceof Error && /unexpected end of file/.test(e.message))) {
      throw new PvrError('unexpected EOF', 3);
    }
    if (e instanceof TarError) throw new PvrError(e.message, 3);
    throw e;
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** A sink writing to a Node stream (stdout for `export -`). */
export function streamSink(
  w: Writable | { write(c: Uint8Array, cb: (e?: Error | null) => void): unknown },
): ByteSink {
  return {
    write: (c) =>
      new Promise<void>((res, rej) => void w.write(c, (e?: Error | null) => (e ? rej(e) : res()))),
    close: () => Promise.resolve(),
  };
}
