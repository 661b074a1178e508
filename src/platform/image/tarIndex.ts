import { promises as fs } from 'node:fs';

/** Where one member of an uncompressed tar file lies, so it can be streamed without extracting. */
export interface TarMember {
  name: string;
  type: string;
  /** Byte offset of the member's data in the file. */
  offset: number;
  size: number;
  linkname: string;
}

function field(b: Buffer, off: number, len: number): string {
  const end = b.indexOf(0, off);
  return b.toString('utf8', off, end >= 0 && end < off + len ? end : off + len);
}

function num(b: Buffer, off: number, len: number): number {
  if ((b[off] ?? 0) & 0x80) {
    let v = 0;
    for (let i = off + 1; i < off + len; i++) v = v * 256 + (b[i] ?? 0);
    return v;
  }
  const s = field(b, off, len).trim();
  return s ? parseInt(s, 8) : 0;
}

function normalize(name: string): string {
  return name
    .replace(/^(\.\/)+/, '')
    .replace(/^\/+/, '')
    .replace(/\/+$/, '');
}

/**
 * Lists the members of an uncompressed tar file (a `docker save` tarball or an OCI archive) by
 * reading headers and seeking over data, so a 2 GB archive is indexed with a few reads.
 * Throws a message naming the file on a bad checksum or a member running past the end.
 */
export async function indexTar(file: string, maxMembers = 1_000_000): Promise<Map<string, TarMember>> {
  const fh = await fs.open(file, 'r');
  try {
    const { size: fileSize } = await fh.stat();
    const out = new Map<string, TarMember>();
    const block = Buffer.alloc(512);
    let pos = 0;
    let longName: string | undefined;
    let longLink: string | undefined;
    let pax: Record<string, string> = {};
    while (pos + 512 <= fileSize) {
      const { bytesRead } = await fh.read(block, 0, 512, pos);
      if (bytesRead < 512) break;
      if (block.every((x) => x === 0)) break;
      let sum = 0;
      for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
      if (sum !== num(block, 148, 8))
        throw new Error(`${file}: not a tar file or corrupt (bad header checksum at byte ${pos})`);
      const type = String.fromCharCode(block[156] || 0x30);
      const size = num(block, 124, 12);
      const dataOff = pos + 512;
      if (dataOff + size > fileSize)
        throw new Error(
          `${file}: truncated (member at byte ${pos} needs ${size} bytes, the file ends first)`,
        );
      pos = dataOff + Math.ceil(size / 512) * 512;
      if (type === 'L' || type === 'K' || type === 'x') {
        if (size > 1024 * 1024)
          throw new Error(`${file}: oversized extended header at byte ${dataOff - 512}`);
        const buf = Buffer.alloc(size);
        await fh.read(buf, 0, size, dataOff);
        if (type === 'L') longName = field(buf, 0, size);
        else if (type === 'K') longLink = field(buf, 0, size);
        else pax = parsePax(buf);
        continue;
      }
      if (type === 'g') continue;
      const prefix = field(block, 345, 155);
      const ustarName = field(block, 0, 100);
      const isUstar = block.toString('ascii', 257, 262) === 'ustar';
      const name = pax['path'] ?? longName ?? (isUstar && prefix ? `${prefix}/${ustarName}` : ustarName);
      const linkname = pax['linkpath'] ?? longLink ?? field(block, 157, 100);
      const realSize = pax['size'] !== undefined ? Number(pax['size']) : size;
      out.set(normalize(name), { name: normalize(name), type, offset: dataOff, size: realSize, linkname });
      if (out.size > maxMembers) throw new Error(`${file}: more than ${maxMembers} members`);
      longName = longLink = undefined;
      pax = {};
    }
    return out;
  } finally {
    await fh.close();
  }
}

export function parsePax(buf: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < buf.length) {
    const sp = buf.indexOf(0x20, i);
    if (sp < 0) break;
    const len = parseInt(buf.toString('ascii', i, sp), 10);
    if (!(len > 0) || i + len > buf.length) break;
    const rec = buf.toString('utf8', sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}
