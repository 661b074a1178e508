import { Document, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';

/**
 * A fast path for the YAML that compose files are made of: block mappings and sequences, plain
 * and single-line quoted scalars, single-line flow collections and comments. It builds the same
 * node classes, values and `[start, end]` ranges as `yaml`'s `parseDocument` (a differential test
 * over the real corpus checks this), because `yaml`'s full parser dominates validation time.
 *
 * Anything outside that subset (anchors, aliases, tags, block scalars, multi-line scalars,
 * directives, tabs, duplicate keys, odd indentation) makes it return `undefined`, and the caller
 * uses `yaml` itself, which also produces the syntax errors. It never reports errors of its own.
 */
export function fastParseYaml(text: string): Document.Parsed | undefined {
  try {
    const p = new FastParser(text);
    const root = p.parseRoot();
    if (!root) return undefined;
    const doc = new Document(null, { uniqueKeys: true, logLevel: 'error' }) as unknown as Document.Parsed;
    doc.contents = root as Document.Parsed['contents'];
    (doc as { range: [number, number, number] }).range = [0, text.length, text.length];
    return doc;
  } catch (e) {
    if (e === BAIL) return undefined;
    throw e;
  }
}

const BAIL = Symbol('bail');
function bail(): never {
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- a private sentinel, caught above
  throw BAIL;
}

interface Line {
  /** Offset of the first character of the line. */
  start: number;
  /** Offset of the line break (or end of text). */
  end: number;
  indent: number;
  /** True for blank and comment-only lines. */
  skip: boolean;
}

type Node = Scalar | YAMLMap | YAMLSeq;

const NULL_RE = /^(?:~|null|Null|NULL)?$/;
const BOOL_RE = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_RE = /^[-+]?[0-9]+$/;
const OCT_RE = /^0o[0-7]+$/;
const HEX_RE = /^0x[0-9a-fA-F]+$/;
const FLOAT_RE = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const INF_RE = /^[-+]?\.(?:inf|Inf|INF)$/;
const NAN_RE = /^\.(?:nan|NaN|NAN)$/;

/** YAML 1.2 core schema resolution of a plain scalar, as `yaml` does it. */
function resolvePlain(s: string): unknown {
  if (NULL_RE.test(s)) return null;
  if (BOOL_RE.test(s)) return s[0] === 't' || s[0] === 'T';
  if (INT_RE.test(s)) {
    const n = Number(s);
    return Number.isSafeInteger(n) ? n : bail();
  }
  if (OCT_RE.test(s)) return parseInt(s.slice(2), 8);
  if (HEX_RE.test(s)) return parseInt(s.slice(2), 16);
  if (FLOAT_RE.test(s)) return Number(s);
  if (INF_RE.test(s)) return s[0] === '-' ? -Infinity : Infinity;
  if (NAN_RE.test(s)) return NaN;
  return s;
}

function scalar(value: unknown, start: number, end: number, type: Scalar.Type): Scalar {
  const s = new Scalar(value);
  s.range = [start, end, end];
  s.type = type;
  return s;
}

/** Scalars followed by a comment on their line: `yaml` ends them before the comment's line break. */
const COMMENTED = new WeakSet<Node>();

class FastParser {
  private readonly lines: Line[] = [];

  constructor(private readonly text: string) {
    if (text.charCodeAt(0) === 0xfeff || text.includes('\r') || text.includes('\t')) bail();
    let start = 0;
    while (start <= text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      let i = start;
      while (i < end && text.charCodeAt(i) === 32) i++;
      const c = text[i];
      this.lines.push({ start, end, indent: i - start, skip: i === end || c === '#' });
      if (end === text.length) break;
      start = end + 1;
    }
  }

  parseRoot(): Node | undefined {
    const first = this.nextContent(0);
    if (first < 0) return undefined;
    const l = this.lines[first];
    if (!l || l.indent !== 0) bail();
    const c = this.text.slice(l.start, l.start + 3);
    if (c === '---' || c === '...' || c.startsWith('%')) bail();
    const [node, next] = this.parseBlock(first, 0, l.start);
    if (this.nextContent(next) >= 0) bail();
    return node;
  }

  private nextContent(i: number): number {
    for (let k = i; k < this.lines.length; k++) if (!this.lines[k]?.skip) return k;
    return -1;
  }

  /** Parses the block collection that starts at `col` on line `i` (col > indent for compact items). */
  private parseBlock(i: number, col: number, at: number): [Node, number] {
    const isSeq = this.text[at] === '-' && (at + 1 === this.lines[i]?.end || this.text[at + 1] === ' ');
    return isSeq ? this.parseSeq(i, col) : this.parseMap(i, col, at);
  }

  private parseMap(i: number, col: number, firstAt: number): [YAMLMap, number] {
    const map = new YAMLMap();
    const keys = new Set<unknown>();
    let line = i;
    let at = firstAt;
    let last = i;
    for (;;) {
      const l = this.lines[line];
      if (!l) bail();
      // Key: plain or quoted, then `:` followed by a space or the end of the line.
      const [key, afterKey] = this.parseKey(at, l.end);
      if (keys.has(key.value)) bail();
      keys.add(key.value);
      let j = afterKey + 1;
      while (j < l.end && this.text.charCodeAt(j) === 32) j++;
      let value: Node;
      let next: number;
      if (j === l.end || this.text[j] === '#') {
        const n = this.nextContent(line + 1);
        const nl = n >= 0 ? this.lines[n] : undefined;
        if (nl && nl.indent > col) {
          [value, next] = this.parseBlock(n, nl.indent, nl.start + nl.indent);
        } else if (nl && nl.indent === col && this.isSeqItem(nl.start + nl.indent, nl.end)) {
          [value, next] = this.parseSeq(n, col);
        } else {
          // `yaml` puts an empty value at the end of its line; with a comment it differs: bail.
          if (j < l.end) bail();
          // So do comment lines after an empty value (`yaml` attaches them to it).
          for (let k = line + 1; k < (n >= 0 ? n : this.lines.length); k++) {
            const c = this.lines[k];
            if (c && c.end > c.start + c.indent) bail();
          }
          value = scalar(null, l.end, l.end, 'PLAIN');
          next = line + 1;
        }
      } else {
        value = this.parseInline(j, l.end);
        next = line + 1;
        const n = this.nextContent(next);
        if (n >= 0 && (this.lines[n]?.indent ?? 0) > col) bail(); // multi-line scalar
      }
      map.items.push(new Pair(key, value));
      last = next - 1;
      const n = this.nextContent(next);
      const nl = n >= 0 ? this.lines[n] : undefined;
      if (!nl || nl.indent < col) break;
      if (nl.indent > col) bail();
      if (this.isSeqItem(nl.start + nl.indent, nl.end)) break;
      line = n;
      at = nl.start + nl.indent;
    }
    const end = this.collectionEnd(map.items[map.items.length - 1]?.value as Node, last, col);
    map.range = [firstAt, end, end];
    return [map, last + 1];
  }

  /**
   * Where a block collection ends, as `yaml` reports it: where its last item ends, plus the line
   * break after a trailing comment. Comment lines indented inside the block after its last item
   * change `yaml`'s answer in ways not worth copying, so they send the file to `yaml`.
   */
  private collectionEnd(lastItem: Node | undefined, lastLine: number, col: number): number {
    if (!lastItem?.range) return bail();
    for (let k = lastLine + 1; k < this.lines.length; k++) {
      const l = this.lines[k];
      if (!l) break;
      if (!l.skip) break;
      if (l.end > l.start + l.indent && l.indent >= col) bail();
    }
    const e = lastItem.range[2];
    return COMMENTED.has(lastItem) && this.text[e] === '\n' ? e + 1 : e;
  }

  private isSeqItem(at: number, end: number): boolean {
    return this.text[at] === '-' && (at + 1 === end || this.text[at + 1] === ' ');
  }

  private parseSeq(i: number, col: number): [YAMLSeq, number] {
    const seq = new YAMLSeq();
    let line = i;
    const first = this.lines[i];
    if (!first) bail();
    const start = first.start + col;
    let last = i;
    for (;;) {
      const l = this.lines[line];
      if (!l) bail();
      const dash = l.start + col;
      let j = dash + 1;
      while (j < l.end && this.text.charCodeAt(j) === 32) j++;
      let item: Node;
      let next: number;
      if (j === l.end || this.text[j] === '#') {
        const n = this.nextContent(line + 1);
        const nl = n >= 0 ? this.lines[n] : undefined;
        if (nl && nl.indent > col) {
          [item, next] = this.parseBlock(n, nl.indent, nl.start + nl.indent);
        } else {
          bail(); // an empty item: rare, leave it to `yaml`
        }
      } else if (this.isSeqItem(j, l.end)) {
        bail(); // `- - a`
      } else if (this.looksLikeKey(j, l.end)) {
        [item, next] = this.parseMap(line, j - l.start, j);
      } else {
        item = this.parseInline(j, l.end);
        next = line + 1;
        const n = this.nextContent(next);
        if (n >= 0 && (this.lines[n]?.indent ?? 0) > col) bail();
      }
      seq.items.push(item);
      last = next - 1;
      const n = this.nextContent(next);
      const nl = n >= 0 ? this.lines[n] : undefined;
      if (!nl || nl.indent < col) break;
      if (nl.indent > col) bail();
      if (!this.isSeqItem(nl.start + nl.indent, nl.end)) break;
      line = n;
    }
    const end = this.collectionEnd(seq.items[seq.items.length - 1] as Node, last, col);
    seq.range = [start, end, end];
    return [seq, last + 1];
  }

  /** True when the text at `at` is `key:` followed by a space or the end of the line. */
  private looksLikeKey(at: number, end: number): boolean {
    const c = this.text[at];
    if (c === '"' || c === "'") {
      const close = this.text.indexOf(c, at + 1);
      return close > 0 && close < end && this.text[close + 1] === ':';
    }
    if (c === '[' || c === '{') return false;
    for (let k = at; k < end; k++) {
      const ch = this.text[k];
      if (ch === '#' && this.text[k - 1] === ' ') return false;
      if (ch === ':' && (k + 1 === end || this.text[k + 1] === ' ')) return true;
    }
    return false;
  }

  private parseKey(at: number, end: number): [Scalar, number] {
    const c = this.text[at];
    if (c === '"' || c === "'") {
      const [s, after] = this.parseQuoted(at, end);
      if (this.text[after] !== ':' || (after + 1 < end && this.text[after + 1] !== ' ')) bail();
      return [s, after];
    }
    if (
      '-?:,[]{}#&*!|>%@`'.includes(c ?? '') &&
      !(c === '-' && this.text[at + 1] !== ' ' && this.text[at + 1] !== ':')
    )
      bail();
    for (let k = at; k < end; k++) {
      const ch = this.text[k];
      if (ch === '#' && this.text[k - 1] === ' ') bail();
      if (ch === ':' && (k + 1 === end || this.text[k + 1] === ' ')) {
        let e = k;
        while (e > at && this.text.charCodeAt(e - 1) === 32) e--;
        const raw = this.text.slice(at, e);
        if (raw === '<<' || raw === '') bail();
        return [scalar(resolvePlain(raw), at, e, 'PLAIN'), k];
      }
    }
    return bail();
  }

  /** A value on the rest of a line: flow collection, quoted or plain scalar, then an optional comment. */
  private parseInline(at: number, end: number): Node {
    const c = this.text[at] ?? '';
    let node: Node;
    let after: number;
    if (c === '[' || c === '{') {
      [node, after] = this.parseFlow(at, end);
    } else if (c === '"' || c === "'") {
      [node, after] = this.parseQuoted(at, end);
    } else {
      // Indicators cannot start a plain scalar (`- x` after a key is a syntax error, not a string).
      const n1 = this.text[at + 1];
      if ('&*!|>%@`,]}'.includes(c) || ('-?:'.includes(c) && (n1 === ' ' || at + 1 >= end))) bail();
      let e = end;
      for (let k = at; k < end; k++) {
        const ch = this.text[k];
        if (ch === '#' && this.text[k - 1] === ' ') {
          e = k;
          break;
        }
        if (ch === ':' && (k + 1 === end || this.text[k + 1] === ' ')) bail(); // `a: b: c`
      }
      while (e > at && this.text.charCodeAt(e - 1) === 32) e--;
      const raw = this.text.slice(at, e);
      node = scalar(resolvePlain(raw), at, e, 'PLAIN');
      after = e;
    }
    let k = after;
    while (k < end && this.text.charCodeAt(k) === 32) k++;
    if (k < end && !(this.text[k] === '#' && k > after)) bail();
    // As `yaml` does: the node ends after its line break, or at the end of a trailing comment.
    const tail = k < end ? end : end < this.text.length ? end + 1 : end;
    if (node.range) node.range = [node.range[0], node.range[1], tail];
    if (k < end) COMMENTED.add(node);
    return node;
  }

  private parseQuoted(at: number, end: number): [Scalar, number] {
    const q = this.text[at];
    let out = '';
    let k = at + 1;
    for (;;) {
      if (k >= end) bail(); // multi-line quoted scalar
      const ch = this.text[k] ?? '';
      if (ch === q) {
        if (q === "'" && this.text[k + 1] === "'") {
          out += "'";
          k += 2;
          continue;
        }
        break;
      }
      if (q === '"' && ch === '\\') {
        const n = this.text[k + 1] ?? '';
        const simple: Record<string, string> = {
          '"': '"',
          '\\': '\\',
          '/': '/',
          n: '\n',
          t: '\t',
          r: '\r',
          '0': '\0',
          ' ': ' ',
        };
        const rep = simple[n];
        if (rep === undefined) bail();
        out += rep;
        k += 2;
        continue;
      }
      out += ch;
      k++;
    }
    return [scalar(out, at, k + 1, q === '"' ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE'), k + 1];
  }

  private parseFlow(at: number, end: number): [YAMLMap | YAMLSeq, number] {
    const open = this.text[at];
    const close = open === '[' ? ']' : '}';
    const coll = open === '[' ? new YAMLSeq() : new YAMLMap();
    coll.flow = true;
    const keys = new Set<unknown>();
    let k = at + 1;
    const skipSpace = (): void => {
      while (k < end && this.text.charCodeAt(k) === 32) k++;
    };
    skipSpace();
    if (this.text[k] === close) {
      coll.range = [at, k + 1, k + 1];
      return [coll, k + 1];
    }
    for (;;) {
      skipSpace();
      const item = this.parseFlowItem(k, end, coll instanceof YAMLMap);
      k = item.after;
      skipSpace();
      if (coll instanceof YAMLMap) {
        if (this.text[k] !== ':') bail();
        k++;
        skipSpace();
        const v = this.parseFlowItem(k, end, false);
        k = v.after;
        if (keys.has(item.node.value)) bail();
        keys.add(item.node.value);
        coll.items.push(new Pair(item.node, v.node));
        skipSpace();
      } else {
        if (this.text[k] === ':') bail(); // `[a: b]`
        coll.items.push(item.node);
      }
      const ch = this.text[k];
      if (ch === ',') {
        k++;
        skipSpace();
        if (this.text[k] === close) bail(); // trailing comma: leave to `yaml`
        continue;
      }
      if (ch === close) {
        coll.range = [at, k + 1, k + 1];
        return [coll, k + 1];
      }
      return bail();
    }
  }

  private parseFlowItem(at: number, end: number, isKey: boolean): { node: Scalar; after: number } {
    const c = this.text[at] ?? '';
    if (c === '"' || c === "'") {
      const [node, after] = this.parseQuoted(at, end);
      return { node, after };
    }
    const n1 = this.text[at + 1];
    if (
      '[{&*!|>%@`,]}#?'.includes(c) ||
      c === '' ||
      ('-:'.includes(c) && (n1 === ' ' || n1 === ',' || at + 1 >= end))
    )
      bail();
    let e = at;
    while (e < end) {
      const ch = this.text[e];
      if (ch === ',' || ch === ']' || ch === '}' || ch === '[' || ch === '{') break;
      if (ch === ':' && (isKey || this.text[e + 1] === ' ' || this.text[e + 1] === ',')) break;
      if (ch === '#' && this.text[e - 1] === ' ') bail();
      e++;
    }
    let v = e;
    while (v > at && this.text.charCodeAt(v - 1) === 32) v--;
    return { node: scalar(resolvePlain(this.text.slice(at, v)), at, v, 'PLAIN'), after: e };
  }
}
