/**
 * JSON exactly as pvr reads and writes it (pvr-repo.md §1.3, §4).
 *
 * pvr parses with Go's `encoding/json` stream decoder and writes three encodings: canonical JSON
 * ("C", `.pvr/json`), Go's standard encoder ("G", `.pvr/config`, `pvr diff`) and indented forms of
 * both. Numbers are kept as their decimal text ({@link JsonNumber}) so that nothing is lost until a
 * caller decides to convert them to doubles, as pvr does in its diff code.
 *
 * Exported API: {@link parseGoJson}, {@link canonicalJson}, {@link goJson}, {@link indentJson},
 * {@link canonicalNumberText}, {@link goFloatText}, {@link compareKeys}, {@link JsonNumber},
 * {@link GoJsonError}.
 */

import {
  GoJsonSyntaxError,
  UNEXPECTED_END,
  isBlankInput,
  readGoJson,
  type GoJsonNode,
} from '../parse/goJson';

/** A JSON number that keeps the exact text it was written with (`1.50`, `1e400`, `-0`). */
export class JsonNumber {
  /** @param text a valid JSON number literal, or a Go double text (`1e+21`). */
  constructor(readonly text: string) {}
  /** The IEEE double value (may be ±Infinity for out-of-range literals). */
  toDouble(): number {
    return Number(this.text);
  }
}

/** An object with no prototype, so that keys such as `__proto__` are ordinary members. */
export interface JsonObject {
  [key: string]: JsonValue;
}
/** A decoded JSON value; numbers are {@link JsonNumber} (text kept) or plain doubles. */
export type JsonValue = null | boolean | string | number | JsonNumber | JsonValue[] | JsonObject;

/** Creates an empty prototype-less object for use as a {@link JsonObject}. */
export function newObject(): JsonObject {
  return Object.create(null) as JsonObject;
}

/** True for plain JSON objects (not arrays, not numbers, not null). */
export function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);
}

/** A decoder error whose message is the exact text Go's `encoding/json` produces. */
export class GoJsonError extends Error {}

/**
 * Compares two keys by their UTF-8 bytes (= code point order), the order both Go and the
 * canonical encoder sort members in. JavaScript's `<` compares UTF-16 units and would put
 * U+10000..U+10FFFF before U+E000..U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1; // a surrogate encodes a code point above every BMP unit
    return x - y;
  }
  return a.length - b.length;
}

function sortedKeys(o: JsonObject): string[] {
  return Object.keys(o).sort(compareKeys);
}

/**
 * Decodes the first JSON value of `input` the way Go's `json.Decoder.Decode` does: trailing bytes
 * are ignored, duplicate keys keep the last value, invalid UTF-8 and lone surrogate escapes become
 * U+FFFD, numbers keep their text. Throws {@link GoJsonError} with Go's exact message (`EOF`,
 * `unexpected EOF`, `invalid character 'x' looking for beginning of value`, ...).
 */
export function parseGoJson(input: Uint8Array | string): JsonValue {
  let node: GoJsonNode;
  try {
    node = readGoJson(input);
  } catch (e) {
    if (!(e instanceof GoJsonSyntaxError)) throw e;
    // A Decoder says `EOF` for no value at all and `unexpected EOF` for a value cut short.
    if (e.message !== UNEXPECTED_END) throw new GoJsonError(e.message);
    throw new GoJsonError(isBlankInput(input) ? 'EOF' : 'unexpected EOF');
  }
  return toJsonValue(node);
}

/** A node as Go decodes it into `interface{}` with UseNumber: within one object the later duplicate wins. */
function toJsonValue(n: GoJsonNode): JsonValue {
  switch (n.kind) {
    case 'literal':
    case 'string':
      return n.value;
    case 'number':
      return new JsonNumber(n.text);
    case 'array':
      return n.items.map(toJsonValue);
    case 'object': {
      const o = newObject();
      for (const m of n.members) o[m.key] = toJsonValue(m.value);
      return o;
    }
  }
}

/** Go's name for the JSON type of a value, as used in `cannot unmarshal <type> into ...`. */
export function goTypeName(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number' || v instanceof JsonNumber) return 'number';
  return Array.isArray(v) ? 'array' : 'object';
}

// ---------------------------------------------------------------------------------------------
// Numbers

/**
 * The canonical text of a number literal (pvr-repo.md §4.1): integers in full positional form
 * (never an exponent), everything else as `d.dddE<exp>`; `-0` becomes `0`. Works on the exact
 * decimal text, so `1e400` and 30-digit literals are preserved.
 */
export function canonicalNumberText(literal: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal);
  if (!m) throw new Error(`not a JSON number: ${literal}`);
  const sign = m[1] ?? '';
  const intPart = m[2] ?? '';
  const frac = m[3] ?? '';
  let exp = BigInt(m[4] ?? '0') - BigInt(frac.length);
  let digits = (intPart + frac).replace(/^0+/, '');
  if (digits === '') return '0';
  const trimmed = digits.replace(/0+$/, '');
  exp += BigInt(digits.length - trimmed.length);
  digits = trimmed;
  if (exp >= 0n) return sign + digits + '0'.repeat(Number(exp));
  const sciExp = exp + BigInt(digits.length - 1);
  return `${sign}${digits[0] ?? ''}.${digits.length > 1 ? digits.slice(1) : '0'}E${sciExp.toString()}`;
}

/**
 * Go's `encoding/json` text for a float64: shortest round-trip digits, positional for
 * 1e-6 <= |x| < 1e21, otherwise `1e+21` / `1e-7` style. JavaScript's `Number#toString` uses the
 * same thresholds and exponent spelling; only negative zero differs (Go prints `-0`).
 */
export function goFloatText(x: number): string {
  if (!Number.isFinite(x)) throw new GoJsonError(`json: unsupported value: ${String(x)}`);
  if (Object.is(x, -0)) return '-0';
  return String(x);
}

// ---------------------------------------------------------------------------------------------
// Encoders

/** True when `s` has a character that {@link canonicalString} (or, with `go`, {@link goJsonString}) rewrites. */
function needsEscape(s: string, go: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return true;
    if (go && (c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029)) return true;
  }
  return false;
}

/** A string literal in canonical form (pvr-repo.md §4.1): minimal escapes, upper-case `\u00XX`. */
export function canonicalString(s: string): string {
  return quoteJson(s, false);
}

/**
 * Go's `encoding/json` string escaping as pvr 037 (Go 1.20) writes it, the one escaper of every Go
 * JSON we write: HTML-safe (`<>&`, U+2028/9 escaped), lower-case `\u00xx` for control characters
 * other than `\n`, `\r`, `\t` (Go 1.20 has no `\b` or `\f`). A lone surrogate, which Go's decoder
 * turns into U+FFFD, is written as that character.
 */
export function goJsonString(s: string): string {
  return quoteJson(s, true);
}

const CANONICAL_NAMED: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' };
const GO_NAMED: Record<number, string> = { 9: '\\t', 10: '\\n', 13: '\\r' };

/** The escape of one UTF-16 unit (not a surrogate) in canonical or Go form, or undefined to keep it. */
function escapeUnit(c: number, go: boolean): string | undefined {
  if (c === 0x22) return '\\"';
  if (c === 0x5c) return '\\\\';
  if (c < 0x20) {
    const named = (go ? GO_NAMED : CANONICAL_NAMED)[c];
    if (named) return named;
    const hex = c.toString(16).padStart(2, '0');
    return go ? `\\u00${hex}` : `\\u00${hex.toUpperCase()}`;
  }
  if (go && (c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029))
    return `\\u${c.toString(16).padStart(4, '0')}`;
  return undefined;
}

/** The one string writer behind both forms; they differ only in {@link escapeUnit}. */
function quoteJson(s: string, go: boolean): string {
  // Most strings (paths, shas) need no escape: one template instead of a char-by-char rope, which
  // for 20,000 entries held tens of MB of cons-strings until the document was joined.
  if (!needsEscape(s, go)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      // A pair is kept; a lone surrogate cannot come from the decoder and is written as U+FFFD, as Go does.
      const next = s.charCodeAt(i + 1);
      if (c < 0xdc00 && next >= 0xdc00 && next <= 0xdfff) {
        out += s[i] + (s[i + 1] ?? '');
        i++;
      } else out += '\ufffd';
    } else out += escapeUnit(c, go) ?? s[i];
  }
  return out + '"';
}

/**
 * Canonical JSON ("C", pvr-repo.md §4.1): no whitespace, members sorted by UTF-8 bytes, minimal
 * string escaping with upper-case `\u00XX`, numbers in canonical text. Plain JS numbers (doubles)
 * are written as the canonical form of their Go text, as pvr does after a float64 round trip.
 */
export function canonicalJson(value: JsonValue): string {
  return encodeJson(value, canonicalString, (v) =>
    canonicalNumberText(typeof v === 'number' ? goFloatText(v) : v.text),
  );
}

/**
 * Go's `encoding/json` ("G", pvr-repo.md §4.2): sorted members, Go string escaping. Doubles are
 * written in Go's float format; {@link JsonNumber}s keep their text (as pvr's checkout does).
 */
export function goJson(value: JsonValue): string {
  return encodeJson(value, goJsonString, (v) => (typeof v === 'number' ? goFloatText(v) : v.text));
}

/** The one compact JSON walker behind both forms; they differ only in strings and numbers. */
function encodeJson(
  value: JsonValue,
  str: (s: string) => string,
  num: (n: number | JsonNumber) => string,
): string {
  const parts: string[] = [];
  const walk = (v: JsonValue): void => {
    if (v === null) parts.push('null');
    else if (typeof v === 'boolean') parts.push(v ? 'true' : 'false');
    else if (typeof v === 'string') parts.push(str(v));
    else if (typeof v === 'number' || v instanceof JsonNumber) parts.push(num(v));
    else if (Array.isArray(v)) {
      parts.push('[');
      v.forEach((e, i) => {
        if (i) parts.push(',');
        walk(e);
      });
      parts.push(']');
    } else {
      parts.push('{');
      sortedKeys(v).forEach((k, i) => {
        if (i) parts.push(',');
        parts.push(str(k), ':');
        walk(v[k] ?? null);
      });
      parts.push('}');
    }
  };
  walk(value);
  return parts.join('');
}

/**
 * Re-indents compact JSON text the way Go's `json.Indent` does (pvr-repo.md §4.4): one member or
 * element per line, `": "` after keys, empty `{}`/`[]` kept, `prefix` after every newline, no other
 * byte changed. No trailing newline is added.
 */
export function indentJson(compact: string, indent: string, prefix = ''): string {
  let out = '';
  let depth = 0;
  let inString = false;
  let needIndent = false; // an opening bracket was just written
  const nl = (): string => '\n' + prefix + indent.repeat(depth);
  for (let i = 0; i < compact.length; i++) {
    const ch = compact[i] ?? '';
    if (inString) {
      out += ch;
      if (ch === '\\') out += compact[++i] ?? '';
      else if (ch === '"') inString = false;
      continue;
    }
    if (needIndent && ch !== ']' && ch !== '}') {
      needIndent = false;
      depth++;
      out += nl();
    }
    switch (ch) {
      case '"':
        inString = true;
        out += ch;
        break;
      case '{':
      case '[':
        out += ch;
        needIndent = true;
        break;
      case ',':
        out += ch + nl();
        break;
      case ':':
        out += ': ';
        break;
      case '}':
      case ']':
        if (needIndent) needIndent = false;
        else {
          depth--;
          out += nl();
        }
        out += ch;
        break;
      default:
        out += ch;
    }
  }
  return out;
}

/** True when `v` is a string of exactly 64 hex digits (either case): pvr's "this is an object". */
export function isShaLike(v: JsonValue | undefined): v is string {
  return typeof v === 'string' && /^[0-9a-fA-F]{64}$/.test(v);
}
