import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
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
    skip: `missing ${missing.join(', ')} (apt-get install squashfs-tools podman runc docker-registry skopeo zstd)`,
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

export async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

export type Mode = 'pass' | 'token' | '401' | '404' | '500' | 'close-mid-blob' | 'corrupt-blob';

/**
 * A proxy in front of the real registry that can demand token auth or misbehave, as registries
 * and networks do. It also serves the token endpoint (`/token`, Basic user:secret). With
 * `mode.only`, only requests whose path contains it misbehave.
 */
export function startProxy(
  upstream: number,
): Promise<{ port: number; mode: { value: Mode; only?: string }; server: http.Server }> {
  const mode: { value: Mode; only?: string } = { value: 'pass' };
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (url.startsWith('/token')) {
      const ok = req.headers.authorization === `Basic ${Buffer.from('user:secret').toString('base64')}`;
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(ok ? JSON.stringify({ token: 'tok-123' }) : '{"errors":[{"code":"UNAUTHORIZED"}]}');
      return;
    }
    const m = mode.only && !url.includes(mode.only) ? 'pass' : mode.value;
    if (url.startsWith('/v2/') && url !== '/v2/') {
      if (m === '401' || (m === 'token' && req.headers.authorization !== 'Bearer tok-123')) {
        res.writeHead(401, {
          'www-authenticate': `Bearer realm="${base}/token",service="test",scope="repository:test/img:pull"`,
        });
        res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
        return;
      }
      if (m === '404') return void res.writeHead(404).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
      if (m === '500') return void res.writeHead(500).end('internal error');
    }
    const up = http.request(
      {
        host: '127.0.0.1',
        port: upstream,
        path: url,
        method: req.method,
        headers: { ...req.headers, host: `127.0.0.1:${upstream}` },
      },
      (ur) => {
        const isLayerBlob = url.includes('/blobs/') && Number(ur.headers['content-length']) > 2000;
        res.writeHead(ur.statusCode ?? 500, ur.headers);
        if (isLayerBlob && m === 'close-mid-blob') {
          let sent = 0;
          ur.on('data', (c: Buffer) => {
            if (sent < 1000) res.write(c.subarray(0, 1000 - sent));
            sent += c.length;
            if (sent >= 1000) res.destroy();
          });
          return;
        }
        if (isLayerBlob && m === 'corrupt-blob') {
          let first = true;
          ur.on('data', (c: Buffer) => {
            const b = Buffer.from(c);
            if (first) b[b.length - 1] = (b[b.length - 1] ?? 0) ^ 0xff;
            first = false;
            res.write(b);
          });
          ur.on('end', () => res.end());
          return;
        }
        ur.pipe(res);
      },
    );
    req.pipe(up);
  });
  return new Promise((r) =>
    server.listen(0, '127.0.0.1', () => r({ port: (server.address() as AddressInfo).port, mode, server })),
  );
}

/**
 * PUTs a Docker manifest list `<repo>:<tag>` over the images `<repo>:<arch>` already pushed to
 * the registry on 127.0.0.1:`port` (one entry per architecture, linux).
 */
export async function putManifestList(
  port: number,
  repo: string,
  tag: string,
  archs: string[],
): Promise<void> {
  const list = {
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
    manifests: archs.map((a) => {
      const raw = sh('skopeo', [
        'inspect',
        '--raw',
        '--tls-verify=false',
        `docker://127.0.0.1:${port}/${repo}:${a}`,
      ]);
      return {
        mediaType: (JSON.parse(raw) as { mediaType: string }).mediaType,
        digest: `sha256:${sha256hex(Buffer.from(raw))}`,
        size: Buffer.byteLength(raw),
        platform: { architecture: a, os: 'linux' },
      };
    }),
  };
  await new Promise<void>((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'PUT',
        path: `/v2/${repo}/manifests/${tag}`,
        headers: { 'content-type': list.mediaType },
      },
      (res) =>
        res.statusCode === 201 ? resolve() : reject(new Error(`PUT manifest list: ${res.statusCode}`)),
    );
    req.end(JSON.stringify(list));
  });
}

/**
 * `podman system service` on a socket in `dir`, with its storage there too (vfs) and the settings
 * of test-environment.md §2 (runc, lowered ulimits). `podman` runs podman on the same storage.
 */
export async function startPodman(dir: string): Promise<{
  host: string;
  podman: (args: string[], cwd?: string) => string;
  proc: ChildProcess;
}> {
  writeFileSync(
    join(dir, 'containers.conf'),
    '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n[engine]\nruntime = "runc"\n',
  );
  const env = { ...process.env, CONTAINERS_CONF: join(dir, 'containers.conf') };
  const base = ['--root', join(dir, 'storage'), '--runroot', join(dir, 'runroot'), '--storage-driver', 'vfs'];
  const podman = (args: string[], cwd?: string): string =>
    sh('podman', [...base, ...args], { env, ...(cwd ? { cwd } : {}) });
  const host = `unix://${join(dir, 'podman.sock')}`;
  const proc = spawn('podman', [...base, 'system', 'service', '--time=0', host], { env, stdio: 'ignore' });
  for (let i = 0; i < 200 && !existsSync(join(dir, 'podman.sock')); i++)
    await new Promise((r) => setTimeout(r, 100));
  return { host, podman, proc };
}

/** Debian's docker-registry (the distribution registry) on 127.0.0.1, storing into `dir`. */
export async function startRegistry(dir: string): Promise<{ port: number; proc: ChildProcess }> {
  const port = await freePort();
  writeFileSync(
    join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n`,
  );
  const proc = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((r) =>
      http
        .get(`http://127.0.0.1:${port}/v2/`, (res) => r(res.statusCode === 200))
        .on('error', () => r(false)),
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, proc };
}
