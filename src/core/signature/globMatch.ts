/**
 * Glob matching with doublestar `**` semantics, as pvr applies include/exclude patterns to state keys.
 *
 * Behaviour learned from pvr 037 (`libpvr/pvslib.go` calls `doublestar.Match(pattern, key)` from
 * bmatcuk/doublestar v1.3.4); this is our own implementation of that behaviour:
 * - pattern and name are split on `/` (a `\/` does not split);
 * - a component that is exactly `**` matches zero or more whole components, except that a trailing
 *   `**` needs at least one component left: `bsp/**` matches `bsp/run.json` but not `bsp`;
 *   `**` alone matches every key, `**` + `/src.json` matches `src.json` at any depth;
 * - inside a component: `*` any run of characters, `?` one character, `[a-z]`/`[^a-z]` classes,
 *   `{a,b}` alternatives, and `\` escaping the next character. `**` that is not a whole component
 *   behaves like `*`.
 * A malformed pattern (unclosed `[` or `{`, a dangling `\`, a bad range) throws {@link GlobError}, as
 * doublestar's ErrBadPattern makes pvr fail.
 */
export class GlobError extends Error {
  constructor(
    readonly pattern: string,
    why: string,
  ) {
    super(`bad glob pattern ${JSON.stringify(pattern)}: ${why}`);
  }
}

const compiled = new Map<string, (name: string) => boolean>();

/** True when `name` (a state key such as `bsp/run.json`) matches `pattern`. Throws {@link GlobError}. */
export function globMatch(pattern: string, name: string): boolean {
  return globMatcher(pattern)(name);
}

/** The compiled matcher of a pattern, cached. Throws {@link GlobError}. */
export function globMatcher(pattern: string): (name: string) => boolean {
  let fn = compiled.get(pattern);
  if (!fn) {
    fn = compileGlob(pattern);
    if (compiled.size > 10000) compiled.clear();
    compiled.set(pattern, fn);
  }
  return fn;
}

const SPECIAL = /[*?[{\\]/;

/**
 * Compiles a pattern once (checking it first). The common shapes take fast paths with the same
 * results as the general matcher: a literal (`device.json`), `**`, and `literal/**`.
 */
export function compileGlob(pattern: string): (name: string) => boolean {
  checkGlob(pattern);
  if (pattern === '**') return () => true;
  if (!SPECIAL.test(pattern)) return (name) => name === pattern;
  if (pattern.endsWith('/**') && !SPECIAL.test(pattern.slice(0, -3))) {
    // `a/b/**`: the literal components, then at least one more component (possibly empty).
    const prefix = pattern.slice(0, -2);
    return (name) => name.startsWith(prefix);
  }
  const pat = splitUnescaped(pattern, '/');
  return (name) => matchComponents(pat, 0, splitUnescaped(name, '/'), 0);
}

/**
 * Throws {@link GlobError} when `pattern` is malformed. doublestar reports a bad pattern only when
 * matching reaches the bad part; we check the whole pattern first so the error never depends on
 * which keys happen to be in the state.
 */
export function checkGlob(pattern: string): void {
  const p = [...pattern];
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      if (i + 1 >= p.length) throw new GlobError(pattern, 'it ends with a lone "\\"');
      i++;
    } else if (c === '[') {
      const close = findClose(p, i + 1, ']');
      if (close < 0) throw new GlobError(pattern, 'a "[" is never closed');
      matchClass(pattern, p.slice(i + 1, close), undefined);
      i = close;
    } else if (c === '{') {
      if (findClose(p, i + 1, '}') < 0) throw new GlobError(pattern, 'a "{" is never closed');
    }
  }
}

function splitUnescaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + (s[i + 1] as string);
      i++;
    } else if (c === sep) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function matchComponents(pat: string[], pi: number, nam: string[], ni: number): boolean {
  if (pi >= pat.length && ni >= nam.length) return true;
  if (pi >= pat.length || ni >= nam.length) return false;
  while (pi < pat.length && ni < nam.length) {
    if (pat[pi] === '**') {
      pi++;
      if (pi >= pat.length) return true;
      for (; ni < nam.length; ni++) {
        if (matchComponents(pat, pi, nam, ni)) return true;
      }
      return false;
    }
    if (!matchComponent([...(pat[pi] as string)], 0, [...(nam[ni] as string)], 0)) return false;
    pi++;
    ni++;
  }
  return pi >= pat.length && ni >= nam.length;
}

/** Matches one component code point by code point; the pattern was checked by {@link checkGlob}. */
function matchComponent(p: string[], pi: number, n: string[], ni: number): boolean {
  while (pi < p.length) {
    const c = p[pi] as string;
    if (c === '*') {
      while (p[pi] === '*') pi++;
      if (pi >= p.length) return true;
      for (let k = ni; k <= n.length; k++) {
        if (matchComponent(p, pi, n, k)) return true;
      }
      return false;
    }
    if (c === '{') {
      const close = findClose(p, pi + 1, '}');
      const rest = p.slice(close + 1);
      return splitOptions(p.slice(pi + 1, close)).some((o) => matchComponent([...o, ...rest], 0, n, ni));
    }
    if (ni >= n.length) return false;
    if (c === '[') {
      const close = findClose(p, pi + 1, ']');
      if (!matchClass('', p.slice(pi + 1, close), n[ni])) return false;
      pi = close + 1;
    } else if (c === '\\') {
      if (n[ni] !== p[pi + 1]) return false;
      pi += 2;
    } else {
      if (c !== '?' && n[ni] !== c) return false;
      pi++;
    }
    ni++;
  }
  return ni >= n.length;
}

function findClose(p: string[], from: number, close: string): number {
  for (let i = from; i < p.length; i++) {
    if (p[i] === '\\') i++;
    else if (p[i] === close) return i;
  }
  return -1;
}

function splitOptions(body: string[]): string[][] {
  const out: string[][] = [[]];
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '\\' && i + 1 < body.length) {
      out[out.length - 1]?.push(c, body[i + 1] as string);
      i++;
    } else if (c === ',') out.push([]);
    else out[out.length - 1]?.push(c);
  }
  return out;
}

function matchClass(whole: string, cls: string[], ch: string | undefined): boolean {
  if (cls.length === 0) throw new GlobError(whole, 'empty character class "[]"');
  let i = 0;
  const negate = cls[0] === '^' || cls[0] === '!';
  if (negate) i++;
  let hit = false;
  const take = (): string => {
    let c = cls[i++] as string;
    if (c === '\\') {
      if (i >= cls.length) throw new GlobError(whole, 'character class ends with "\\"');
      c = cls[i++] as string;
    } else if (c === '-') throw new GlobError(whole, 'bad range in character class');
    return c;
  };
  while (i < cls.length) {
    const lo = take();
    let hi = lo;
    if (cls[i] === '-') {
      i++;
      if (i >= cls.length) throw new GlobError(whole, 'unfinished range in character class');
      hi = take();
    }
    if (ch !== undefined && (ch.codePointAt(0) ?? 0) >= (lo.codePointAt(0) ?? 0)) {
      if ((ch.codePointAt(0) ?? 0) <= (hi.codePointAt(0) ?? 0)) hit = true;
    }
  }
  return hit !== negate;
}
