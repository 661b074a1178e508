/**
 * The two ways pvr selects parts of a state (pvr-repo.md §9.1 and §10.3). They differ on purpose:
 * export matches whole path components, get matches plain string prefixes.
 */

/**
 * `pvr export --parts`: keeps `key` when it equals a part or lies below it (`P/`), and always keeps
 * `#spec`. An empty part list keeps everything.
 */
export function exportPartMatches(key: string, parts: readonly string[]): boolean {
  if (parts.length === 0 || key === '#spec') return true;
  return parts.some((p) => key === p || key.startsWith(p.endsWith('/') ? p : `${p}/`));
}

/**
 * `pvr get <src>#<parts>`: keeps keys that begin with one of the non-negated parts (all keys when
 * there are none), then drops keys that begin with a negated part `-P`. Plain prefixes: `app` also
 * keeps `app2/x`.
 */
export function getPartMatches(key: string, parts: readonly string[]): boolean {
  const include = parts.filter((p) => !p.startsWith('-'));
  const exclude = parts.filter((p) => p.startsWith('-')).map((p) => p.slice(1));
  if (include.length && !include.some((p) => key.startsWith(p))) return false;
  return !exclude.some((p) => key.startsWith(p));
}
