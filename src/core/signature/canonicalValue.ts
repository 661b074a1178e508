import type { JsonNode } from '../parse/parseJson';

/**
 * Canonical JSON as pvr writes it (`.pvr/json`) and signs it (the pvs payload is
 * `canonicaljson-go` Marshal of the selected keys). Rules from `shared/docs/pvr-repo.md` §4.1:
 * no whitespace, members sorted by code point, minimal string escaping with upper-case `\u00XX`,
 * numbers rewritten from their exact decimal text. This is the signature module's own serializer,
 * working from jsonc-parser nodes so that numbers keep their source text; the revision engine's
 * `canonicalJson.ts` is a separate module.
 */

/** Compares two strings by Unicode code point (= UTF-8 byte order), not by UTF-16 unit. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (U+D800–U+DFFF) stands for a code point above U+FFFF, which sorts after every
    // BMP character, including U+E000–U+FFFF that have larger UTF-16 units.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

const SHORT_ESCAPES: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' };

/** A string literal in canonical form. */
export function canonicalString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c < 0x20) out += SHORT_ESCAPES[c] ?? '\\u00' + c.toString(16).toUpperCase().padStart(2, '0');
    else out += s[i];
  }
  return out + '"';
}

/**
 * A number literal in canonical form, from its exact source text (never via a float):
 * integers are written out in full, other values as `d.dddE<exp>`.
 */
export function canonicalNumber(literal: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal);
  if (!m) throw new Error(`not a JSON number: ${literal}`);
  const sign = m[1] ?? '';
  const intPart = m[2] ?? '';
  const frac = m[3] ?? '';
  // value = digits × 10^k, with digits = int+frac and k = exp − len(frac).
  let digits = intPart + frac;
  let k = BigInt(m[4] ?? '0') - BigInt(frac.length);
  digits = digits.replace(/^0+/, '');
  if (digits === '') return '0';
  const trailing = digits.length - digits.replace(/0+$/, '').length;
  digits = digits.slice(0, digits.length - trailing);
  k += BigInt(trailing);
  if (k >= 0n) return sign + digits + '0'.repeat(Number(k));
  const exp = k + BigInt(digits.length - 1);
  return `${sign}${digits[0]}.${digits.slice(1) || '0'}E${exp.toString()}`;
}

/**
 * Serializes a parsed node canonically. Duplicate members keep the last one, as Go's decoder does.
 */
export function canonicalFromNode(node: JsonNode, text: string): string {
  switch (node.type) {
    case 'object': {
      const members = new Map<string, JsonNode>();
      for (const prop of node.children ?? []) {
        const key = prop.children?.[0];
        const value = prop.children?.[1];
        if (key && value && typeof key.value === 'string') members.set(key.value, value);
      }
      const keys = [...members.keys()].sort(compareCodePoints);
      return `{${keys.map((k) => canonicalString(k) + ':' + canonicalFromNode(members.get(k) as JsonNode, text)).join(',')}}`;
    }
    case 'array':
      return `[${(node.children ?? []).map((c) => canonicalFromNode(c, text)).join(',')}]`;
    case 'string':
      return canonicalString(String(node.value));
    case 'number':
      return canonicalNumber(text.slice(node.offset, node.offset + node.length));
    case 'boolean':
      return node.value ? 'true' : 'false';
    case 'null':
      return 'null';
    default:
      throw new Error(`unexpected JSON node ${node.type}`);
  }
}

/** Canonical form of a plain JS value (numbers via their shortest JS text). Used for headers we build. */
export function canonicalFromValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalFromValue).join(',')}]`;
  switch (typeof v) {
    case 'string':
      return canonicalString(v);
    case 'number':
      return canonicalNumber(JSON.stringify(v));
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort(compareCodePoints);
      return `{${keys.map((k) => canonicalString(k) + ':' + canonicalFromValue(o[k])).join(',')}}`;
    }
    default:
      throw new Error(`cannot serialize ${typeof v}`);
  }
}
