import { posix } from 'node:path';

/** The include/exclude globs stored in a signature's `pvs` header. */
export interface PvsMatch {
  include: string[];
  exclude: string[];
}

/** Go's `path.Join`: joins non-empty parts with `/` and cleans the result (no trailing slash). */
export function goPathJoin(...parts: string[]): string {
  const nonEmpty = parts.filter((p) => p !== '');
  if (nonEmpty.length === 0) return '';
  const n = posix.normalize(nonEmpty.join('/'));
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

export interface SigAddOptions {
  part?: string | undefined;
  raw?: string | undefined;
  /** Given `--include` globs; pvr's default is `**`. */
  include?: string[] | undefined;
  /** Given `--exclude` globs; pvr's default is `src.json`. */
  exclude?: string[] | undefined;
  noconfig?: boolean | undefined;
}

/**
 * The match rule `pvr sig add` builds (pvr 037 `cmdsigadd.go`), reproduced exactly:
 * - `--part P`: every include and exclude is joined under `P/`, `_config/P/**` is added to the
 *   includes unless `--noconfig`, and `_sigs/P.json` to the excludes;
 * - `--raw N`: the globs are used verbatim and the `_sigs/` exclude is built from the (empty) part
 *   name, so it is literally `_sigs/.json`. That is a pvr quirk kept for identical signatures;
 *   real signatures in Pantavisor's test states carry it. Give `-e _sigs/N.json` to exclude the
 *   signature itself.
 * The name of the signature (`_sigs/<name>.json`) is P or N.
 */
export function matchForAdd(o: SigAddOptions): { name: string; match: PvsMatch } {
  const part = o.part ?? '';
  const raw = o.raw ?? '';
  if (!part && !raw) throw new Error('no part nor raw name provided; give --part NAME or --raw NAME');
  if (part && raw) throw new Error('--part and --raw cannot be used at the same time');
  const name = part || raw;
  const inc = o.include && o.include.length ? [...o.include] : ['**'];
  const exc = o.exclude && o.exclude.length ? [...o.exclude] : ['src.json'];
  const include = part ? inc.map((g) => goPathJoin(part, g)) : inc;
  const exclude = part ? exc.map((g) => goPathJoin(part, g)) : exc;
  exclude.push(goPathJoin('_sigs', part + '.json'));
  if (part && !o.noconfig) include.push(goPathJoin('_config', part, '**'));
  return { name, match: { include, exclude } };
}

/** `_sigs/<name>.json` for a name, or the argument itself when it already ends in `.json` (pvr). */
export function sigKeyFor(arg: string): string {
  return arg.endsWith('.json') ? arg : `_sigs/${arg}.json`;
}

/** The name part of `_sigs/<name>.json`. */
export function sigNameOf(key: string): string {
  return posix.basename(key).replace(/\.json$/, '');
}
