import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Platform, RegistryRef } from '../../core/image/imageRef';
import { ImageLayerError, type LayerBlob } from './flattenLayers';
import {
  asManifest,
  createdEpoch,
  isIndex,
  parseJsonObject,
  selectFromIndex,
  sha256,
  verifyDigest,
  type ImageConfig,
  type ImageIndex,
} from './manifest';
import { RegistryClient, RegistryError, type RegistryAuth } from './registryClient';
import { ImageNotFound, type ResolvedImage } from './ResolvedImage';

/**
 * pvr's "remote" source: the manifest (a list is narrowed to `platform` as pvr does), the config
 * blob for docker_config, and `<name>@<manifest digest>` as docker_digest. Every manifest and
 * blob is checked against its digest; a pinned reference (`name@sha256:…`) must match exactly.
 */
export async function resolveRegistryImage(
  ref: RegistryRef,
  platform: Platform | undefined,
  auth: RegistryAuth,
  signal?: AbortSignal,
): Promise<ResolvedImage> {
  const client = new RegistryClient(ref.domain, auth, signal);
  const display = ref.raw;
  const reference = ref.digest ?? ref.tag ?? 'latest';
  let top;
  try {
    top = await client.manifest(ref.path, reference);
  } catch (e) {
    if (e instanceof RegistryError && e.status === 404) throw new ImageNotFound(`${display}: ${e.message}`);
    throw new Error(`${display}: ${(e as Error).message}`);
  }
  if (ref.digest) verifyDigest(top.body, ref.digest, `${display}: manifest`);
  else if (top.digest?.startsWith('sha256:')) verifyDigest(top.body, top.digest, `${display}: manifest`);
  let digest = ref.digest ?? top.digest ?? sha256(top.body);
  let doc = parseJsonObject(top.body, `${display}: manifest`);
  let dockerPlatform: string | undefined;
  if (isIndex(doc, top.mediaType)) {
    const sel = selectFromIndex(doc as unknown as ImageIndex, platform, display);
    dockerPlatform = sel.platform;
    digest = sel.descriptor.digest;
    const m = await client.manifest(ref.path, digest);
    verifyDigest(m.body, digest, `${display}: manifest for ${dockerPlatform ?? 'linux/amd64'}`);
    doc = parseJsonObject(m.body, `${display}: manifest`);
  }
  const manifest = asManifest(doc, display);
  const configBytes = await client.blob(ref.path, manifest.config.digest);
  verifyDigest(configBytes, manifest.config.digest, `${display}: config`);
  const config = parseJsonObject(configBytes, `${display}: config`) as ImageConfig;
  if (platform && !dockerPlatform && config.architecture && config.architecture !== platform.architecture)
    throw new Error(
      `${display}: the image is for ${config.os ?? '?'}/${config.architecture}, not ${platform.os}/${platform.architecture}`,
    );
  const diffIds = config.rootfs?.diff_ids ?? [];
  const r: ResolvedImage = {
    display,
    dockerName: ref.name,
    dockerDigest: `${ref.name}@${digest}`,
    source: 'remote',
    config: config.config ?? {},
    epoch: createdEpoch(config),
    async fetchLayers(workDir, onProgress) {
      const out: LayerBlob[] = [];
      const n = manifest.layers.length;
      for (let i = 0; i < n; i++) {
        const l = manifest.layers[i];
        if (!l) continue;
        const hex = /^sha256:([a-f0-9]{64})$/.exec(l.digest)?.[1];
        if (!hex)
          throw new ImageLayerError(
            `${display}: layer ${i + 1}/${n}: unsupported digest "${l.digest}"`,
            display,
            l.digest,
          );
        const file = join(workDir, `blob-${hex}`);
        try {
          await client.blobToFile(ref.path, l.digest, file, l.size, (bytes) =>
            onProgress({ layer: i, layers: n, id: l.digest, bytes, total: l.size ?? 0 }),
          );
        } catch (e) {
          throw new ImageLayerError(
            `${display}: layer ${i + 1}/${n} (${l.digest}): ${(e as Error).message}`,
            display,
            l.digest,
          );
        }
        const size = l.size ?? statSync(file).size;
        const lb: LayerBlob = { id: l.digest, file, offset: 0, length: size, digest: l.digest };
        if (diffIds[i]) lb.diffId = diffIds[i];
        out.push(lb);
      }
      return out;
    },
  };
  if (ref.tag) r.dockerTag = ref.tag;
  if (dockerPlatform) r.dockerPlatform = dockerPlatform;
  return r;
}
