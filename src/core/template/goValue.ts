/**
 * The value model pvr's template sees. pvr decodes src.json with Go's `encoding/json` (numbers as
 * `json.Number`, i.e. their literal source text) into `map[string]interface{}` and feeds that to Go's
 * `text/template`; this module reproduces how such values print, test as conditions and sort.
 *
 * Mapping to Go: `null` = nil, `boolean` = bool, `string` = string, {@link JsonNumber} = json.Number,
 * `GoValue[]` = []interface{}, {@link GoMap} = map[string]interface{}. A missing map entry is `undefined`
 * (Go's "no value"). Map insertion order never matters: every Go consumer (fmt, text/template `range`,
 * encoding/json) visits map keys in ascending byte order of their UTF-8 encoding ({@link compareGoStrings}).
 */

/** A JSON number kept as its literal text (`4.0`, `1e3`, `-0`), as Go's `json.Number` is. */
export class JsonNumber {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type GoMap = Map<string, GoValue>;
export type GoValue = null | boolean | string | JsonNumber | GoValue[] | GoMap;

export function isGoMap(v: GoValue | undefined): v is GoMap {
  return v instanceof Map;
}

/** Orders strings by UTF-8 bytes (= code point order), as Go does; shared with the repo engine. */
export { compareKeys as compareGoStrings } from '../revision/canonicalJson';
import { compareKeys as compareGoStrings } from '../revision/canonicalJson';

export function sortedKeys(m: GoMap): string[] {
  return [...m.keys()].sort(compareGoStrings);
}

/**
 * text/template truthiness: false for nil/missing, `false`, `""`, empty slice and empty map. A
 * json.Number is a non-empty string, so every number (even `0`) is true.
 */
export function truthy(v: GoValue | undefined): boolean {
  if (v === undefined || v === null || v === false) return false;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  return true;
}

/** pvr's `pvr_ifNull`: the default when the value is missing or nil; `""` is kept. */
export function ifNull(v: GoValue | undefined, d: GoValue): GoValue {
  return v === undefined || v === null ? d : v;
}

/**
 * How `{{ x }}` prints a value at the top level of a template action: missing and nil print as
 * `<no value>`, everything else as fmt's `%v` ({@link goInnerText}).
 */
export function goText(v: GoValue | undefined): string {
  if (v === undefined || v === null) return '<no value>';
  return goInnerText(v);
}

/** fmt `%v` of a value nested in a slice or map: nil is `<nil>`, maps are `map[k:v ...]` sorted by key. */
export function goInnerText(v: GoValue | undefined): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof JsonNumber) return v.text;
  if (Array.isArray(v)) return `[${v.map(goInnerText).join(' ')}]`;
  return `map[${sortedKeys(v)
    .map((k) => `${k}:${goInnerText(v.get(k))}`)
    .join(' ')}]`;
}

/**
 * Converts an ordinary JavaScript value (e.g. from `JSON.parse` or a converter) into the Go model.
 * Numbers become {@link JsonNumber} with JavaScript's shortest round-trip spelling (`JSON.stringify`),
 * so `4.0` in a file parsed by `JSON.parse` prints as `4`, unlike pvr; pass {@link JsonNumber}
 * instances (or the raw text/bytes) to keep a literal spelling. Object member order is irrelevant
 * (see the module comment). `undefined` members are dropped, as `JSON.stringify` drops them. Lone
 * surrogates in strings become U+FFFD, as they would after a UTF-8 round trip through pvr.
 */
export function toGoValue(v: unknown): GoValue {
  if (v === null || v === undefined) return null;
  if (v instanceof JsonNumber) return v;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return wellFormed(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError(`cannot represent ${v} in JSON`);
    return new JsonNumber(JSON.stringify(v));
  }
  if (typeof v === 'bigint') return new JsonNumber(v.toString());
  if (Array.isArray(v)) return v.map(toGoValue);
  if (v instanceof Map) {
    const m: GoMap = new Map();
    for (const [k, x] of v as Map<unknown, unknown>) m.set(wellFormed(String(k)), toGoValue(x));
    return m;
  }
  if (typeof v === 'object') {
    const m: GoMap = new Map();
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x !== undefined) m.set(wellFormed(k), toGoValue(x));
    }
    return m;
  }
  throw new TypeError(`cannot represent a ${typeof v} in JSON`);
}

/** Replaces lone UTF-16 surrogates by U+FFFD. */
export function wellFormed(s: string): string {
  return /[\ud800-\udfff]/.test(s)
    ? s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    : s;
}
