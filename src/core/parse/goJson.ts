/**
 * The one reader of JSON as Go's `encoding/json` reads it, behind the repository engine
 * (`.pvr/json`, remote states) and the template (`src.json`), so that a file means to us what it
 * means to pvr:
 *
 * - input is bytes; leading space/TAB/CR/LF is skipped, a UTF-8 BOM is an error;
 * - each invalid UTF-8 byte inside a string becomes one U+FFFD (Go's `utf8.DecodeRune` rule, not
 *   WHATWG's maximal-subpart rule); an escaped lone surrogate becomes U+FFFD;
 * - numbers are checked against JSON's grammar and kept as their source text;
 * - error messages are Go's own wording, with the byte offset where Go's scanner stopped;
 * - nesting is limited (Go stops at 10,000 levels; we stop at 1,000 so that recursive consumers
 *   cannot overflow the JavaScript stack, and say so).
 *
 * The result is a syntax tree that keeps duplicate members and byte offsets; callers decide what a
 * duplicate means (Go's `interface{}` decoding keeps the last one, struct decoding differs per field).
 */

export type GoJsonNode =
  | { kind: 'object'; start: number; end: number; members: GoJsonMember[] }
  | { kind: 'array'; start: number; end: number; items: GoJsonNode[] }
  | { kind: 'string'; start: number; end: number; value: string }
  | { kind: 'number'; start: number; end: number; text: string }
  | { kind: 'literal'; start: number; end: number; value: boolean | null };

export interface GoJsonMember {
  key: string;
  keyStart: number;
  value: GoJsonNode;
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

/** The message json.Unmarshal gives when the input ends inside a value (a Decoder says `unexpected EOF`). */
export const UNEXPECTED_END = 'unexpected end of JSON input';

const MAX_DEPTH = 10000;
const SAFE_DEPTH = 1000;

/** Go's `quoteChar`: how the scanner shows the offending byte (`strconv.Quote` of the rune U+00XX). */
function quoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return "'\"'";
  const named: Record<number, string> = {
    7: '\\a',
    8: '\\b',
    9: '\\t',
    10: '\\n',
    11: '\\v',
    12: '\\f',
    13: '\\r',
  };
  const n = named[c];
  if (n) return `'${n}'`;
  if (c === 0x5c) return "'\\\\'";
  if (c < 0x20 || c === 0x7f) return `'\\x${c.toString(16).padStart(2, '0')}'`;
  // C1 controls, NBSP and the soft hyphen are not printable for strconv.Quote.
  if ((c >= 0x80 && c <= 0xa0) || c === 0xad) return `'\\u${c.toString(16).padStart(4, '0')}'`;
  return `'${String.fromCharCode(c)}'`;
}

function isSpace(c: number | undefined): boolean {
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

const SIMPLE_ESCAPES: Record<number, string> = {
  0x22: '"',
  0x5c: '\\',
  0x2f: '/',
  0x62: '\b',
  0x66: '\f',
  0x6e: '\n',
  0x72: '\r',
  0x74: '\t',
};

// Only ever given bytes below 0x80, where every single-byte decoder agrees.
const ASCII = new TextDecoder('latin1');

/**
 * Go's `utf8.DecodeRune`: the code point and its length, or U+FFFD with length 1 for any invalid,
 * overlong, surrogate or truncated sequence.
 */
export function decodeRune(b: Uint8Array, i: number, end = b.length): [number, number] {
  const b0 = b[i] ?? 0;
  if (b0 < 0x80) return [b0, 1];
  const cont = (j: number, lo = 0x80, hi = 0xbf): number => {
    const x = i + j < end ? b[i + j] : undefined;
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

/** Bytes `start..end` of a string's body (no escapes in it) as Go decodes them; ASCII runs go in one piece. */
function decodeRun(b: Uint8Array, start: number, end: number): string {
  let out = '';
  let i = start;
  let asciiStart = i;
  while (i < end) {
    if ((b[i] ?? 0) < 0x80) {
      i++;
      continue;
    }
    if (i > asciiStart) out += ASCII.decode(b.subarray(asciiStart, i));
    const [cp, size] = decodeRune(b, i, end);
    out += String.fromCodePoint(cp);
    i += size;
    asciiStart = i;
  }
  if (end > asciiStart) out += ASCII.decode(b.subarray(asciiStart, end));
  return out;
}

class Reader {
  pos = 0;
  constructor(readonly b: Uint8Array) {}

  fail(what: string): never {
    const c = this.b[this.pos];
    if (c === undefined) throw new GoJsonSyntaxError(UNEXPECTED_END, this.pos);
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
    while (this.pos < this.b.length && isSpace(this.b[this.pos])) this.pos++;
  }

  value(depth: number): GoJsonNode {
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
    return ASCII.decode(this.b.subarray(start, this.pos));
  }

  string(): string {
    this.pos++; // opening quote
    let out = '';
    let runStart = this.pos;
    for (;;) {
      const c = this.b[this.pos];
      if (c === undefined) this.fail('in string literal');
      if (c === 0x22) {
        if (this.pos > runStart) out += decodeRun(this.b, runStart, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail('in string literal');
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      if (this.pos > runStart) out += decodeRun(this.b, runStart, this.pos);
      this.pos++;
      const e = this.b[this.pos];
      const simple = e === undefined ? undefined : SIMPLE_ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        this.pos++;
      } else if (e === 0x75) {
        this.pos++;
        out += this.unicodeEscape();
      } else this.fail('in string escape code');
      runStart = this.pos;
    }
  }

  /** The text of a `\uXXXX` escape (after `\u`): a pair of escaped surrogates is one character. */
  unicodeEscape(): string {
    const r = this.hex4();
    if (r < 0xd800 || r > 0xdfff) return String.fromCharCode(r);
    // A high surrogate combines only with a directly following low-surrogate escape; anything else
    // is U+FFFD, and a following escape is decoded on its own.
    if (r < 0xdc00 && this.b[this.pos] === 0x5c && this.b[this.pos + 1] === 0x75) {
      const save = this.pos;
      this.pos += 2;
      const r2 = this.hex4();
      if (r2 >= 0xdc00 && r2 <= 0xdfff) return String.fromCharCode(r, r2);
      this.pos = save;
    }
    return '\ufffd';
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

  object(depth: number): GoJsonNode {
    this.checkDepth(depth);
    const start = this.pos;
    this.pos++;
    const members: GoJsonMember[] = [];
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

  array(depth: number): GoJsonNode {
    this.checkDepth(depth);
    const start = this.pos;
    this.pos++;
    const items: GoJsonNode[] = [];
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
 * Reads the first JSON value of `input` the way Go's json.Decoder does (anything after it is left
 * unread). With `whole`, anything but whitespace after the value is an error too (Go's
 * `json.Unmarshal`/`json.Valid`). Throws {@link GoJsonSyntaxError}.
 */
export function readGoJson(input: string | Uint8Array, whole = false): GoJsonNode {
  const r = new Reader(toUtf8Bytes(input));
  const node = r.value(0);
  if (whole) {
    r.skipSpace();
    if (r.pos < r.b.length) r.fail('after top-level value');
  }
  return node;
}

/** True when `input` holds nothing but whitespace (Go's Decoder then answers `EOF`). */
export function isBlankInput(input: string | Uint8Array): boolean {
  const b = toUtf8Bytes(input);
  for (const c of b) if (!isSpace(c)) return false;
  return true;
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
