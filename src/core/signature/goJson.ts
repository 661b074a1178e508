/**
 * JSON written the way Go's `encoding/json` (Go 1.20, which pvr 037 is built with) writes it: `<`,
 * `>`, `&`, U+2028 and U+2029 escaped as `\u003c`…, other control characters as lower-case `\u00xx`
 * except `\n`, `\r`, `\t`. Object members keep the order of the JS object: callers order them as Go
 * would (struct field order, or sorted for maps). Used for the protected header pvr builds and for
 * the `pvr sig ls` summary (`json.MarshalIndent` with four spaces).
 */
export function goMarshal(value: unknown, indent = ''): string {
  return write(value, indent, '');
}

function write(v: unknown, indent: string, prefix: string): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const inner = prefix + indent;
  const nl = indent ? '\n' : '';
  const sep = indent ? ': ' : ':';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[${nl}${v.map((x) => inner + write(x, indent, inner)).join(',' + nl)}${nl}${prefix}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  if (entries.length === 0) return '{}';
  return `{${nl}${entries.map(([k, x]) => inner + goString(k) + sep + write(x, indent, inner)).join(',' + nl)}${nl}${prefix}}`;
}

/** A Go-encoded string literal. */
export function goString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029)
      out += '\\u' + c.toString(16).padStart(4, '0');
    else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
}
