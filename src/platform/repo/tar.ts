/**
 * The USTAR subset pvr's exports use (pvr-repo.md §9.1): 512-byte headers, regular files only,
 * two zero blocks at the end. Reading accepts directories (skipped) and the ustar prefix field.
 */

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

/** A USTAR header exactly as Go's `archive/tar` writes it for pvr. */
export function tarHeader(name: string, size: number, mode: number, mtimeSec: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode & 0o7777, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(mtimeSec, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write('0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write(octal(0, 8), 329, 'ascii');
  h.write(octal(0, 8), 337, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

/** Zero bytes that pad `size` bytes of data to a whole block. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((512 - (size % 512)) % 512);
}

export const TAR_END = Buffer.alloc(1024);

/** A parsed header. */
export interface TarEntry {
  name: string;
  size: number;
  mode: number;
  type: string;
}

function readOctal(b: Buffer, off: number, len: number): number {
  const s = b
    .subarray(off, off + len)
    .toString('ascii')
    .replace(/[\0 ]+$/g, '')
    .trim();
  return s ? Number.parseInt(s, 8) : 0;
}

function cstr(b: Buffer, off: number, len: number): string {
  const s = b.subarray(off, off + len);
  const z = s.indexOf(0);
  return (z >= 0 ? s.subarray(0, z) : s).toString('utf8');
}

/** Thrown with Go's `archive/tar` texts. */
export class TarError extends Error {}

/**
 * Parses a header block; returns null for a zero block (end of archive). Throws
 * `archive/tar: invalid tar header` when the checksum does not match.
 */
export function parseTarHeader(h: Buffer): TarEntry | null {
  if (h.every((b) => b === 0)) return null;
  const stored = readOctal(h, 148, 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] ?? 0);
  if (stored !== sum) throw new TarError('archive/tar: invalid tar header');
  const prefix = h.subarray(257, 263).toString('ascii').startsWith('ustar') ? cstr(h, 345, 155) : '';
  const name = cstr(h, 0, 100);
  return {
    name: prefix ? `${prefix}/${name}` : name,
    size: readOctal(h, 124, 12),
    mode: readOctal(h, 100, 8),
    type: String.fromCharCode(h[156] ?? 0),
  };
}
