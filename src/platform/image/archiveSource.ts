import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { ArchiveRef, Platform } from '../../core/image/imageRef';
import type { Json } from '../../core/image/srcJson';
import type { LayerBlob } from './flattenLayers';
import {
  asManifest,
  createdEpoch,
  isIndex,
  parseJsonObject,
  selectFromIndex,
  sha256,
  verifyDigest,
  type Descriptor,
  type ImageConfig,
  type ImageIndex,
} from './manifest';
import { ImageNotFound, type ResolvedImage } from './ResolvedImage';
import { indexTar, type TarMember } from './tarIndex';

/** Random access to the files of an archive: a folder, or the members of a tar file. */
interface FileSet {
  /** A byte range holding the named file; undefined when absent. */
  locate(name: string): Promise<{ file: string; offset: number; length: number } | undefined>;
  read(name: string, max?: number): Promise<Buffer>;
}

function folderSet(dir: string): FileSet {
  const locate = async (
    name: string,
  ): Promise<{ file: string; offset: number; length: number } | undefined> => {
    const norm = posix.normalize(name);
    if (norm.startsWith('../') || norm.startsWith('/')) return undefined;
    const file = join(dir, norm);
    try {
      const st = await fs.stat(file);
      return st.isFile() ? { file, offset: 0, length: st.size } : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    locate,
    async read(name, max = 64 * 1024 * 1024) {
      const loc = await locate(name);
      if (!loc) throw new Error(`${dir}: ${name} is missing`);
      if (loc.length > max) throw new Error(`${dir}: ${name} is too large (${loc.length} bytes)`);
      return fs.readFile(loc.file);
    },
  };
}

async function tarSet(file: string): Promise<FileSet> {
  const members = await indexTar(file);
  const resolve = (name: string, depth = 0): TarMember | undefined => {
    const m = members.get(posix.normalize(name).replace(/^\.\//, ''));
    if (!m || depth > 8) return m;
    // `docker save` (legacy layout) deduplicates identical layers with links.
    if (m.type === '1') return resolve(m.linkname, depth + 1);
    if (m.type === '2') return resolve(posix.join(posix.dirname(m.name), m.linkname), depth + 1);
    return m;
  };
  const locate = (name: string): Promise<{ file: string; offset: number; length: number } | undefined> => {
    const m = resolve(name);
    return Promise.resolve(
      m && (m.type === '0' || m.type === '\0') ? { file, offset: m.offset, length: m.size } : undefined,
    );
  };
  return {
    locate,
    async read(name, max = 64 * 1024 * 1024) {
      const loc = await locate(name);
      if (!loc) throw new Error(`${file}: the archive has no ${name}`);
      if (loc.length > max) throw new Error(`${file}: ${name} is too large (${loc.length} bytes)`);
      const fh = await fs.open(file, 'r');
      try {
        const b = Buffer.alloc(loc.length);
        await fh.read(b, 0, loc.length, loc.offset);
        return b;
      } finally {
        await fh.close();
      }
    },
  };
}

/** A gzip-compressed archive is decompressed into the work folder first (tar needs seeking). */
async function openTarArchive(path: string, workDir: string): Promise<FileSet> {
  const fh = await fs.open(path, 'r');
  const head = Buffer.alloc(2);
  try {
    await fh.read(head, 0, 2, 0);
  } finally {
    await fh.close();
  }
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const plain = join(workDir, 'archive.tar');
    await pipeline(createReadStream(path), createGunzip(), createWriteStream(plain));
    return tarSet(plain);
  }
  return tarSet(path);
}

function splitNameTag(repoTag: string): { name: string; tag: string } {
  const i = repoTag.lastIndexOf(':');
  return i > repoTag.lastIndexOf('/')
    ? { name: repoTag.slice(0, i), tag: repoTag.slice(i + 1) }
    : { name: repoTag, tag: 'latest' };
}

function archiveName(path: string): string {
  return basename(path).replace(/\.(tar|tgz|tar\.gz|oci)$/i, '') || 'image';
}

/** A docker-save tarball (`manifest.json` + config + layer tars). */
export async function resolveDockerArchive(
  file: string,
  want: string | undefined,
  source: string,
  display: string,
  workDir: string,
  override?: { dockerName: string; dockerTag?: string; dockerDigest: string; config?: Record<string, Json> },
): Promise<ResolvedImage> {
  const set = await openTarArchive(file, workDir);
  const manifest = JSON.parse((await set.read('manifest.json')).toString('utf8')) as unknown;
  if (!Array.isArray(manifest) || manifest.length === 0)
    throw new Error(`${display}: manifest.json lists no image; is this a "docker save" archive?`);
  type Entry = { Config: string; RepoTags?: string[] | null; Layers: string[] };
  const entries = manifest as Entry[];
  let entry: Entry | undefined;
  if (want) {
    const w = want.includes(':') && want.lastIndexOf(':') > want.lastIndexOf('/') ? want : `${want}:latest`;
    entry = entries.find((e) => (e.RepoTags ?? []).some((t) => t === w || t.endsWith(`/${w}`)));
    if (!entry)
      throw new ImageNotFound(
        `${display}: no image tagged ${w} in the archive (it has ${entries.flatMap((e) => e.RepoTags ?? []).join(', ') || 'untagged images'})`,
      );
  } else if (entries.length === 1) entry = entries[0];
  else
    throw new Error(
      `${display}: the archive holds ${entries.length} images; name one, e.g. docker-archive:${file}:${entries[0]?.RepoTags?.[0] ?? 'name:tag'}`,
    );
  const e = entry as Entry;
  const configBytes = await set.read(e.Config);
  const m = /([a-f0-9]{64})(\.json)?$/.exec(e.Config);
  if (m) verifyDigest(configBytes, `sha256:${m[1]}`, `${display}: ${e.Config}`);
  const config = parseJsonObject(configBytes, `${display}: ${e.Config}`) as ImageConfig;
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length && diffIds.length !== e.Layers.length)
    throw new Error(
      `${display}: the config lists ${diffIds.length} layers, manifest.json ${e.Layers.length}`,
    );
  const repoTag = e.RepoTags?.[0];
  const nt = repoTag ? splitNameTag(repoTag) : { name: archiveName(file), tag: 'latest' };
  return {
    display,
    dockerName: override?.dockerName ?? nt.name,
    ...(override ? (override.dockerTag ? { dockerTag: override.dockerTag } : {}) : { dockerTag: nt.tag }),
    dockerDigest: override?.dockerDigest ?? sha256(configBytes),
    source,
    config: override?.config ?? config.config ?? {},
    epoch: createdEpoch(config),
    async fetchLayers() {
      const out: LayerBlob[] = [];
      for (let i = 0; i < e.Layers.length; i++) {
        const name = e.Layers[i] ?? '';
        const loc = await set.locate(name);
        if (!loc)
          throw new Error(
            `${display}: layer ${i + 1}/${e.Layers.length} (${name}) is missing from the archive`,
          );
        const blob: LayerBlob = { id: diffIds[i] ?? name, ...loc };
        if (diffIds[i]) blob.diffId = diffIds[i];
        out.push(blob);
      }
      return out;
    },
  };
}

/**
 * Resolves an image in an OCI layout given its blob store: index → (platform) → manifest →
 * config and layers. Used for OCI folders, OCI archives and (through `fetch`) registries.
 */
async function resolveOciLayout(
  set: FileSet,
  want: string | undefined,
  platform: Platform | undefined,
  source: string,
  display: string,
  defaultName: string,
): Promise<ResolvedImage> {
  const blob = async (d: Descriptor, what: string): Promise<Buffer> => {
    const [alg, hex] = d.digest.split(':');
    if (!alg || !hex || !/^[a-f0-9]+$/.test(hex)) throw new Error(`${display}: bad digest "${d.digest}"`);
    const b = await set.read(`blobs/${alg}/${hex}`);
    verifyDigest(b, d.digest, `${display}: ${what} ${d.digest}`);
    return b;
  };
  const top = parseJsonObject(
    await set.read('index.json'),
    `${display}: index.json`,
  ) as unknown as ImageIndex;
  if (!Array.isArray(top.manifests)) throw new Error(`${display}: index.json has no manifests`);
  const refName = (d: Descriptor): string | undefined => d.annotations?.['org.opencontainers.image.ref.name'];
  let d: Descriptor | undefined;
  if (want) {
    d = top.manifests.find((m) => refName(m) === want || refName(m)?.endsWith(`:${want}`));
    if (!d)
      throw new ImageNotFound(
        `${display}: no image named "${want}" (index.json has ${top.manifests.map(refName).filter(Boolean).join(', ') || 'no names'})`,
      );
  } else if (top.manifests.length === 1) d = top.manifests[0];
  else
    throw new Error(
      `${display}: the layout holds ${top.manifests.length} images; add :NAME to the reference`,
    );
  const chosen = d as Descriptor;
  let doc = parseJsonObject(await blob(chosen, 'manifest'), `${display}: manifest`);
  let platformName: string | undefined;
  let digest = chosen.digest;
  if (isIndex(doc, chosen.mediaType)) {
    const sel = selectFromIndex(doc as unknown as ImageIndex, platform, display);
    platformName = sel.platform;
    digest = sel.descriptor.digest;
    doc = parseJsonObject(await blob(sel.descriptor, 'manifest'), `${display}: manifest`);
  }
  const manifest = asManifest(doc, display);
  const config = parseJsonObject(await blob(manifest.config, 'config'), `${display}: config`) as ImageConfig;
  const diffIds = config.rootfs?.diff_ids ?? [];
  const ref = refName(chosen);
  const nt =
    ref && /[:/]/.test(ref) ? splitNameTag(ref) : { name: defaultName, tag: ref ?? want ?? 'latest' };
  const r: ResolvedImage = {
    display,
    dockerName: nt.name,
    dockerTag: nt.tag,
    dockerDigest: `${nt.name}@${digest}`,
    source,
    config: config.config ?? {},
    epoch: createdEpoch(config),
    async fetchLayers() {
      const out: LayerBlob[] = [];
      for (let i = 0; i < manifest.layers.length; i++) {
        const l = manifest.layers[i] as Descriptor;
        const [alg, hex] = l.digest.split(':');
        const loc =
          alg && hex && /^[a-f0-9]+$/.test(hex) ? await set.locate(`blobs/${alg}/${hex}`) : undefined;
        if (!loc)
          throw new Error(`${display}: layer ${i + 1}/${manifest.layers.length} (${l.digest}) is missing`);
        const lb: LayerBlob = { id: l.digest, ...loc, digest: l.digest };
        if (diffIds[i]) lb.diffId = diffIds[i];
        out.push(lb);
      }
      return out;
    },
  };
  if (platformName) r.dockerPlatform = platformName;
  return r;
}

/** Resolves `docker-archive:`, `oci-archive:` and `oci:` references relative to `cwd`. */
export async function resolveArchive(
  ref: ArchiveRef,
  cwd: string,
  platform: Platform | undefined,
  workDir: string,
): Promise<ResolvedImage> {
  const path = ref.path.startsWith('/') ? ref.path : join(cwd, ref.path);
  try {
    await fs.access(path);
  } catch {
    throw new ImageNotFound(`${ref.raw}: ${path} does not exist`);
  }
  const source = ref.raw;
  if (ref.kind === 'docker-archive') return resolveDockerArchive(path, ref.ref, source, ref.raw, workDir);
  const set = ref.kind === 'oci' ? folderSet(path) : await openTarArchive(path, workDir);
  return resolveOciLayout(
    set,
    ref.ref,
    platform,
    source,
    ref.raw,
    archiveName(ref.kind === 'oci' ? dirname(`${path}/x`) : path),
  );
}
