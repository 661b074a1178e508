import { goJsonString, indentJson } from '../revision/canonicalJson';
import { JsonNumber, sortedKeys, type GoValue } from './goValue';

/**
 * The Go formatting functions pvr's template calls: `encoding/json` (through sprig's `toJson` and
 * `toPrettyJson`), `strconv.Quote` (sprig's `quote`) and `strings.ToLower` (sprig's `lower`).
 */

const HEX = '0123456789abcdef';

/** encoding/json string escaping with HTML escaping on (Go 1.20, the default of `json.Marshal`). */
export { goJsonString };

/**
 * Escapes only what JSON requires (`"`, `\`, control characters): used by the corrected (`fixed`)
 * output where pvr interpolated a raw string, so that values pvr wrote validly keep their exact bytes.
 */
export function minimalJsonEscape(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20) out += `\\u00${HEX[c >> 4]}${HEX[c & 15]}`;
    else out += s[i];
  }
  return out;
}

/** sprig `toJson`: compact `json.Marshal`, map keys in byte order, numbers as their literal text. */
export function goJson(v: GoValue | undefined): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return goJsonString(v);
  if (v instanceof JsonNumber) return v.text;
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  return `{${sortedKeys(v)
    .map((k) => `${goJsonString(k)}:${goJson(v.get(k))}`)
    .join(',')}}`;
}

/**
 * sprig `toPrettyJson`: `json.MarshalIndent(v, "", "  ")`. Empty arrays and objects stay `[]`/`{}`;
 * no trailing newline.
 */
export function goPrettyJson(v: GoValue | undefined): string {
  return indentJson(goJson(v), '  ');
}

const PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u;

/**
 * `strconv.Quote` (sprig's `quote`): Go escapes for non-printable characters (`\a`, `\v`, `\xNN`,
 * `\uXXXX`, `\UXXXXXXXX`, lowercase hex), printable ones raw. "Printable" is Go's `unicode.IsPrint`:
 * categories L, M, N, P, S plus the ASCII space. With `jsonSafe`, the four escapes JSON lacks are
 * spelled the JSON way instead (the corrected output); everything else is identical.
 */
export function goQuote(s: string, jsonSafe = false): string {
  let out = '"';
  for (const ch of s) {
    const r = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') {
      out += `\\${ch}`;
      continue;
    }
    if (r < 0x80 ? r >= 0x20 && r < 0x7f : PRINTABLE.test(ch)) {
      out += ch;
      continue;
    }
    switch (r) {
      case 0x07:
        out += jsonSafe ? '\\u0007' : '\\a';
        continue;
      case 0x08:
        out += '\\b';
        continue;
      case 0x0c:
        out += '\\f';
        continue;
      case 0x0a:
        out += '\\n';
        continue;
      case 0x0d:
        out += '\\r';
        continue;
      case 0x09:
        out += '\\t';
        continue;
      case 0x0b:
        out += jsonSafe ? '\\u000b' : '\\v';
        continue;
    }
    if (r < 0x20 || r === 0x7f) out += jsonSafe ? `\\u00${hex(r, 2)}` : `\\x${hex(r, 2)}`;
    else if (r < 0x10000) out += `\\u${hex(r, 4)}`;
    else if (jsonSafe) {
      const v = r - 0x10000;
      out += `\\u${hex(0xd800 + (v >> 10), 4)}\\u${hex(0xdc00 + (v & 0x3ff), 4)}`;
    } else out += `\\U${hex(r, 8)}`;
  }
  return `${out}"`;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/**
 * Go's `strings.ToLower`: a per-character simple lower-case mapping. JavaScript's `toLowerCase`
 * applies full and context-sensitive mappings (U+0130 becomes two characters, a final capital sigma
 * becomes `ς`); mapping one character at a time and special-casing U+0130 avoids both.
 */
export function goLower(s: string): string {
  let out = '';
  for (const ch of s) {
    if (ch === '\u0130') out += 'i';
    else {
      const l = ch.toLowerCase();
      out += [...l].length === 1 ? l : ch;
    }
  }
  return out;
}
