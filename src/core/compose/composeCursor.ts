/**
 * Where the cursor is in a compose file, worked out from indentation so it also works while the
 * file is half typed (and the YAML tree is broken). `path` holds the keys of the enclosing
 * mappings, outermost first; `valueKey` is set when the cursor is after `key:` on its line.
 */
export interface ComposeCursor {
  path: string[];
  /** The key whose value the cursor is in (`restart` in `restart: |`). */
  valueKey?: string;
  /** The word under or before the cursor, and where it starts. */
  word: string;
  wordStart: number;
  /** True when the line is a list item (`- …`). */
  inList: boolean;
}

const KEY_LINE = /^(\s*)(?:-\s+)?(["']?)([^"'#:\s][^"'#:]*?)\2\s*:(?:\s|$)/;

export function composeCursor(text: string, offset: number): ComposeCursor {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  const indent = /^\s*/.exec(before)?.[0].length ?? 0;
  const listMatch = /^\s*-\s*/.exec(before);
  const inList = listMatch !== null;
  const keyHere = KEY_LINE.exec(before);
  const wordMatch = /[\w.\-/%$]*$/.exec(before);
  const word = wordMatch?.[0] ?? '';
  const wordStart = offset - word.length;
  // Indentation of the item content decides the parent: `  - io.balena…` belongs to `labels:`.
  const myIndent = listMatch ? indent : indent;
  const path: string[] = [];
  let limit = myIndent;
  let pos = lineStart - 1;
  while (pos > 0 && limit > 0) {
    const ls = text.lastIndexOf('\n', pos - 1) + 1;
    const line = text.slice(ls, pos).replace(/\r$/, '');
    pos = ls - 1;
    if (/^\s*(#|$)/.test(line)) continue;
    const ind = /^\s*/.exec(line)?.[0].length ?? 0;
    if (ind >= limit) continue;
    const m = KEY_LINE.exec(line);
    if (m && /:\s*(#.*)?$/.test(line.trimEnd())) {
      path.unshift(m[3] ?? '');
    } else if (m && /^\s*-\s/.test(line)) {
      // `- key: value` opens a mapping inside a list; keep walking up.
    }
    limit = ind;
  }
  const res: ComposeCursor = { path, word, wordStart, inList };
  if (keyHere && before.length > (keyHere[0]?.length ?? 0) - 1 && /:\s/.test(before))
    res.valueKey = keyHere[3] ?? '';
  return res;
}
