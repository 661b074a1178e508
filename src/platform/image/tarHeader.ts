/**
 * Writing tar headers for the merged layer stream. tar-stream's packer cannot write uids above
 * 262143, large sizes or extended attributes, so headers are written here: ustar, plus a PAX
 * extended header when a field does not fit (long or non-ASCII names, big ids and sizes, xattrs).
 */

export type TarEntryType =
  'file' | 'link' | 'symlink' | 'character-device' | 'block-device' | 'directory' | 'fifo';

export interface TarEntry {
  /** Path relative to the root, without leading `/` or `./`, without a trailing `/`. */
  name: string;
  type: TarEntryType;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  uname?: string;
  gname?: string;
  /** Seconds since the epoch. */
  mtime: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /** PAX records to carry over unchanged, e.g. `SCHILY.xattr.security.capability`. */
  pax?: Record<string, string>;
}

const TYPEFLAG: Record<TarEntryType, string> = {
  file: '0',
  link: '1',
  symlink: '2',
  'character-device': '3',
  'block-device': '4',
  directory: '5',
  fifo: '6',
};

/** End of archive: two zero blocks. */
export const TAR_END = Buffer.alloc(1024);

export function padding(size: number): Buffer {
  const r = size % 512;
  return r === 0 ? Buffer.alloc(0) : Buffer.alloc(512 - r);
}

function octal(buf: Buffer, off: number, len: number, value: number): boolean {
  const s = Math.max(0, Math.floor(value)).toString(8);
  if (s.length > len - 1) return false;
  buf.write(s.padStart(len - 1, '0'), off, 'ascii');
  buf[off + len - 1] = 0;
  return true;
}

function fitsAscii(s: string, max: number): boolean {
  // eslint-disable-next-line no-control-regex
  return s.length <= max && /^[\x01-\x7f]*$/.test(s);
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  const bodyLen = Buffer.byteLength(body);
  let len = bodyLen + String(bodyLen).length;
  if (String(len).length !== String(len - bodyLen).length) len = bodyLen + String(len).length;
  return Buffer.from(`${len}${body}`);
}

function ustar(
  name: string,
  typeflag: string,
  e: Pick<TarEntry, 'mode' | 'uid' | 'gid' | 'mtime' | 'uname' | 'gname' | 'devmajor' | 'devminor'>,
  size: number,
  linkname: string,
  overflow: (key: string, value: string) => void,
): Buffer {
  const b = Buffer.alloc(512);
  b.write(name.slice(0, 100), 0, 'utf8');
  octal(b, 100, 8, e.mode & 0o7777);
  if (!octal(b, 108, 8, e.uid)) overflow('uid', String(e.uid));
  if (!octal(b, 116, 8, e.gid)) overflow('gid', String(e.gid));
  if (!octal(b, 124, 12, size)) overflow('size', String(size));
  if (!octal(b, 136, 12, e.mtime)) overflow('mtime', String(Math.floor(e.mtime)));
  b.write(typeflag, 156, 'ascii');
  b.write(linkname.slice(0, 100), 157, 'utf8');
  b.write('ustar\u000000', 257, 'ascii');
  if (e.uname) b.write(e.uname.slice(0, 31), 265, 'utf8');
  if (e.gname) b.write(e.gname.slice(0, 31), 297, 'utf8');
  octal(b, 329, 8, e.devmajor ?? 0);
  octal(b, 337, 8, e.devminor ?? 0);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(sum.toString(8).padStart(6, '0'), 148, 'ascii');
  b[154] = 0;
  b[155] = 0x20;
  return b;
}

/** Encodes the header block(s) of one entry: an optional PAX header, then the ustar header. */
export function encodeHeader(e: TarEntry): Buffer {
  const name = e.type === 'directory' ? `${e.name}/` : e.name;
  const linkname = e.linkname ?? '';
  const records: Buffer[] = [];
  const add = (k: string, v: string): void => {
    records.push(paxRecord(k, v));
  };
  if (!fitsAscii(name, 100)) add('path', name);
  if (!fitsAscii(linkname, 100)) add('linkpath', linkname);
  const main = ustar(name, TYPEFLAG[e.type], e, e.size, linkname, add);
  for (const [k, v] of Object.entries(e.pax ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    add(k, v);
  if (records.length === 0) return main;
  const body = Buffer.concat(records);
  const paxName = `PaxHeaders/${fitsAscii(e.name, 80) ? e.name : 'entry'}`;
  const head = ustar(paxName, 'x', { ...e, uid: 0, gid: 0, mode: 0o644 }, body.length, '', () => undefined);
  return Buffer.concat([head, body, padding(body.length), main]);
}
