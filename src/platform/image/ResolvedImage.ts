import type { Json } from '../../core/image/srcJson';
import type { LayerBlob } from './flattenLayers';

/** Download progress of one layer (registry blobs, or the engine's `docker save` stream). */
export interface FetchProgress {
  layer: number;
  layers: number;
  id: string;
  bytes: number;
  total: number;
}

/** An image found in one of the sources, before its layers are fetched. */
export interface ResolvedImage {
  /** For messages: the reference as given. */
  display: string;
  /** The values pvr writes to src.json. */
  dockerName: string;
  dockerTag?: string;
  dockerDigest: string;
  dockerPlatform?: string;
  /** Which source answered: `remote`, `local`, or the archive reference. */
  source: string;
  /** The image config's `config` object (Cmd, Entrypoint, Env, …) → src.json `docker_config`. */
  config: Record<string, Json>;
  /** Image creation time in seconds (0 when unknown); used for reproducible squashfs times. */
  epoch: number;
  /** Makes the layers available as byte ranges of files, downloading into `workDir` if needed. */
  fetchLayers(
    workDir: string,
    onProgress: (p: FetchProgress) => void,
    signal?: AbortSignal,
  ): Promise<LayerBlob[]>;
}

/** A source that does not have the image (as opposed to one that failed). */
export class ImageNotFound extends Error {}
