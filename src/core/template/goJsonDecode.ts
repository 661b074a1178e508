import { JsonNumber, type GoMap, type GoValue } from './goValue';

/**
 * A JSON reader that accepts exactly what Go's `encoding/json` Decoder accepts and decodes strings
 * exactly as it does, so that src.json means to us what it means to pvr:
 *
 * - input is bytes; only the first JSON value is read and anything after it is ignored
 *   (pvr uses `json.NewDecoder(f).Decode`), leading space/TAB/CR/LF is skipped, a UTF-8 BOM is an error;
 * - each invalid UTF-8 byte inside a string becomes one U+FFFD (Go's `utf8.DecodeRune` rule, not
 *   WHATWG's maximal-subpart rule); an escaped lone surrogate becomes U+FFFD;
 * - numbers are validated with JSON's grammar and kept as their source text;
 * - nesting deeper than 10000 is an error, as in Go.
 *
 * The result is a syntax tree that keeps duplicate members and byte offsets, because decoding into
 * pvr's `Source` struct (see `decodeSrcJson.ts`) treats duplicates differently per field.
 */

export type JsonNode =
  | { kind: 'object'; start: number; end: number; members: JsonMember[] }
  | { kind: 'array'; start: number; end: number; items: JsonNode[] }
  | { kind: 'string'; start: number; end: number; value: string }
  | { kind: 'number'; start: number; end: number; text: string }
  | { kind: 'literal'; start: number; end: number; value: boolean | null };

export interface JsonMember {
  key: string;
  keyStart: number;
  value: JsonNode;
}

/** A syntax error with the byte offset where Go's scanner stopped and Go's own wording. */
export class GoJsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const MAX_DEPTH = 10000;
/** pvkit stops earlier than Go so that the recursive consumers cannot overflow the JavaScript stack. */
const SAFE_DEPTH = 1000;

/** Go's `quoteChar`: how the scanner names an offending byte (a byte >= 0x80 shows as its Latin-1 character). */
function quoteChar(c: number): string {
  if (c === 0x27) return `'\\''`;
  if (c === 0x22) return `'"'`;
  const s = JSON.stringify(String.fromCharCode(c));
  return `'${s.slice(1, -1)}'`;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isDigit(c: number | undefined): c is number {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

function hexVal(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/**
 * Go's `utf8.DecodeRune`: returns the code point and its length, or U+FFFD with length 1 for any
 * invalid, overlong, surrogate or truncated sequence.
 */
export function decodeRune(b: Uint8Array, i: number): [number, number] {
  const b0 = b[i] ?? 0;
  if (b0 < 0x80) return [b0, 1];
  const cont = (j: number, lo = 0x80, hi = 0xbf): number => {
    const x = b[i + j];
    return x !== undefined && x >= lo && x <= hi ? x & 0x3f : -1;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    const c1 = cont(1);
    return c1 < 0 ? [0xfffd, 1] : [((b0 & 0x1f) << 6) | c1, 2];
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const c1 = cont(1, b0 === 0xe0 ? 0xa0 : 0x80, b0 === 0xed ? 0x9f : 0xbf);
    const c2 = cont(2);
    return c1 < 0 || c2 < 0 ? [0xfffd, 1] : [((b0 & 0x0f) << 12) | (c1 << 6) | c2, 3];
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const c1 = cont(1, b0 === 0xf0 ? 0x90 : 0x80, b0 === 0xf4 ? 0x8f : 0xbf);
    const c2 = cont(2);
    const c3 = cont(3);
    return c1 < 0 || c2 < 0 || c3 < 0 ? [0xfffd, 1] : [((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3, 4];
  }
  return [0xfffd, 1];
}

class Reader {
  pos = 0;
  constructor(readonly b: Uint8Array) {}

  fail(what: string): never {
    const c = this.b[this.pos];
    if (c === undefined) throw new GoJsonSyntaxError('unexpected end of JSON input', this.pos);
    throw new GoJsonSyntaxError(`invalid character ${quoteChar(c)} ${what}`, this.pos);
  }

  checkDepth(depth: number): void {
    if (depth > MAX_DEPTH) throw new GoJsonSyntaxError('exceeded max depth', this.pos);
    if (depth > SAFE_DEPTH) {
      throw new GoJsonSyntaxError(
        `nesting deeper than ${SAFE_DEPTH} levels (pvkit's limit; Go allows ${MAX_DEPTH}): flatten the value`,
        this.pos,
      );
    }
  }

  skipSpace(): void {
    while (this.pos < this.b.length && isSpace(this.b[this.pos] ?? 0)) this.pos++;
  }

  value(depth: number): JsonNode {
    this.skipSpace();
    const c = this.b[this.pos];
    const start = this.pos;
    switch (c) {
      case 0x7b: // {
        return this.object(depth + 1);
      case 0x5b: // [
        return this.array(depth + 1);
      case 0x22: // "
        return { kind: 'string', start, value: this.string(), end: this.pos };
      case 0x74:
        this.literal('true');
        return { kind: 'literal', start, end: this.pos, value: true };
      case 0x66:
        this.literal('false');
        return { kind: 'literal', start, end: this.pos, value: false };
      case 0x6e:
        this.literal('null');
        return { kind: 'literal', start, end: this.pos, value: null };
      default:
        if (c === 0x2d || isDigit(c)) return { kind: 'number', start, text: this.number(), end: this.pos };
        return this.fail('looking for beginning of value');
    }
  }

  literal(word: string): void {
    for (let i = 0; i < word.length; i++) {
      if (this.b[this.pos] !== word.charCodeAt(i)) {
        if (i === 0) this.fail('looking for beginning of value');
        this.fail(`in literal ${word} (expecting '${word[i] ?? ''}')`);
      }
      this.pos++;
    }
  }

  number(): string {
    const start = this.pos;
    if (this.b[this.pos] === 0x2d) {
      this.pos++;
      if (!isDigit(this.b[this.pos])) this.fail('in numeric literal');
    }
    if (this.b[this.pos] === 0x30) this.pos++;
    else while (isDigit(this.b[this.pos])) this.pos++;
    if (this.b[this.pos] === 0x2e) {
      this.pos++;
      if (!isDigit(this.b[this.pos])) this.fail('after decimal point in numeric literal');
      while (isDigit(this.b[this.pos])) this.pos++;
    }
    const e = this.b[this.pos];
    if (e === 0x65 || e === 0x45) {
      this.pos++;
      const s = this.b[this.pos];
      if (s === 0x2b || s === 0x2d) this.pos++;
      if (!isDigit(this.b[this.pos])) this.fail('in exponent of numeric literal');
      while (isDigit(this.b[this.pos])) this.pos++;
    }
    let text = '';
    for (let i = start; i < this.pos; i++) text += String.fromCharCode(this.b[i] ?? 0);
    return text;
  }

  string(): string {
    this.pos++; // opening quote
    const units: number[] = [];
    let out = '';
    const flush = (): void => {
      for (let i = 0; i < units.length; i += 4096) out += String.fromCharCode(...units.slice(i, i + 4096));
      units.length = 0;
    };
    const push = (cp: number): void => {
      if (cp >= 0x10000) {
        const v = cp - 0x10000;
        units.push(0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
      } else units.push(cp);
      if (units.length > 16384) flush();
    };
    for (;;) {
      const c = this.b[this.pos];
      if (c === undefined) this.fail('in string literal');
      if (c === 0x22) {
        this.pos++;
        break;
      }
      if (c < 0x20) this.fail('in string literal');
      if (c === 0x5c) {
        this.pos++;
        const e = this.b[this.pos];
        const simple: Record<number, number> = {
          0x22: 0x22,
          0x5c: 0x5c,
          0x2f: 0x2f,
          0x62: 0x08,
          0x66: 0x0c,
          0x6e: 0x0a,
          0x72: 0x0d,
          0x74: 0x09,
        };
        if (e !== undefined && simple[e] !== undefined) {
          push(simple[e]);
          this.pos++;
          continue;
        }
        if (e !== 0x75) this.fail('in string escape code');
        this.pos++;
        const r = this.hex4();
        if (r >= 0xd800 && r <= 0xdfff) {
          // Go: a high surrogate followed by an escaped low one is one character; anything else is U+FFFD
          // and the following escape (if any) is decoded on its own.
          if (r < 0xdc00 && this.b[this.pos] === 0x5c && this.b[this.pos + 1] === 0x75) {
            const save = this.pos;
            this.pos += 2;
            const r2 = this.hex4();
            if (r2 >= 0xdc00 && r2 <= 0xdfff) {
              push(0x10000 + ((r - 0xd800) << 10) + (r2 - 0xdc00));
              continue;
            }
            this.pos = save;
          }
          push(0xfffd);
          continue;
        }
        push(r);
        continue;
      }
      const [cp, size] = decodeRune(this.b, this.pos);
      push(cp);
      this.pos += size;
    }
    flush();
    return out;
  }

  hex4(): number {
    let r = 0;
    for (let i = 0; i < 4; i++) {
      const h = hexVal(this.b[this.pos]);
      if (h < 0) this.fail('in \\u hexadecimal character escape');
      r = r * 16 + h;
      this.pos++;
    }
    return r;
  }

  object(depth: number): JsonNode {
    this.checkDepth(depth);
    const start = this.pos;
    this.pos++;
    const members: JsonMember[] = [];
    this.skipSpace();
    if (this.b[this.pos] === 0x7d) {
      this.pos++;
      return { kind: 'object', start, end: this.pos, members };
    }
    for (;;) {
      this.skipSpace();
      if (this.b[this.pos] !== 0x22) this.fail('looking for beginning of object key string');
      const keyStart = this.pos;
      const key = this.string();
      this.skipSpace();
      if (this.b[this.pos] !== 0x3a) this.fail('after object key');
      this.pos++;
      const value = this.value(depth);
      members.push({ key, keyStart, value });
      this.skipSpace();
      const c = this.b[this.pos];
      if (c === 0x2c) {
        this.pos++;
        continue;
      }
      if (c === 0x7d) {
        this.pos++;
        return { kind: 'object', start, end: this.pos, members };
      }
      this.fail('after object key:value pair');
    }
  }

  array(depth: number): JsonNode {
    this.checkDepth(depth);
    const start = this.pos;
    this.pos++;
    const items: JsonNode[] = [];
    this.skipSpace();
    if (this.b[this.pos] === 0x5d) {
      this.pos++;
      return { kind: 'array', start, end: this.pos, items };
    }
    for (;;) {
      items.push(this.value(depth));
      this.skipSpace();
      const c = this.b[this.pos];
      if (c === 0x2c) {
        this.pos++;
        continue;
      }
      if (c === 0x5d) {
        this.pos++;
        return { kind: 'array', start, end: this.pos, items };
      }
      this.fail('after array element');
    }
  }
}

/** The input as UTF-8 bytes (a string is encoded; lone surrogates become U+FFFD as TextEncoder does). */
export function toUtf8Bytes(input: string | Uint8Array): Uint8Array {
  return typeof input === 'string' ? new TextEncoder().encode(input) : input;
}

/**
 * Reads the first JSON value of `input` the way Go's json.Decoder does. With `whole`, anything but
 * whitespace after the value is an error too (Go's `json.Unmarshal`/`json.Valid`).
 */
export function parseGoJson(input: string | Uint8Array, whole = false): JsonNode {
  const r = new Reader(toUtf8Bytes(input));
  const node = r.value(0);
  if (whole) {
    r.skipSpace();
    if (r.pos < r.b.length) r.fail('after top-level value');
  }
  return node;
}

/** True if `text` is exactly one valid JSON value (as Go's `json.Valid` judges it). */
export function isValidGoJson(text: string | Uint8Array): boolean {
  try {
    parseGoJson(text, true);
    return true;
  } catch (e) {
    if (e instanceof GoJsonSyntaxError) return false;
    throw e;
  }
}

/** Decodes a node as Go decodes into `interface{}` with UseNumber: within one object the later duplicate wins. */
export function nodeToGoValue(n: JsonNode): GoValue {
  switch (n.kind) {
    case 'literal':
      return n.value;
    case 'string':
      return n.value;
    case 'number':
      return new JsonNumber(n.text);
    case 'array':
      return n.items.map(nodeToGoValue);
    case 'object': {
      const m: GoMap = new Map();
      for (const mem of n.members) m.set(mem.key, nodeToGoValue(mem.value));
      return m;
    }
  }
}

/** Line and column (1-based, columns counted in bytes) of a byte offset, for error messages. */
export function byteLineCol(input: string | Uint8Array, offset: number): { line: number; col: number } {
  const b = toUtf8Bytes(input);
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset && i < b.length; i++) {
    if (b[i] === 0x0a) {
      line++;
      col = 1;
    } else col++;
  }
  return { line, col };
}
