import { createHash } from 'node:crypto';
import type { Json } from '../../core/image/srcJson';
import { platformMatches, type Platform } from '../../core/image/imageRef';

/** Media types of indexes (multi-platform) and of single-image manifests, Docker and OCI. */
export const INDEX_TYPES = [
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
];
export const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
];

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ImageIndex {
  mediaType?: string;
  manifests: Descriptor[];
}

/** The parts of an image config blob we use. */
export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  config?: Record<string, Json>;
  rootfs?: { diff_ids?: string[] };
}

export function sha256(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

/** Checks that bytes match a digest; only sha256 is supported (as in every registry in use). */
export function verifyDigest(b: Buffer, digest: string, what: string): void {
  if (!digest.startsWith('sha256:')) throw new Error(`${what}: unsupported digest algorithm in "${digest}"`);
  const got = sha256(b);
  if (got !== digest)
    throw new Error(`${what}: digest mismatch: the data hashes to ${got}, expected ${digest}`);
}

export function parseJsonObject(b: Buffer, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(b.toString('utf8'));
  } catch (e) {
    throw new Error(`${what}: not valid JSON (${(e as Error).message})`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${what}: expected a JSON object`);
  return v as Record<string, unknown>;
}

export function isIndex(doc: Record<string, unknown>, mediaType?: string): boolean {
  const mt = mediaType ?? (doc['mediaType'] as string | undefined);
  return INDEX_TYPES.includes(mt ?? '') || (Array.isArray(doc['manifests']) && !doc['layers']);
}

export function asManifest(doc: Record<string, unknown>, what: string): ImageManifest {
  const config = doc['config'] as Descriptor | undefined;
  const layers = doc['layers'] as Descriptor[] | undefined;
  if (doc['schemaVersion'] === 1)
    throw new Error(
      `${what}: Docker schema 1 manifests are not supported (push the image again with a current tool)`,
    );
  if (!config?.digest || !Array.isArray(layers) || layers.some((l) => typeof l?.digest !== 'string'))
    throw new Error(`${what}: not an image manifest (no config or layers)`);
  return { config, layers };
}

/**
 * Picks the manifest of an index as pvr does: with a platform, the first entry whose architecture
 * (and variant, when given) matches; without one, linux/amd64, which is what a registry serves a
 * client that cannot read manifest lists (pvr 037's "default platform").
 */
export function selectFromIndex(
  index: ImageIndex,
  platform: Platform | undefined,
  what: string,
): { descriptor: Descriptor; platform?: string } {
  const entries = index.manifests.filter((m) => !m.platform || m.platform.architecture !== 'unknown');
  if (platform) {
    const d = entries.find((m) => platformMatches(platform, m.platform));
    if (!d) {
      const have = entries
        .map((m) => [m.platform?.os, m.platform?.architecture, m.platform?.variant].filter(Boolean).join('/'))
        .join(', ');
      const want = [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
      throw new Error(`${what}: no image for platform ${want} (the index has ${have || 'no platforms'})`);
    }
    return {
      descriptor: d,
      platform: [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/'),
    };
  }
  const d =
    entries.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64') ??
    (entries.length === 1 ? entries[0] : undefined);
  if (!d) throw new Error(`${what}: a multi-platform index without linux/amd64; choose one with --platform`);
  return { descriptor: d };
}

/** Seconds since the epoch of the image's `created` time, or 0. */
export function createdEpoch(config: ImageConfig): number {
  const t = config.created ? Date.parse(config.created) : NaN;
  return Number.isFinite(t) && t > 0 ? Math.floor(t / 1000) : 0;
}
