import { open, stat } from 'node:fs/promises';
import type { DiskFormat } from '../../core/qemu/QemuProfile';
import { PreviewError } from './PreviewError';

/** Compressed or archive formats people often pass by mistake, with the command that unpacks them. */
const WRAPPERS: { magic: number[]; what: string; fix: string }[] = [
  { magic: [0x1f, 0x8b], what: 'gzip-compressed', fix: 'gunzip -k FILE' },
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'xz-compressed', fix: 'xz -dk FILE' },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], what: 'zstd-compressed', fix: 'zstd -d FILE' },
  { magic: [0x42, 0x5a, 0x68], what: 'bzip2-compressed', fix: 'bunzip2 -k FILE' },
  { magic: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive', fix: 'unzip FILE' },
];

const startsWith = (buf: Buffer, magic: number[], at = 0): boolean =>
  buf.length >= at + magic.length && magic.every((b, i) => buf[at + i] === b);

/**
 * Checks that `path` is a disk image and returns its format. qcow2 is recognised by its magic;
 * raw images by a partition table (MBR or GPT), a known filesystem (squashfs, ext2/3/4, FAT), or
 * at least by a size that is a whole number of 512-byte sectors. Compressed images and text files
 * are refused with a message that says how to fix them.
 */
export async function inspectDiskImage(path: string, declared?: DiskFormat): Promise<DiskFormat> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile() && !st.isBlockDevice()) {
      throw new PreviewError(
        'not-a-disk-image',
        `${path} is not a file; "image" must be a raw or qcow2 disk image.`,
      );
    }
    size = st.size;
  } catch (e) {
    if (e instanceof PreviewError) throw e;
    throw new PreviewError(
      'image-missing',
      `The disk image ${path} does not exist. Fix "image" in the profile (pantavisor.qemu.profiles) or the --image flag.`,
    );
  }
  const head = Buffer.alloc(4096);
  const fh = await open(path, 'r');
  let n: number;
  try {
    n = (await fh.read(head, 0, head.length, 0)).bytesRead;
  } finally {
    await fh.close();
  }
  const buf = head.subarray(0, n);
  const isQcow2 = startsWith(buf, [0x51, 0x46, 0x49, 0xfb]);
  if (isQcow2) {
    if (declared === 'raw') {
      throw new PreviewError(
        'not-a-disk-image',
        `${path} is a qcow2 image but the profile says "format": "raw"; set "format": "qcow2" or remove it.`,
      );
    }
    return 'qcow2';
  }
  for (const w of WRAPPERS) {
    if (startsWith(buf, w.magic)) {
      throw new PreviewError(
        'not-a-disk-image',
        `${path} is ${w.what}, not a disk image. Unpack it first (${w.fix.replace('FILE', path)}) and point "image" at the result.`,
      );
    }
  }
  if (declared === 'qcow2') {
    throw new PreviewError(
      'not-a-disk-image',
      `${path} has no qcow2 header; set "format": "raw" if it is a raw image.`,
    );
  }
  const mbr = buf.length >= 512 && buf[510] === 0x55 && buf[511] === 0xaa;
  const gpt = buf.toString('latin1', 512, 520) === 'EFI PART';
  const squashfs = buf.toString('latin1', 0, 4) === 'hsqs';
  const ext = buf.length >= 1082 && buf[1080] === 0x53 && buf[1081] === 0xef;
  if (mbr || gpt || squashfs || ext) return 'raw';
  if (size >= 512 && size % 512 === 0 && !looksLikeText(buf)) return 'raw';
  throw new PreviewError(
    'not-a-disk-image',
    `${path} is not a disk image (no partition table or filesystem, ${size} bytes${looksLikeText(buf) ? ', looks like text' : ''}). ` +
      'Point "image" at a raw or qcow2 disk image, or use "kernel" and "initrd" instead.',
  );
}

function looksLikeText(buf: Buffer): boolean {
  if (buf.length === 0) return true;
  let printable = 0;
  for (const b of buf) if (b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127)) printable++;
  return printable / buf.length > 0.95;
}
