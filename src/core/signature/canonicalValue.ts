import type { JsonNode } from '../parse/parseJson';

/**
 * Canonical JSON as pvr writes it (`.pvr/json`) and signs it (the pvs payload is
 * `canonicaljson-go` Marshal of the selected keys). Rules from `shared/docs/pvr-repo.md` §4.1:
 * no whitespace, members sorted by code point, minimal string escaping with upper-case `\u00XX`,
 * numbers rewritten from their exact decimal text. This is the signature module's own serializer,
 * working from jsonc-parser nodes so that numbers keep their source text; the revision engine's
 * `canonicalJson.ts` is a separate module.
 */

// Key order, string escaping and number text are the revision engine's, so a payload and a
// committed .pvr/json can never disagree on them.
export {
  compareKeys as compareCodePoints,
  canonicalString,
  canonicalNumberText as canonicalNumber,
} from '../revision/canonicalJson';
import {
  canonicalNumberText as canonicalNumber,
  canonicalString,
  compareKeys as compareCodePoints,
} from '../revision/canonicalJson';

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
