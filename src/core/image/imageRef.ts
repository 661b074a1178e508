/**
 * Image references as `pvr app add --from` takes them, plus the archive forms skopeo uses
 * (`docker-archive:PATH[:REF]`, `oci-archive:PATH[:TAG]`, `oci:DIR[:TAG]`). Pure: no I/O.
 */

/** A reference to an image in a registry or in a Docker-compatible engine. */
export interface RegistryRef {
  kind: 'registry';
  /** The string the user gave, e.g. `nginx:1.25` or `127.0.0.1:5000/demo@sha256:…`. */
  raw: string;
  /** Registry host as docker normalises it: `docker.io` when the name has no host part. */
  domain: string;
  /** Repository path inside the registry, `library/` added for official docker.io images. */
  path: string;
  /** Tag, undefined when the reference pins a digest only. */
  tag?: string;
  /** `sha256:<hex>` when the reference is pinned. */
  digest?: string;
  /** The name as the user wrote it, without tag and digest (pvr's `docker_name`). */
  name: string;
}

export interface ArchiveRef {
  kind: 'docker-archive' | 'oci-archive' | 'oci';
  raw: string;
  /** File (docker-archive, oci-archive) or folder (oci). */
  path: string;
  /** Image inside the archive: a `name:tag` for docker-archive, a ref-name tag for OCI. */
  ref?: string;
}

export type ImageRef = RegistryRef | ArchiveRef;

export class ImageRefError extends Error {}

const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** Parses an image reference or archive reference. Throws ImageRefError with the fix. */
export function parseImageRef(raw: string): ImageRef {
  const s = raw.trim();
  for (const kind of ['docker-archive', 'oci-archive', 'oci'] as const) {
    if (s.startsWith(`${kind}:`)) return parseArchiveRef(kind, s);
  }
  return parseRegistryRef(s);
}

function parseArchiveRef(kind: ArchiveRef['kind'], s: string): ArchiveRef {
  const rest = s.slice(kind.length + 1);
  if (!rest) throw new ImageRefError(`"${s}": give a path after "${kind}:"`);
  // skopeo splits PATH and REF at the first colon after the path; paths containing colons are rare.
  // For docker-archive the REF itself may contain a colon (name:tag), so only the first one splits.
  const i = rest.indexOf(':');
  const ref: ArchiveRef = { kind, raw: s, path: i >= 0 ? rest.slice(0, i) : rest };
  if (i >= 0 && rest.slice(i + 1)) ref.ref = rest.slice(i + 1);
  if (!ref.path) throw new ImageRefError(`"${s}": the path is empty`);
  return ref;
}

function parseRegistryRef(s: string): RegistryRef {
  if (!s) throw new ImageRefError('the image reference is empty; give e.g. --from nginx:latest');
  let rest = s;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest))
      throw new ImageRefError(`"${s}": "${digest}" is not a digest (expected sha256:<64 hex digits>)`);
  }
  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > rest.lastIndexOf('/')) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG_RE.test(tag)) throw new ImageRefError(`"${s}": "${tag}" is not a valid tag`);
  }
  const name = rest;
  const parts = rest.split('/');
  let domain = 'docker.io';
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    domain = first;
    parts.shift();
  }
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (domain === 'docker.io' && parts.length === 1) parts.unshift('library');
  for (const p of parts) {
    if (!PATH_COMPONENT_RE.test(p))
      throw new ImageRefError(
        `"${s}": "${p}" is not a valid repository name component (lowercase letters, digits, . _ -)`,
      );
  }
  if (!tag && !digest) tag = 'latest';
  const ref: RegistryRef = { kind: 'registry', raw: s, domain, path: parts.join('/'), name };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** `name:tag` or `name@digest` as the engine and the registry are asked for it. */
export function refString(r: RegistryRef): string {
  return r.digest ? `${r.name}@${r.digest}` : `${r.name}:${r.tag ?? 'latest'}`;
}

/** Host names that get plain HTTP, as Docker treats 127.0.0.0/8 and localhost as insecure. */
export function isLoopbackRegistry(domain: string): boolean {
  const host = domain.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** A parsed `os/arch[/variant]` platform string, as `--platform` takes it. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export function parsePlatform(p: string): Platform {
  const parts = p.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((x) => !x))
    throw new ImageRefError(`--platform "${p}": expected os/arch[/variant], e.g. linux/arm/v7`);
  const r: Platform = { os: parts[0] ?? '', architecture: parts[1] ?? '' };
  if (parts[2]) r.variant = parts[2];
  return r;
}

/**
 * Whether a manifest-list entry matches a requested platform, exactly as pvr 037 decides it: the
 * architecture must match, the variant only when one was requested, and the OS is not compared.
 */
export function platformMatches(
  want: Platform,
  entry: { architecture?: string; variant?: string } | undefined,
): boolean {
  if (!entry) return false;
  return entry.architecture === want.architecture && (!want.variant || want.variant === entry.variant);
}
