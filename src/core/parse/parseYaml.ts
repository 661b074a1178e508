import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  type Document,
  type Node as YamlNode,
  type Pair,
} from 'yaml';

import { fastParseYaml } from './fastYaml';

export type { YamlNode };

export interface YamlSyntaxError {
  start: number;
  end: number;
  message: string;
  /** `yaml`'s error code, e.g. `BAD_INDENT`. */
  code: string;
  severity: 'error' | 'warning';
}

export interface ParsedYaml {
  text: string;
  doc: Document.Parsed;
  errors: YamlSyntaxError[];
}

/**
 * Parses one YAML document keeping node ranges. Merge keys (`<<`) are on because compose files
 * use them with `x-` extension anchors; unique keys are enforced as compose tools do.
 */
export function parseYaml(text: string): ParsedYaml {
  // Most compose files are plain block YAML: the fast path builds the same tree in a fraction of
  // the time, and hands anything else to `yaml`.
  const fast = fastParseYaml(text);
  if (fast) return { text, doc: fast, errors: [] };
  const doc = parseDocument(text, {
    merge: true,
    uniqueKeys: true,
    prettyErrors: false,
    strict: false,
    // `toJS` would otherwise print process warnings (e.g. for collection keys) from inside the editor.
    logLevel: 'error',
  });
  const errors: YamlSyntaxError[] = [];
  for (const [list, severity] of [
    [doc.errors, 'error'],
    [doc.warnings, 'warning'],
  ] as const) {
    for (const e of list) {
      const start = Math.min(e.pos[0], text.length);
      errors.push({
        start,
        end: Math.max(start + (e.pos[1] > e.pos[0] ? 0 : 1), Math.min(e.pos[1], text.length)),
        message: (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, ''),
        code: e.code,
        severity,
      });
    }
  }
  return { text, doc, errors };
}

/** One key/value entry of a mapping, with merged (`<<`) entries resolved. */
export interface YamlEntry {
  key: string;
  keyNode: YamlNode;
  value: YamlNode | null;
  /** True when the entry comes from a `<<` merge rather than the map itself. */
  merged: boolean;
  pair: Pair;
}

function isMergeKey(k: unknown): boolean {
  return isScalar(k) && (typeof k.value === 'symbol' || k.source === '<<' || k.value === '<<');
}

/** Follows aliases to the node they name (at most a few hops, so cycles cannot hang). */
export function deref(doc: Document, node: unknown): YamlNode | null {
  let n = node;
  for (let i = 0; i < 8 && isAlias(n); i++) n = n.resolve(doc);
  return (n as YamlNode | undefined) ?? null;
}

/**
 * The entries of a mapping in source order. Own keys win over merged ones, as YAML merge keys
 * specify; keys that are not scalars are skipped (compose never uses them).
 */
export function mapEntries(doc: Document, node: unknown): YamlEntry[] {
  const m = deref(doc, node);
  if (!isMap(m)) return [];
  const own: YamlEntry[] = [];
  const merged: YamlEntry[] = [];
  for (const pair of m.items) {
    if (isMergeKey(pair.key)) {
      const sources = deref(doc, pair.value);
      const list = isSeq(sources) ? sources.items : [sources];
      for (const s of list) for (const e of mapEntries(doc, s)) merged.push({ ...e, merged: true });
      continue;
    }
    if (!isScalar(pair.key)) continue;
    own.push({
      key: String(pair.key.value),
      keyNode: pair.key as YamlNode,
      value: (pair.value as YamlNode | null) ?? null,
      merged: false,
      pair: pair,
    });
  }
  const seen = new Set(own.map((e) => e.key));
  const out = [...own];
  for (const e of merged) {
    if (seen.has(e.key)) continue;
    seen.add(e.key);
    out.push(e);
  }
  return out;
}

/** The entry named `key` in a mapping (merges resolved), or undefined. */
export function mapGet(doc: Document, node: unknown, key: string): YamlEntry | undefined {
  return mapEntries(doc, node).find((e) => e.key === key);
}

/** Items of a sequence (aliases resolved), or [] when the node is not a sequence. */
export function seqItems(doc: Document, node: unknown): YamlNode[] {
  const s = deref(doc, node);
  return isSeq(s) ? (s.items as YamlNode[]) : [];
}

/** `[start, end)` of a node's value, ignoring trailing comments and blank lines. */
export function nodeRange(node: YamlNode | null | undefined): [number, number] | undefined {
  if (!node?.range) return undefined;
  return [node.range[0], node.range[1]];
}

/**
 * Walks decoded JSON-pointer segments through the YAML tree (house style 7). Returns the deepest
 * node reached, the key node of the last mapping step, and whether the whole path was found.
 */
export function walkYaml(
  doc: Document,
  segments: readonly string[],
): { node: YamlNode | null; keyNode: YamlNode | undefined; found: boolean } {
  let node = deref(doc, doc.contents);
  let keyNode: YamlNode | undefined;
  for (const seg of segments) {
    if (isMap(node)) {
      const e = mapGet(doc, node, seg);
      if (!e) return { node, keyNode, found: false };
      keyNode = e.keyNode;
      // A key with no value (`volumes:\n  data:`) has no value node; keep the key as the target.
      node = e.value ? deref(doc, e.value) : null;
      if (!node) return { node: e.keyNode, keyNode, found: true };
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)];
      if (!/^\d+$/.test(seg) || item === undefined) return { node, keyNode, found: false };
      keyNode = undefined;
      node = deref(doc, item);
    } else {
      return { node, keyNode, found: false };
    }
  }
  return { node, keyNode, found: true };
}

/** The text of a scalar value (`null` → empty); objects cannot occur for scalars. */
export function scalarString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return '';
}
