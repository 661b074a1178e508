/**
 * What each key of a revision is, decided the way Pantavisor's system1 parser decides it
 * (pantavisor-format.md §1.3) and shared by the schema table, the validator and the editor.
 */
export type FileKind =
  | 'state'
  | 'run'
  | 'src'
  | 'services'
  | 'bsp-run'
  | 'bsp-src'
  | 'bsp-drivers'
  | 'device'
  | 'groups'
  | 'disks'
  | 'signature'
  | 'dm'
  | 'mdev'
  | 'json'
  | 'object';

export interface FileKindInfo {
  kind: FileKind;
  /** Schema file under `schemas/`, or undefined when any JSON is allowed. */
  schema?: string;
  title: string;
}

export const FILE_KINDS: Record<FileKind, FileKindInfo> = {
  state: { kind: 'state', schema: 'pantavisor-state.schema.json', title: 'Revision state' },
  run: { kind: 'run', schema: 'pantavisor-run.schema.json', title: 'Container run.json' },
  src: { kind: 'src', schema: 'pantavisor-src.schema.json', title: 'Container src.json' },
  services: { kind: 'services', schema: 'pantavisor-services.schema.json', title: 'xconnect services.json' },
  'bsp-run': { kind: 'bsp-run', schema: 'pantavisor-bsp-run.schema.json', title: 'BSP run.json' },
  'bsp-src': { kind: 'bsp-src', schema: 'pantavisor-bsp-src.schema.json', title: 'BSP src.json' },
  'bsp-drivers': { kind: 'bsp-drivers', schema: 'pantavisor-drivers.schema.json', title: 'BSP drivers.json' },
  device: { kind: 'device', schema: 'pantavisor-device.schema.json', title: 'device.json' },
  groups: { kind: 'groups', schema: 'pantavisor-groups.schema.json', title: 'Legacy groups.json' },
  disks: { kind: 'disks', schema: 'pantavisor-disks.schema.json', title: 'Legacy disks.json' },
  signature: { kind: 'signature', schema: 'pantavisor-signature.schema.json', title: 'pvs@2 signature' },
  dm: { kind: 'dm', schema: 'pantavisor-dm.schema.json', title: 'dm-verity manifest' },
  mdev: { kind: 'mdev', schema: 'pantavisor-mdev.schema.json', title: 'mdev.json' },
  json: { kind: 'json', title: 'Inline JSON file' },
  object: { kind: 'object', title: 'Object (sha256)' },
};

export const SHA256_RE = /^[0-9a-f]{64}$/;

/** True when `value` is what pvr writes for an object: 64 lowercase hex digits. */
export function isSha256(value: unknown): value is string {
  return typeof value === 'string' && SHA256_RE.test(value);
}

/**
 * Classifies a revision key (a `/`-separated path relative to the revision root). `value` is
 * consulted only for `*.json` keys, where a sha string means the file was added raw (an object).
 */
export function kindOfKey(key: string, value?: unknown): FileKind {
  if (key.endsWith('.json') && value !== undefined && isSha256(value)) return 'object';
  switch (key) {
    case 'bsp/run.json':
      return 'bsp-run';
    case 'bsp/src.json':
      return 'bsp-src';
    case 'bsp/drivers.json':
      return 'bsp-drivers';
    case 'device.json':
      return 'device';
    case 'groups.json':
      return 'groups';
    case 'disks.json':
    case 'disks_v3.json':
      return 'disks';
  }
  if (key.startsWith('_sigs/') && key.endsWith('.json') && key.indexOf('/', 6) < 0) return 'signature';
  if (key.startsWith('_config/') || key.startsWith('_hostconfig/'))
    return key.endsWith('.json') ? 'json' : 'object';
  const parts = key.split('/');
  if (parts.length === 2 && parts[0] !== 'bsp') {
    if (parts[1] === 'run.json') return 'run';
    if (parts[1] === 'src.json') return 'src';
    if (parts[1] === 'services.json') return 'services';
    if (parts[1] === 'mdev.json') return 'mdev';
  }
  if (parts.length === 3 && parts[1] === '_dm' && key.endsWith('.json')) return 'dm';
  return key.endsWith('.json') ? 'json' : 'object';
}

/** The container a key belongs to: the first path component, or the second for `_config/<c>/...`. */
export function containerOfKey(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length < 2) return undefined;
  if (parts[0] === '_config') return parts.length >= 3 ? parts[1] : undefined;
  if (parts[0] === 'bsp' || parts[0] === '_sigs' || parts[0] === '_hostconfig') return undefined;
  return parts[0];
}
