/**
 * Go's `filepath.Match` on `/`-separated paths, which `pvr add` applies to whole absolute paths:
 * `*` and `?` never cross `/`, `[...]` classes (with `^` negation and ranges) and `\` escapes work.
 */

/** Thrown for a malformed pattern; the message is Go's `filepath.ErrBadPattern` text. */
export class GlobSyntaxError extends Error {
  constructor() {
    super('syntax error in pattern');
  }
}

function escapeRe(ch: string, inClass = false): string {
  if (inClass) return /[\\^\][-]/.test(ch) ? `\\${ch}` : ch;
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}

/** Compiles a Go glob into an anchored RegExp, or throws {@link GlobSyntaxError}. */
export function compileGoGlob(pattern: string): RegExp {
  const chars = Array.from(pattern);
  let re = '^';
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] ?? '';
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      const n = chars[++i];
      if (n === undefined) throw new GlobSyntaxError();
      re += escapeRe(n);
    } else if (c === '[') {
      i++;
      let negate = false;
      if (chars[i] === '^') {
        negate = true;
        i++;
      }
      const ranges: string[] = [];
      let first = true;
      for (;;) {
        const ch = chars[i];
        if (ch === undefined) throw new GlobSyntaxError();
        if (ch === ']' && !first) break;
        first = false;
        const readOne = (): string => {
          let x = chars[i];
          if (x === '\\') x = chars[++i];
          if (x === undefined || x === '-' || x === ']') throw new GlobSyntaxError();
          i++;
          return x;
        };
        const lo = readOne();
        let hi = lo;
        if (chars[i] === '-') {
          i++;
          hi = readOne();
          if ((hi.codePointAt(0) ?? 0) < (lo.codePointAt(0) ?? 0)) throw new GlobSyntaxError();
        }
        ranges.push(lo === hi ? escapeRe(lo, true) : `${escapeRe(lo, true)}-${escapeRe(hi, true)}`);
      }
      // Go's classes never match the separator.
      re += negate ? `(?!/)[^${ranges.join('')}]` : `(?!/)[${ranges.join('')}]`;
    } else re += escapeRe(c);
  }
  return new RegExp(re + '$', 'su');
}

/** `filepath.Match(pattern, name)`; throws {@link GlobSyntaxError} for a malformed pattern. */
export function goGlobMatch(pattern: string, name: string): boolean {
  return compileGoGlob(pattern).test(name);
}
