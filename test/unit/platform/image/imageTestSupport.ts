import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tarStream from 'tar-stream';

/** `{ skip }` for node:test when a tool is missing, said loudly. */
export function needsTools(...tools: string[]): { skip?: string } {
  const missing = tools.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
  if (missing.length === 0) return {};
  process.stderr.write(
    `\n!!! MISSING TOOLS: ${missing.join(', ')}; image tests that need them are SKIPPED !!!\n\n`,
  );
  return {
    skip: `missing ${missing.join(', ')} (apt-get install squashfs-tools podman runc docker-registry skopeo)`,
  };
}

export const isRoot = process.getuid?.() === 0;

export function tmp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `pvkit-${prefix}-`));
}

export function sh(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: Buffer } = {},
): string {
  const r = spawnSync(cmd, args, { ...opts, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr?.toString() ?? ''}${r.error?.message ?? ''}`,
    );
  return r.stdout.toString();
}

/** `unsquashfs -lln` without the date and time columns: mode, owner, size, path, link target. */
export function listing(sqfs: string): string[] {
  return sh('unsquashfs', ['-lln', sqfs])
    .split('\n')
    .filter(Boolean)
    .map((l) =>
      l
        .replace(/^(\S+\s+\S+\s+(?:\d+,\s*)?\d+)\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+/, '$1 ')
        .replace(/^(\S+)\s+(\S+)\s+/, '$1 $2 '),
    )
    .sort();
}

export interface RawEntry {
  name: string;
  type?: tarStream.Header['type'];
  data?: Buffer | string;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  devmajor?: number;
  devminor?: number;
  /** Write a raw typeflag instead (e.g. 'S' for GNU sparse). */
  rawType?: string;
  pax?: Record<string, string>;
}

/**
 * Builds a layer tar with tar-stream's packer (not our writer), so malformed and hostile entries
 * can be written exactly as an attacker would.
 */
export async function buildTar(entries: RawEntry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((res) => pack.on('end', () => res()));
  for (const e of entries) {
    const data = e.data === undefined ? undefined : Buffer.from(e.data);
    const h: tarStream.Header = {
      name: e.name,
      type: e.type ?? 'file',
      size: data?.length ?? 0,
      mode: e.mode ?? (e.type === 'directory' ? 0o755 : 0o644),
      mtime: new Date(1_600_000_000_000),
      linkname: e.linkname ?? '',
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
      uname: '',
      gname: '',
      devmajor: e.devmajor ?? 0,
      devminor: e.devminor ?? 0,
    };
    if (e.pax) h.pax = e.pax;
    await new Promise<void>((res, rej) =>
      pack.entry(h, data ?? Buffer.alloc(0), (err) => (err ? rej(err) : res())),
    );
  }
  pack.finalize();
  await done;
  const out = Buffer.concat(chunks);
  // Patch typeflags where requested (tar-stream cannot write them), fixing the checksum.
  let off = 0;
  for (const e of entries) {
    while (off < out.length && out[off + 156] === 0x78 /* x */) {
      const size = parseInt(out.toString('ascii', off + 124, off + 135), 8);
      off += 512 + Math.ceil(size / 512) * 512;
    }
    if (e.rawType) {
      out.write(e.rawType, off + 156, 'ascii');
      out.fill(0x20, off + 148, off + 156);
      let sum = 0;
      for (let i = off; i < off + 512; i++) sum += out[i] ?? 0;
      out.write(`${sum.toString(8).padStart(6, '0')}\0 `, off + 148, 'ascii');
    }
    const size = parseInt(out.toString('ascii', off + 124, off + 135), 8) || 0;
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

export function sha256hex(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/**
 * Writes a `docker save`-style archive (manifest.json, config, layer tars) from layer tars, the
 * way `docker save` lays it out; the diff_ids are the layers' real digests unless overridden.
 */
export async function writeDockerArchive(
  file: string,
  layers: Buffer[],
  opts: {
    repoTag?: string;
    diffIds?: string[];
    config?: Record<string, unknown>;
    architecture?: string;
  } = {},
): Promise<string> {
  const config = Buffer.from(
    JSON.stringify({
      architecture: opts.architecture ?? 'amd64',
      os: 'linux',
      created: '2024-01-02T03:04:05Z',
      config: opts.config ?? { Cmd: ['/bin/sh'], Env: ['PATH=/bin'] },
      rootfs: { type: 'layers', diff_ids: opts.diffIds ?? layers.map((l) => `sha256:${sha256hex(l)}`) },
    }),
  );
  const id = sha256hex(config);
  const entries: RawEntry[] = [{ name: `${id}.json`, data: config }];
  const names: string[] = [];
  layers.forEach((l, i) => {
    const n = `layer${i}/layer.tar`;
    names.push(n);
    entries.push({ name: n, data: l });
  });
  entries.push({
    name: 'manifest.json',
    data: JSON.stringify([
      { Config: `${id}.json`, RepoTags: opts.repoTag ? [opts.repoTag] : null, Layers: names },
    ]),
  });
  writeFileSync(file, await buildTar(entries));
  return `sha256:${id}`;
}

export function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}
