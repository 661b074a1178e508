import { createHash, type Hash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { spawn } from 'node:child_process';
import { Duplex, Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tarStream from 'tar-stream';
import { encodeHeader, padding, TAR_END, type TarEntry, type TarEntryType } from './tarHeader';

/*
 * How layers become one root file system, and why it is done this way.
 *
 * pvr 037 extracts every layer with `tar -x` into a folder, deleting whiteout targets first, then
 * runs `mksquashfs` on the folder. That writes the image to disk twice, needs root (or fakeroot)
 * for owners and device nodes, and follows symbolic links that earlier layers planted, so a layer
 * can write outside the folder (`a -> /etc`, then `a/passwd`).
 *
 * Here the layers are merged into ONE tar stream that is piped into `mksquashfs - out -tar`:
 * nothing of the image is ever written to disk, so no entry can escape, owners and device nodes
 * need no privileges, and the time is mksquashfs's own (measured in bench/image.ts). The merged
 * stream must still equal what extracting the layers in order would give, so it takes two passes:
 *
 *  1. scan: read every layer's headers (data is hashed, not kept) and apply them to an in-memory
 *     tree, in layer order: a layer's whiteouts first (they only hide lower layers), then its
 *     entries (a later entry replaces an earlier one). The tree knows which entry is visible at
 *     each path at the end, and the final metadata of every directory.
 *  2. write: all final directories first (so implied parents get deterministic metadata), then
 *     each layer again in order, passing through only the entries that survived. A hard link
 *     whose target was later replaced or removed keeps the old content, as on disk: the target's
 *     data is written under the first surviving link's name.
 *
 * Reading each layer twice costs one extra decompression, small next to xz compression; memory
 * is the path tree (about 200 bytes a path), never a layer's content.
 */

/** One layer as stored: a byte range of a file (a blob, or a member of an archive). */
export interface LayerBlob {
  /** Shown in messages and progress: the digest, or the member name in an archive. */
  id: string;
  file: string;
  offset: number;
  length: number;
  /** sha256 of the stored bytes (compressed or not), checked while reading. */
  digest?: string;
  /** sha256 of the uncompressed tar (the config's `rootfs.diff_ids` entry), checked while reading. */
  diffId?: string;
}

export interface LayerProgress {
  phase: 'scan' | 'write';
  /** 0-based layer index. */
  layer: number;
  layers: number;
  id: string;
  bytes: number;
  total: number;
}

export interface FlattenOptions {
  /** The image, for messages. */
  image: string;
  /** Time (seconds) for directories that no layer defines (implied parents, /proc and friends). */
  epoch: number;
  signal?: AbortSignal;
  onProgress?: (p: LayerProgress) => void;
  /** Paths left out of the result (mksquashfs `-e` in format_options). */
  exclude?: readonly string[];
  /** Notes about neutralised input (absolute names made relative). */
  onWarning?: (message: string) => void;
}

/** A failure that names the image and, when known, the layer and entry. */
export class ImageLayerError extends Error {
  constructor(
    message: string,
    readonly image: string,
    readonly layer?: string,
  ) {
    super(message);
  }
}

interface Meta {
  mode: number;
  uid: number;
  gid: number;
  uname?: string;
  gname?: string;
  mtime: number;
  pax?: Record<string, string>;
}

interface DirNode {
  dir: true;
  children: Map<string, Node>;
  meta: Meta;
}

interface LeafNode {
  dir: false;
  /** The entry at this path. */
  id: number;
  /** The entry holding the content (itself, or the target of a hard link). */
  root: number;
  type: TarEntryType;
}

type Node = DirNode | LeafNode;

/** What the write pass does with a surviving entry. */
interface Emit {
  name: string;
  /** Set for hard links: the name the content was written under. */
  linkTo?: string;
}

/** Result of the scan pass. */
export interface FlattenPlan {
  dirs: { name: string; meta: Meta }[];
  emits: Map<number, Emit>;
  /** First entry id of each layer. */
  base: number[];
  entries: number;
  /** The latest mtime of any entry (seconds), for a reproducible squashfs time. */
  maxMtime: number;
  warnings: string[];
}

const STRUCTURE_DIRS = ['proc', 'sys', 'dev', 'tmp', 'var/tmp', 'run', 'var/run'];
const STRIP_FILES = ['usr/bin/qemu-arm-static'];

class EntryError extends Error {}

/** Splits an entry name into components; absolute names become relative, `..` is refused. */
export function sanitizeName(raw: string): { parts: string[]; absolute: boolean } {
  const absolute = raw.startsWith('/');
  const parts: string[] = [];
  for (const p of raw.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..')
      throw new EntryError(`entry "${raw}": a name containing ".." could point outside the root`);
    parts.push(p);
  }
  return { parts, absolute };
}

function typeOf(h: tarStream.Header, name: string): TarEntryType {
  switch (h.type as string | null) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'link':
    case 'symlink':
    case 'character-device':
    case 'block-device':
    case 'directory':
    case 'fifo':
      return h.type as TarEntryType;
    default:
      throw new EntryError(
        `entry "${name}": unsupported tar entry type (GNU sparse, multi-volume or unknown typeflag)`,
      );
  }
}

function metaOf(h: tarStream.Header): Meta {
  const pax = (h.pax ?? {}) as Record<string, string>;
  const m: Meta = {
    mode: (h.mode ?? 0o644) & 0o7777,
    uid: pax['uid'] !== undefined ? Number(pax['uid']) : (h.uid ?? 0),
    gid: pax['gid'] !== undefined ? Number(pax['gid']) : (h.gid ?? 0),
    mtime:
      pax['mtime'] !== undefined
        ? Math.floor(Number(pax['mtime']))
        : Math.floor((h.mtime?.getTime() ?? 0) / 1000),
  };
  if (h.uname) m.uname = pax['uname'] ?? h.uname;
  if (h.gname) m.gname = pax['gname'] ?? h.gname;
  const xattrs = Object.entries(pax).filter(([k]) => k.startsWith('SCHILY.xattr.'));
  if (xattrs.length) m.pax = Object.fromEntries(xattrs);
  return m;
}

/** Counts and hashes bytes going through. */
class Tap extends Transform {
  bytes = 0;
  constructor(
    private readonly hash: Hash | undefined,
    private readonly onBytes?: (n: number) => void,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash?.update(chunk);
    this.onBytes?.(this.bytes);
    cb(null, chunk);
  }
}

/**
 * `zstd -dc` as a stream stage, for `application/vnd.oci.image.layer.v1.tar+zstd` layers (Node 20
 * has no zstd). The process is killed when the pipeline ends early (cancel, a refused entry); a
 * missing command or a failing run becomes the stage's error, with the fix.
 */
function zstdStage(): Duplex {
  const child = spawn('zstd', ['-d', '-c', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    if (stderr.length < 2000) stderr += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const stage = new Duplex({
    write(chunk: Buffer, _enc, cb) {
      if (child.stdin.write(chunk)) cb();
      else child.stdin.once('drain', () => cb());
    },
    final(cb) {
      child.stdin.end();
      cb();
    },
    read() {
      child.stdout.resume();
    },
    destroy(err, cb) {
      if (child.exitCode === null) child.kill();
      cb(err);
    },
  });
  child.stdout.on('data', (c: Buffer) => {
    if (!stage.push(c)) child.stdout.pause();
  });
  // The output only ends once zstd said it decoded everything (exit 0): a corrupt or truncated
  // frame must not pass for a short layer.
  child.stdout.on('end', () => {
    void exited.then((code) =>
      code === 0
        ? stage.push(null)
        : stage.destroy(
            new EntryError(`zstd -d failed (exit ${code ?? 'signal'}): ${stderr.trim() || 'corrupt data'}`),
          ),
    );
  });
  // zstd stopping early closes its input; its exit code says why.
  child.stdin.on('error', () => undefined);
  child.on('error', (e: NodeJS.ErrnoException) =>
    stage.destroy(
      new EntryError(
        e.code === 'ENOENT'
          ? 'the layer is zstd-compressed and the zstd command is not installed: install it (Debian/Ubuntu: apt-get install zstd) and retry'
          : `cannot run zstd: ${e.message}`,
      ),
    ),
  );
  return stage;
}

async function magic(layer: LayerBlob): Promise<Buffer> {
  const fh = await fs.open(layer.file, 'r');
  try {
    const b = Buffer.alloc(6);
    const { bytesRead } = await fh.read(b, 0, Math.min(6, layer.length), layer.offset);
    return b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * Opens a layer as a tar entry stream. Gzip and zstd are recognised by their magic bytes
 * (registries and OCI layouts compress, `docker save` does not; zstd goes through the `zstd`
 * command). `finished` resolves after the digests were checked.
 */
async function openLayer(
  layer: LayerBlob,
  verify: boolean,
  onBytes: (n: number) => void,
): Promise<{ extract: tarStream.Extract; finished: Promise<void> }> {
  const m = await magic(layer);
  const hex = m.toString('hex');
  if (hex.startsWith('fd377a585a00') || hex.startsWith('425a68'))
    throw new EntryError('xz/bzip2-compressed layers are not supported');
  const gz = hex.startsWith('1f8b');
  const zstd = hex.startsWith('28b52ffd');
  const raw = createReadStream(layer.file, {
    start: layer.offset,
    end: layer.offset + layer.length - 1,
    highWaterMark: 256 * 1024,
  });
  const rawHash = verify && layer.digest ? createHash('sha256') : undefined;
  const tarHash = verify && layer.diffId ? createHash('sha256') : undefined;
  const extract = tarStream.extract();
  const stages: NodeJS.ReadWriteStream[] = [new Tap(rawHash, onBytes)];
  if (gz) stages.push(createGunzip());
  if (zstd) stages.push(zstdStage());
  if (tarHash) stages.push(new Tap(tarHash));
  const finished = pipeline([raw, ...stages, extract]).then(() => {
    const rawGot = rawHash ? `sha256:${rawHash.digest('hex')}` : undefined;
    const tarGot = tarHash ? `sha256:${tarHash.digest('hex')}` : undefined;
    if (rawGot && rawGot !== layer.digest)
      throw new EntryError(`digest mismatch: the data hashes to ${rawGot}, expected ${layer.digest ?? ''}`);
    if (tarGot && tarGot !== layer.diffId)
      throw new EntryError(
        `digest mismatch: the uncompressed layer hashes to ${tarGot}, expected ${layer.diffId ?? ''} (rootfs.diff_ids)`,
      );
  });
  // The iterator reports the same failure; this keeps the promise from being unhandled meanwhile.
  finished.catch(() => undefined);
  return { extract, finished };
}

function describe(layer: LayerBlob, i: number, n: number): string {
  return `layer ${i + 1}/${n} (${layer.id})`;
}

function wrap(e: unknown, image: string, layer: LayerBlob, i: number, n: number): Error {
  if (e instanceof ImageLayerError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const hint = /unexpected end|invalid tar header|end of file|incorrect header check/i.test(msg)
    ? ' (the layer is truncated or corrupt)'
    : '';
  return new ImageLayerError(`${image}: ${describe(layer, i, n)}: ${msg}${hint}`, image, layer.id);
}

/** Pass 1: reads all layers and decides what the merged file system contains. */
export async function planFlatten(layers: readonly LayerBlob[], opts: FlattenOptions): Promise<FlattenPlan> {
  const implied = (): Meta => ({ mode: 0o755, uid: 0, gid: 0, mtime: opts.epoch });
  const root: DirNode = { dir: true, children: new Map(), meta: implied() };
  const warnings: string[] = [];
  const base: number[] = [];
  let nextId = 0;
  let maxMtime = opts.epoch;

  const walk = (parts: readonly string[]): DirNode | undefined => {
    let d: DirNode = root;
    for (const p of parts) {
      const c = d.children.get(p);
      if (!c || !c.dir) return undefined;
      d = c;
    }
    return d;
  };
  const walkCreate = (parts: readonly string[], raw: string): DirNode => {
    let d: DirNode = root;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] ?? '';
      const c = d.children.get(p);
      if (!c) {
        const nd: DirNode = { dir: true, children: new Map(), meta: implied() };
        d.children.set(p, nd);
        d = nd;
      } else if (c.dir) d = c;
      else {
        const at = parts.slice(0, i + 1).join('/');
        throw new EntryError(
          c.type === 'symlink'
            ? `entry "${raw}" is below "${at}", which is a symbolic link: writing through it could leave the root, so the layer is refused`
            : `entry "${raw}" is below "${at}", which is not a directory`,
        );
      }
    }
    return d;
  };

  for (let li = 0; li < layers.length; li++) {
    const layer = layers[li] as LayerBlob;
    base.push(nextId);
    type Pending =
      | { kind: 'whiteout'; dir: string[]; name: string }
      | { kind: 'opaque'; dir: string[] }
      | {
          kind: 'entry';
          id: number;
          parts: string[];
          raw: string;
          type: TarEntryType;
          link?: string[];
          meta?: Meta;
        };
    const pending: Pending[] = [];
    try {
      if (opts.signal?.aborted) throw new Error('cancelled');
      const { extract, finished } = await openLayer(layer, true, (bytes) =>
        opts.onProgress?.({
          phase: 'scan',
          layer: li,
          layers: layers.length,
          id: layer.id,
          bytes,
          total: layer.length,
        }),
      );
      for await (const entry of extract) {
        const h = entry.header;
        entry.resume();
        const id = nextId++;
        if (opts.signal?.aborted) throw new Error('cancelled');
        const { parts, absolute } = sanitizeName(h.name);
        if (parts.length === 0) continue;
        if (Object.keys(h.pax ?? {}).some((k) => k.startsWith('GNU.sparse')))
          throw new EntryError(`entry "${h.name}": sparse files are not supported`);
        const type = typeOf(h, h.name);
        const mt = Math.floor((h.mtime?.getTime() ?? 0) / 1000);
        if (mt > maxMtime) maxMtime = mt;
        if (absolute) {
          const w = `${describe(layer, li, layers.length)}: absolute name "${h.name}" taken as relative to the root`;
          warnings.push(w);
          opts.onWarning?.(w);
        }
        const baseName = parts[parts.length - 1] ?? '';
        if (baseName.startsWith('.wh.')) {
          const dir = parts.slice(0, -1);
          if (baseName === '.wh..wh..opq') pending.push({ kind: 'opaque', dir });
          else if (!baseName.startsWith('.wh..wh.'))
            pending.push({ kind: 'whiteout', dir, name: baseName.slice(4) });
          continue;
        }
        const p: Pending = { kind: 'entry', id, parts, raw: h.name, type };
        if (type === 'link') p.link = sanitizeName(h.linkname ?? '').parts;
        if (type === 'directory') p.meta = metaOf(h);
        pending.push(p);
      }
      await finished;
      // Whiteouts hide what lower layers put there, never entries of their own layer.
      for (const p of pending) {
        if (p.kind === 'whiteout') walk(p.dir)?.children.delete(p.name);
        else if (p.kind === 'opaque') walk(p.dir)?.children.clear();
      }
      for (const p of pending) {
        if (p.kind !== 'entry') continue;
        const parent = walkCreate(p.parts.slice(0, -1), p.raw);
        const name = p.parts[p.parts.length - 1] ?? '';
        const existing = parent.children.get(name);
        if (p.type === 'directory') {
          if (existing?.dir) existing.meta = p.meta ?? implied();
          else parent.children.set(name, { dir: true, children: new Map(), meta: p.meta ?? implied() });
        } else if (p.type === 'link') {
          const lp = p.link ?? [];
          const target = lp.length ? walk(lp.slice(0, -1))?.children.get(lp[lp.length - 1] ?? '') : undefined;
          if (!target)
            throw new EntryError(`entry "${p.raw}": hard link target "${lp.join('/')}" does not exist`);
          if (target.dir)
            throw new EntryError(`entry "${p.raw}": hard link to the directory "${lp.join('/')}"`);
          parent.children.set(name, { dir: false, id: p.id, root: target.root, type: 'link' });
        } else {
          parent.children.set(name, { dir: false, id: p.id, root: p.id, type: p.type });
        }
      }
    } catch (e) {
      throw wrap(e, opts.image, layer, li, layers.length);
    }
  }

  // pvr's finishing steps: drop the qemu helper, make the mount points a read-only root needs.
  for (const f of STRIP_FILES) {
    const parts = f.split('/');
    walk(parts.slice(0, -1))?.children.delete(parts[parts.length - 1] ?? '');
  }
  for (const d of STRUCTURE_DIRS) {
    let cur: DirNode = root;
    for (const p of d.split('/')) {
      const c = cur.children.get(p);
      if (!c) {
        const nd: DirNode = { dir: true, children: new Map(), meta: implied() };
        cur.children.set(p, nd);
        cur = nd;
      } else if (c.dir) cur = c;
      else break; // A symbolic link (var/run -> /run) or a file: pvr's MkdirAll leaves it alone.
    }
  }

  for (const e of opts.exclude ?? []) {
    const parts = sanitizeName(e).parts;
    if (parts.length) walk(parts.slice(0, -1))?.children.delete(parts[parts.length - 1] ?? '');
  }

  // Collect directories (parents first, sorted) and the surviving entries.
  const dirs: FlattenPlan['dirs'] = [];
  const groups = new Map<number, { id: number; name: string }[]>();
  const visit = (d: DirNode, prefix: string): void => {
    const names = [...d.children.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const n of names) {
      const c = d.children.get(n) as Node;
      const path = prefix ? `${prefix}/${n}` : n;
      if (c.dir) {
        dirs.push({ name: path, meta: c.meta });
        visit(c, path);
      } else {
        const g = groups.get(c.root) ?? [];
        g.push({ id: c.id, name: path });
        groups.set(c.root, g);
      }
    }
  };
  visit(root, '');
  const emits = new Map<number, Emit>();
  for (const [rootId, members] of groups) {
    members.sort((a, b) => a.id - b.id);
    const carrier = members.find((m) => m.id === rootId) ?? members[0];
    if (!carrier) continue;
    emits.set(rootId, { name: carrier.name });
    for (const m of members)
      if (m.id !== rootId && m !== carrier) emits.set(m.id, { name: m.name, linkTo: carrier.name });
  }
  return { dirs, emits, base, entries: nextId, maxMtime, warnings };
}

/** Pass 2: the merged tar stream, to be piped into `mksquashfs -tar`. */
export function mergedTar(plan: FlattenPlan, layers: readonly LayerBlob[], opts: FlattenOptions): Readable {
  async function* generate(): AsyncGenerator<Buffer> {
    for (const d of plan.dirs) yield encodeHeader({ name: d.name, type: 'directory', size: 0, ...d.meta });
    for (let li = 0; li < layers.length; li++) {
      const layer = layers[li] as LayerBlob;
      try {
        const { extract, finished } = await openLayer(layer, false, (bytes) =>
          opts.onProgress?.({
            phase: 'write',
            layer: li,
            layers: layers.length,
            id: layer.id,
            bytes,
            total: layer.length,
          }),
        );
        let id = plan.base[li] ?? 0;
        for await (const entry of extract) {
          if (opts.signal?.aborted) throw new Error('cancelled');
          const emit = plan.emits.get(id++);
          if (!emit) {
            entry.resume();
            continue;
          }
          const h = entry.header;
          if (emit.linkTo !== undefined) {
            entry.resume();
            yield encodeHeader({
              ...metaOf(h),
              name: emit.name,
              type: 'link',
              size: 0,
              linkname: emit.linkTo,
            });
            continue;
          }
          const type = typeOf(h, h.name);
          const e: TarEntry = {
            ...metaOf(h),
            name: emit.name,
            type,
            size: type === 'file' ? (h.size ?? 0) : 0,
          };
          if (type === 'symlink') e.linkname = h.linkname ?? '';
          if (type === 'character-device' || type === 'block-device') {
            e.devmajor = h.devmajor ?? 0;
            e.devminor = h.devminor ?? 0;
          }
          yield encodeHeader(e);
          let n = 0;
          for await (const chunk of entry as AsyncIterable<Buffer>) {
            n += chunk.length;
            yield chunk;
          }
          if (n !== e.size)
            throw new EntryError(`entry "${h.name}": ${n} bytes of data, the header says ${e.size}`);
          yield padding(n);
        }
        await finished;
      } catch (e) {
        throw wrap(e, opts.image, layer, li, layers.length);
      }
    }
    yield TAR_END;
  }
  return Readable.from(generate(), { objectMode: false, highWaterMark: 1024 * 1024 });
}
