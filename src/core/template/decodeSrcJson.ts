import { nodeToGoValue, type JsonNode } from './goJsonDecode';
import type { GoMap, GoValue } from './goValue';

/**
 * pvr's `Source` struct after `json.Decode(&source)`: the fields the template and `app install` read.
 * Object fields are `null` when Go's map is nil; slice fields keep Go's hidden capacity semantics only
 * while decoding (see {@link decodeSrcJson}).
 */
export interface PvrSource {
  spec: string;
  template: string;
  base: string;
  name: string;
  dockerName: string;
  dockerTag: string;
  dockerDigest: string;
  dockerOvlDigest: string;
  dockerSource: string;
  dockerPlatform: string;
  formatOptions: string;
  pvr: string;
  pvrDigest: boolean;
  rootfsUrl: string;
  rootfsDigest: string;
  args: GoMap | null;
  config: GoMap | null;
  dockerConfig: GoMap | null;
  persistence: Map<string, string> | null;
  dmEnabled: Map<string, boolean> | null;
  logs: (GoMap | null)[];
  exports: string[];
}

/** A Go `UnmarshalTypeError` (pvr exits 2): a member of src.json has the wrong JSON type. */
export interface SourceTypeError {
  message: string;
  /** Byte offset of the offending value in src.json. */
  offset: number;
}

type StringField =
  | 'spec'
  | 'template'
  | 'base'
  | 'name'
  | 'dockerName'
  | 'dockerTag'
  | 'dockerDigest'
  | 'dockerOvlDigest'
  | 'dockerSource'
  | 'dockerPlatform'
  | 'formatOptions'
  | 'pvr'
  | 'rootfsUrl'
  | 'rootfsDigest';

type FieldKind =
  | { kind: 'string'; field: StringField }
  | { kind: 'bool' }
  | { kind: 'anyMap'; field: 'args' | 'config' | 'dockerConfig' }
  | { kind: 'stringMap' }
  | { kind: 'boolMap' }
  | { kind: 'logs' }
  | { kind: 'exports' };

/** The JSON names of pvr 037's `Source` fields (including its embedded Docker/Pvr/RootFs source structs). */
const FIELDS: [string, FieldKind][] = [
  ['#spec', { kind: 'string', field: 'spec' }],
  ['template', { kind: 'string', field: 'template' }],
  ['base', { kind: 'string', field: 'base' }],
  ['name', { kind: 'string', field: 'name' }],
  ['args', { kind: 'anyMap', field: 'args' }],
  ['config', { kind: 'anyMap', field: 'config' }],
  ['docker_config', { kind: 'anyMap', field: 'dockerConfig' }],
  ['persistence', { kind: 'stringMap' }],
  ['dm_enabled', { kind: 'boolMap' }],
  ['logs', { kind: 'logs' }],
  ['exports', { kind: 'exports' }],
  ['docker_name', { kind: 'string', field: 'dockerName' }],
  ['docker_tag', { kind: 'string', field: 'dockerTag' }],
  ['docker_digest', { kind: 'string', field: 'dockerDigest' }],
  ['docker_ovl_digest', { kind: 'string', field: 'dockerOvlDigest' }],
  ['docker_source', { kind: 'string', field: 'dockerSource' }],
  ['docker_platform', { kind: 'string', field: 'dockerPlatform' }],
  ['format_options', { kind: 'string', field: 'formatOptions' }],
  ['pvr', { kind: 'string', field: 'pvr' }],
  ['pvr_digest', { kind: 'bool' }],
  ['rootfs_url', { kind: 'string', field: 'rootfsUrl' }],
  ['rootfs_digest', { kind: 'string', field: 'rootfsDigest' }],
];

/**
 * Go's field-name folding (encoding/json of Go 1.20, which built pvr 037): ASCII letters match in
 * either case, U+017F (long s) matches `s` and U+212A (Kelvin sign) matches `k`; everything else must
 * be equal.
 */
export function foldFieldName(key: string): string {
  let out = '';
  for (const ch of key) {
    if (ch === '\u017f') out += 's';
    else if (ch === '\u212a') out += 'k';
    else if (ch >= 'A' && ch <= 'Z') out += ch.toLowerCase();
    else out += ch;
  }
  return out;
}

const BY_FOLDED = new Map(FIELDS.map(([name, kind]) => [foldFieldName(name), kind]));

/** Go's name for a JSON node's type in UnmarshalTypeError messages. */
function jsonKind(n: JsonNode): string {
  switch (n.kind) {
    case 'literal':
      return n.value === null ? 'null' : 'bool';
    default:
      return n.kind;
  }
}

/** A Go slice: `items.length` is its capacity, `len` its length (decoding can expose stale elements). */
interface GoSlice<T> {
  items: T[];
  len: number;
}

/**
 * Decodes a src.json syntax tree into {@link PvrSource} the way Go's `json.Decoder.Decode(&Source{})`
 * does, quirks included: top-level names match case-insensitively; a repeated object field merges
 * into the earlier map (`null` resets it); a repeated array field is decoded element by element into
 * the earlier slice, reusing its backing array (so objects at the same index merge and a `null`
 * string element keeps the old string); `null` leaves strings and booleans unchanged. Type errors do
 * not stop decoding: like Go, the first one is reported after everything was decoded.
 */
export function decodeSrcJson(root: JsonNode): { source: PvrSource; error?: SourceTypeError } {
  const src: PvrSource = {
    spec: '',
    template: '',
    base: '',
    name: '',
    dockerName: '',
    dockerTag: '',
    dockerDigest: '',
    dockerOvlDigest: '',
    dockerSource: '',
    dockerPlatform: '',
    formatOptions: '',
    pvr: '',
    pvrDigest: false,
    rootfsUrl: '',
    rootfsDigest: '',
    args: null,
    config: null,
    dockerConfig: null,
    persistence: null,
    dmEnabled: null,
    logs: [],
    exports: [],
  };
  let error: SourceTypeError | undefined;
  const typeError = (n: JsonNode, field: string, goType: string): void => {
    error ??= {
      message: `json: cannot unmarshal ${jsonKind(n)} into Go struct field Source.${field} of type ${goType}`,
      offset: n.start,
    };
  };
  let logs: GoSlice<GoMap | null> = { items: [], len: 0 };
  let exports: GoSlice<string> = { items: [], len: 0 };

  if (root.kind === 'literal' && root.value === null) return { source: src };
  if (root.kind !== 'object') {
    return {
      source: src,
      error: {
        message: `json: cannot unmarshal ${jsonKind(root)} into Go value of type libpvr.Source`,
        offset: root.start,
      },
    };
  }

  for (const { key, value: n } of root.members) {
    const f = BY_FOLDED.get(foldFieldName(key));
    if (!f) continue;
    const isNull = n.kind === 'literal' && n.value === null;
    switch (f.kind) {
      case 'string':
        if (n.kind === 'string') src[f.field] = n.value;
        else if (!isNull) typeError(n, key, 'string');
        break;
      case 'bool':
        if (n.kind === 'literal' && typeof n.value === 'boolean') src.pvrDigest = n.value;
        else if (!isNull) typeError(n, key, 'bool');
        break;
      case 'anyMap':
        if (isNull) src[f.field] = null;
        else if (n.kind === 'object') {
          const m = (src[f.field] ??= new Map());
          for (const mem of n.members) m.set(mem.key, nodeToGoValue(mem.value));
        } else typeError(n, key, 'map[string]interface {}');
        break;
      case 'stringMap':
        if (isNull) src.persistence = null;
        else if (n.kind === 'object') {
          const m = (src.persistence ??= new Map());
          for (const mem of n.members) {
            const v = mem.value;
            if (v.kind === 'string') m.set(mem.key, v.value);
            else {
              if (!(v.kind === 'literal' && v.value === null)) typeError(v, `${key}`, 'string');
              m.set(mem.key, '');
            }
          }
        } else typeError(n, key, 'map[string]string');
        break;
      case 'boolMap':
        if (isNull) src.dmEnabled = null;
        else if (n.kind === 'object') {
          const m = (src.dmEnabled ??= new Map());
          for (const mem of n.members) {
            const v = mem.value;
            if (v.kind === 'literal' && typeof v.value === 'boolean') m.set(mem.key, v.value);
            else {
              if (!(v.kind === 'literal' && v.value === null)) typeError(v, key, 'bool');
              m.set(mem.key, false);
            }
          }
        } else typeError(n, key, 'map[string]bool');
        break;
      case 'logs':
        if (isNull) logs = { items: [], len: 0 };
        else if (n.kind === 'array') {
          logs = decodeIntoSlice(logs, n.items, null, (old, item) => {
            if (item.kind === 'literal' && item.value === null) return null;
            if (item.kind !== 'object') {
              typeError(item, key, 'map[string]interface {}');
              return old;
            }
            const m = old ?? new Map<string, GoValue>();
            for (const mem of item.members) m.set(mem.key, nodeToGoValue(mem.value));
            return m;
          });
        } else typeError(n, key, '[]map[string]interface {}');
        break;
      case 'exports':
        if (isNull) exports = { items: [], len: 0 };
        else if (n.kind === 'array') {
          exports = decodeIntoSlice(exports, n.items, '', (old, item) => {
            if (item.kind === 'string') return item.value;
            if (!(item.kind === 'literal' && item.value === null)) typeError(item, key, 'string');
            return old;
          });
        } else typeError(n, key, '[]string');
        break;
    }
  }
  src.logs = logs.items.slice(0, logs.len);
  src.exports = exports.items.slice(0, exports.len);
  return error ? { source: src, error } : { source: src };
}

/** Go 1.20 `decodeState.array` for a slice: reuse the backing array, grow by 1.5x (at least 4). */
function decodeIntoSlice<T>(
  s: GoSlice<T>,
  items: JsonNode[],
  zero: T,
  decode: (old: T, item: JsonNode) => T,
): GoSlice<T> {
  let backing = s.items;
  let len = s.len;
  let i = 0;
  for (const item of items) {
    if (i >= backing.length) {
      const cap = Math.max(4, backing.length + Math.floor(backing.length / 2));
      const grown: T[] = new Array<T>(cap).fill(zero);
      for (let j = 0; j < len; j++) grown[j] = backing[j] as T;
      backing = grown;
    }
    if (i >= len) len = i + 1;
    backing[i] = decode(backing[i] as T, item);
    i++;
  }
  if (i < len) len = i;
  if (i === 0) return { items: [], len: 0 };
  return { items: backing, len };
}
