import { goFloatText, goJsonString, indentJson } from '../revision/canonicalJson';

/**
 * JSON written the way Go's `encoding/json` (Go 1.20, which pvr 037 is built with) writes it: `<`,
 * `>`, `&`, U+2028 and U+2029 escaped as `\u003c`…, other control characters as lower-case `\u00xx`
 * except `\n`, `\r`, `\t`. Object members keep the order of the JS object: callers order them as Go
 * would (struct field order, or sorted for maps). Used for the protected header pvr builds and for
 * the `pvr sig ls` summary (`json.MarshalIndent` with four spaces).
 */
export function goMarshal(value: unknown, indent = ''): string {
  const compact = write(value);
  return indent ? indentJson(compact, indent) : compact;
}

function write(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goJsonString(v);
  if (typeof v === 'number') return Number.isFinite(v) ? goFloatText(v) : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(write).join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  return `{${entries.map(([k, x]) => `${goJsonString(k)}:${write(x)}`).join(',')}}`;
}
