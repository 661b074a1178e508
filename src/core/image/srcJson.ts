/**
 * `<app>/src.json`, the pvr app recipe, written byte for byte as pvr 037 writes it: Go's
 * `json.MarshalIndent(src, " ", " ")` over its `Source` struct (field order below, `omitempty` on
 * everything but `#spec`, map keys sorted, `<`, `>` and `&` escaped, no final newline).
 */

import { goJson, goJsonString, indentJson } from '../revision/canonicalJson';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface AppSource {
  base?: string;
  name?: string;
  '#spec': string;
  template?: string;
  args?: Record<string, Json>;
  dm_enabled?: Record<string, boolean>;
  logs?: Json[];
  exports?: string[];
  config?: Record<string, Json>;
  docker_name?: string;
  docker_tag?: string;
  docker_digest?: string;
  docker_ovl_digest?: string;
  docker_source?: string;
  docker_config?: Record<string, Json>;
  docker_platform?: string;
  format_options?: string;
  pvr?: string;
  pvr_digest?: boolean;
  rootfs_url?: string;
  rootfs_digest?: string;
  persistence?: Record<string, string>;
  [extra: string]: Json | undefined;
}

export const SRC_SPEC = 'service-manifest-src@1';
export const TEMPLATE_BUILTIN_LXC_DOCKER = 'builtin-lxc-docker';

/** pvr's `Source` struct field order (libpvr/applib.go, 037). */
export const SOURCE_FIELD_ORDER = [
  'base',
  'name',
  '#spec',
  'template',
  'args',
  'dm_enabled',
  'logs',
  'exports',
  'config',
  'docker_name',
  'docker_tag',
  'docker_digest',
  'docker_ovl_digest',
  'docker_source',
  'docker_config',
  'docker_platform',
  'format_options',
  'pvr',
  'pvr_digest',
  'rootfs_url',
  'rootfs_digest',
  'persistence',
] as const;

function isEmpty(v: Json | undefined): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

/**
 * Serialises src.json as pvr does. Keys pvr does not know are kept (pvr would drop them), after
 * its own fields and sorted, so hand-written additions survive `pvkit app update`.
 */
export function formatSrcJson(src: AppSource): string {
  const known = new Set<string>(SOURCE_FIELD_ORDER);
  const fields: [string, Json][] = [];
  for (const k of SOURCE_FIELD_ORDER) {
    const v = src[k];
    if (k !== '#spec' && isEmpty(v)) continue;
    fields.push([k, v ?? '']);
  }
  for (const k of Object.keys(src).sort()) {
    const v = src[k];
    if (!known.has(k) && v !== undefined) fields.push([k, v]);
  }
  // Go's MarshalIndent is Marshal then Indent: the struct's members in field order, maps sorted.
  const compact = `{${fields.map(([k, v]) => `${goJsonString(k)}:${goJson(v)}`).join(',')}}`;
  return indentJson(compact, ' ', ' ');
}

/**
 * `--volume PATH:PERSISTENCE[@disk]` as pvr takes it. pvr 037 splits at every colon, which turns
 * `ovl:/var:permanent` into `ovl` → `/var`; the `ovl:` prefix is kept whole here instead, as the
 * template expects (`ovl:/var` → `permanent`).
 */
export function parseVolumes(volumes: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of volumes) {
    const ovl = v.startsWith('ovl:');
    const parts = (ovl ? v.slice(4) : v).split(':');
    if (parts.length < 2 || !parts[0])
      throw new Error(
        `--volume "${v}": invalid volume format, expected PATH:PERSISTENCE (e.g. /data:permanent)`,
      );
    out[(ovl ? 'ovl:' : '') + (parts[0] ?? '')] = parts[1] ?? '';
  }
  return out;
}

/** pvr's `--arg K=V` parsing: values are strings; a bare `K` gives an empty string. */
export function parseTemplateArgs(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) {
    const i = a.indexOf('=');
    if (i >= 0) out[a.slice(0, i)] = a.slice(i + 1);
    else out[a] = '';
  }
  return out;
}
