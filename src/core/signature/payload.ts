import { parseJson, type JsonNode } from '../parse/parseJson';
import { canonicalFromNode, canonicalString, compareCodePoints } from './canonicalValue';
import { globMatch } from './globMatch';

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
export function selectKeys(keys: Iterable<string>, include: string[], exclude: string[]): Selection {
  const sel: Selection = { protected: [], excluded: [], notSeen: [], unmatchedIncludes: [] };
  const used = new Set<string>();
  for (const k of keys) {
    const inc = include.find((g) => globMatch(g, k));
    if (inc !== undefined) used.add(inc);
    if (exclude.some((g) => globMatch(g, k))) sel.excluded.push(k);
    else if (inc !== undefined) sel.protected.push(k);
    else sel.notSeen.push(k);
  }
  // A glob is "used" when it matched any key, even one an exclude then removed.
  for (const g of include) {
    if (!used.has(g) && ![...sel.protected, ...sel.excluded].some((k) => globMatch(g, k))) {
      sel.unmatchedIncludes.push(g);
    }
  }
  sel.protected.sort(compareCodePoints);
  sel.excluded.sort(compareCodePoints);
  sel.notSeen.sort(compareCodePoints);
  return sel;
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
