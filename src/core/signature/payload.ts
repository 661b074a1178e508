import { parseJson, type JsonNode } from '../parse/parseJson';
import { canonicalFromNode, canonicalString, compareCodePoints } from './canonicalValue';
import { globMatcher } from './globMatch';

/** A revision state (`.pvr/json` or a `state.json`) indexed by key, keeping the value nodes. */
export interface StateIndex {
  text: string;
  /** Keys in document order; a repeated key keeps its last value, as Go's decoder does. */
  keys: string[];
  values: Map<string, JsonNode>;
  /** Offsets of each key's property, for diagnostics in the state file. */
  ranges: Map<string, [number, number]>;
}

export class StateError extends Error {}

/** Indexes a state document. Throws {@link StateError} naming the first syntax error. */
export function indexState(text: string): StateIndex {
  const parsed = parseJson(text);
  const err = parsed.errors[0];
  if (err) throw new StateError(`state JSON is invalid at offset ${err.start}: ${err.message}`);
  if (parsed.root?.type !== 'object') throw new StateError('state JSON must be an object');
  const values = new Map<string, JsonNode>();
  const ranges = new Map<string, [number, number]>();
  for (const prop of parsed.root.children ?? []) {
    const k = prop.children?.[0];
    const v = prop.children?.[1];
    if (!k || !v || typeof k.value !== 'string') continue;
    values.delete(k.value);
    values.set(k.value, v);
    ranges.set(k.value, [prop.offset, prop.offset + prop.length]);
  }
  return { text, keys: [...values.keys()], values, ranges };
}

/** Canonical JSON text of one state value. */
export function canonicalValueOf(state: StateIndex, key: string): string | undefined {
  const node = state.values.get(key);
  return node ? canonicalFromNode(node, state.text) : undefined;
}

/**
 * How one signature's globs split the keys. Follows pvr's `selectPayload` (`libpvr/pvslib.go`): a key
 * matching an exclude glob is `excluded` whatever the includes say; otherwise a key matching an
 * include glob is `protected`; every other key is `notSeen`. Lists are sorted by code point.
 */
export interface Selection {
  protected: string[];
  excluded: string[];
  notSeen: string[];
  /** Include globs that matched no key: most likely a typo. */
  unmatchedIncludes: string[];
}

/** Splits `keys` by the include/exclude globs. Throws GlobError on a malformed glob. */
export function selectKeys(keys: readonly string[], include: string[], exclude: string[]): Selection {
  const sel: Selection = { protected: [], excluded: [], notSeen: [], unmatchedIncludes: [] };
  const inc = include.map(globMatcher);
  const exc = exclude.map(globMatcher);
  const used = new Array<boolean>(inc.length).fill(false);
  for (const k of keys) {
    let hit = false;
    for (let i = 0; i < inc.length; i++) {
      if ((inc[i] as (n: string) => boolean)(k)) {
        hit = used[i] = true;
        break;
      }
    }
    if (exc.some((m) => m(k))) sel.excluded.push(k);
    else if (hit) sel.protected.push(k);
    else sel.notSeen.push(k);
  }
  // A glob is "used" when it matched any key, even one an exclude then removed, or one an
  // earlier include already took.
  include.forEach((g, i) => {
    if (
      !used[i] &&
      !sel.protected.some(inc[i] as (n: string) => boolean) &&
      !sel.excluded.some(inc[i] as (n: string) => boolean)
    ) {
      sel.unmatchedIncludes.push(g);
    }
  });
  // States are canonical (sorted) almost always: then filtering kept the order.
  if (!isSorted(keys)) {
    sel.protected.sort(compareCodePoints);
    sel.excluded.sort(compareCodePoints);
    sel.notSeen.sort(compareCodePoints);
  }
  return sel;
}

const sortedCache = new WeakMap<readonly string[], boolean>();

function isSorted(keys: readonly string[]): boolean {
  let v = sortedCache.get(keys);
  if (v === undefined) {
    v = true;
    for (let i = 1; i < keys.length && v; i++)
      v = compareCodePoints(keys[i - 1] as string, keys[i] as string) < 0;
    sortedCache.set(keys, v);
  }
  return v;
}

/**
 * The exact bytes pvr signs and Pantavisor verifies: canonical JSON of the object made of the
 * protected keys with their committed values (pvr: `cjson.Marshal(selection.Selected)`; Pantavisor
 * concatenates the raw canonical key/value text of the state, which is the same string).
 */
export function buildPayload(state: StateIndex, protectedKeys: readonly string[]): string {
  const keys = [...protectedKeys].sort(compareCodePoints);
  const parts = keys.map((k) => {
    const v = state.values.get(k);
    if (!v) throw new StateError(`key ${k} is not in the state`);
    return canonicalString(k) + ':' + canonicalFromNode(v, state.text);
  });
  return `{${parts.join(',')}}`;
}
