/**
 * Splits a command string into words the way compose does (POSIX shell quoting without
 * expansion): single quotes are literal, double quotes allow `\"` `\\` `\$` escapes, a backslash
 * outside quotes escapes the next character.
 */
export function splitShellWords(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] ?? '';
    if (ch === "'") {
      const end = s.indexOf("'", i + 1);
      const stop = end < 0 ? s.length : end;
      cur += s.slice(i + 1, stop);
      i = stop;
      inWord = true;
    } else if (ch === '"') {
      inWord = true;
      for (i++; i < s.length && s[i] !== '"'; i++) {
        const c = s[i] ?? '';
        if (c === '\\' && i + 1 < s.length && '"\\$`\n'.includes(s[i + 1] ?? '')) cur += s[++i] ?? '';
        else cur += c;
      }
    } else if (ch === '\\' && i + 1 < s.length) {
      cur += s[++i] ?? '';
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** Docker byte sizes: a number of bytes, or `<n>[b|k|m|g]` (binary units, as Docker reads them). */
export function parseByteSize(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.floor(v);
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([bkmg]?)b?\s*$/i.exec(v);
  if (!m) return undefined;
  const unit = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase()] ?? 1;
  return Math.floor(Number(m[1]) * unit);
}
