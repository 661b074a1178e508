import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ImageInspectInfo } from 'dockerode';
import type { Json } from '../../core/image/srcJson';
import { resolveDockerArchive } from './archiveSource';
import type { DockerEndpoint } from './dockerHost';
import { loadEngineApi } from './loadEngineApi';
import { ImageNotFound, type ResolvedImage } from './ResolvedImage';

export interface EngineImageSummary {
  id: string;
  tags: string[];
  size: number;
  created: number;
}

function engineError(e: unknown, endpoint: DockerEndpoint): Error {
  const msg = e instanceof Error ? e.message : String(e);
  if (/ENOENT|ECONNREFUSED|EACCES/.test(msg))
    return new Error(
      `cannot reach the Docker engine at ${endpoint.host} (from ${endpoint.from}): ${msg}. Start Docker or Podman's API socket, or set DOCKER_HOST / "pantavisor.docker.host".`,
    );
  return e instanceof Error ? e : new Error(msg);
}

/** Lists the engine's tagged images (for the picker). */
export async function listEngineImages(endpoint: DockerEndpoint): Promise<EngineImageSummary[]> {
  const api = await loadEngineApi();
  try {
    const list = await api.listImages(endpoint.options);
    return list
      .filter((i) => (i.RepoTags ?? []).some((t) => t !== '<none>:<none>'))
      .map((i) => ({
        id: i.Id,
        tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
        size: i.Size,
        created: i.Created,
      }));
  } catch (e) {
    throw engineError(e, endpoint);
  }
}

/**
 * Finds an image in a Docker-compatible engine (Docker, or Podman's API socket) as pvr's "local"
 * source does: inspect it, use its first RepoDigest or its ID as the digest, its Config as
 * docker_config; the layers come from `GET /images/{name}/get` saved into the work folder.
 */
export async function resolveEngineImage(
  endpoint: DockerEndpoint,
  from: string,
  dockerName: string,
  dockerTag: string | undefined,
): Promise<ResolvedImage> {
  const api = await loadEngineApi();
  let inspect: ImageInspectInfo;
  try {
    inspect = await api.inspectImage(endpoint.options, from);
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404)
      throw new ImageNotFound(`${from}: not in the local engine (${endpoint.host})`);
    throw engineError(e, endpoint);
  }
  const digest = inspect.RepoDigests?.[0] ?? inspect.Id;
  const config = JSON.parse(JSON.stringify(inspect.Config ?? {})) as Record<string, Json>;
  let archive: ResolvedImage | undefined;
  const base: ResolvedImage = {
    display: from,
    dockerName,
    dockerDigest: digest,
    source: 'local',
    config,
    epoch: inspect.Created ? Math.max(0, Math.floor(Date.parse(inspect.Created) / 1000) || 0) : 0,
    async fetchLayers(dir, onProgress, signal) {
      const file = join(dir, 'engine-save.tar');
      const total = inspect.Size ?? 0;
      let bytes = 0;
      const res = await api.saveImage(endpoint.options, inspect.Id);
      const count = new Transform({
        transform(chunk: Buffer, _e, cb) {
          bytes += chunk.length;
          onProgress({ layer: 0, layers: 1, id: `saving ${from}`, bytes, total });
          cb(null, chunk);
        },
      });
      await pipeline(res, count, createWriteStream(file), signal ? { signal } : {});
      archive = await resolveDockerArchive(file, undefined, 'local', from, dir, {
        dockerName,
        ...(dockerTag ? { dockerTag } : {}),
        dockerDigest: digest,
        config,
      });
      return archive.fetchLayers(dir, onProgress, signal);
    },
  };
  if (dockerTag) base.dockerTag = dockerTag;
  return base;
}
