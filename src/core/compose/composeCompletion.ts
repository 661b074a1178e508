import { composeCursor } from './composeCursor';
import { fieldMarkdown, labelMarkdown, levelFor } from './composeHover';
import { BALENA_LABELS, fieldsAt } from './mapping';

export interface ComposeCompletionItem {
  label: string;
  /** Text to insert in place of `[start, end)`. */
  insertText: string;
  start: number;
  end: number;
  kind: 'field' | 'label' | 'value';
  markdown?: string;
  /** Fields balena rejects sort last and are marked deprecated. */
  deprecated?: boolean;
}

const VALUES: Record<string, string[]> = {
  restart: ['"no"', 'always', 'on-failure', 'unless-stopped'],
  network_mode: ['host', 'bridge', 'none', 'service:'],
  pid: ['host'],
  ipc: ['host', 'shareable', 'private'],
  privileged: ['true', 'false'],
  read_only: ['true', 'false'],
};

/**
 * Completion at `offset`: field names for the mapping the cursor is in, `io.balena.*` labels under
 * `labels`, and enum values after `restart:`, `network_mode:` and label keys.
 */
export function composeCompletion(text: string, offset: number): ComposeCompletionItem[] {
  const cur = composeCursor(text, offset);
  const { word, wordStart } = cur;
  const range = { start: wordStart, end: offset };
  const inLabels = cur.path[cur.path.length - 1] === 'labels' && cur.path[0] === 'services';
  if (cur.valueKey !== undefined) {
    const label = BALENA_LABELS.find((l) => l.label === cur.valueKey);
    if (label) {
      const vals = label.valueType === 'flag' ? ["'1'"] : (label.values ?? []).map((v) => `'${v}'`);
      return vals.map((v) => ({ label: v, insertText: v, ...range, kind: 'value' as const }));
    }
    const vals = levelFor(cur.path) === 'service' ? VALUES[cur.valueKey] : undefined;
    return (vals ?? []).map((v) => ({ label: v, insertText: v, ...range, kind: 'value' as const }));
  }
  if (inLabels) {
    return BALENA_LABELS.filter((l) => l.label.startsWith(word) || word === '').map((l) => ({
      label: l.label,
      insertText: cur.inList
        ? `${l.label}=${l.valueType === 'flag' ? '1' : ''}`
        : `${l.label}: ${l.valueType === 'flag' ? "'1'" : ''}`,
      ...range,
      kind: 'label' as const,
      markdown: labelMarkdown(l),
    }));
  }
  const level = levelFor(cur.path);
  if (!level || cur.inList) return [];
  const present = presentKeys(text, offset);
  return fieldsAt(level)
    .map((f) => ({ f, name: f.key.slice(level.length + 1) }))
    .filter(({ name }) => !present.has(name) && name.startsWith(word))
    .map(({ f, name }) => ({
      label: name,
      insertText: `${name}: `,
      ...range,
      kind: 'field' as const,
      markdown: fieldMarkdown(f),
      deprecated: f.status === 'rejected',
    }));
}

/** Keys already present at the cursor's indentation in the same block (not offered again). */
function presentKeys(text: string, offset: number): Set<string> {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const indent = /^\s*/.exec(text.slice(lineStart, offset))?.[0].length ?? 0;
  const out = new Set<string>();
  const scan = (lines: string[]): void => {
    for (const line of lines) {
      if (/^\s*(#|$)/.test(line)) continue;
      const ind = /^\s*/.exec(line)?.[0].length ?? 0;
      if (ind < indent) break;
      const m = /^\s*([\w.-]+)\s*:/.exec(line);
      if (ind === indent && m?.[1]) out.add(m[1]);
    }
  };
  scan(text.slice(0, lineStart).split('\n').slice(0, -1).reverse());
  const nl = text.indexOf('\n', offset);
  if (nl >= 0) scan(text.slice(nl + 1).split('\n'));
  return out;
}
