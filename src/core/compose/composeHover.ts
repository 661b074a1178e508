import { composeCursor } from './composeCursor';
import {
  describeOutcome,
  fieldInfo,
  labelInfo,
  type BalenaLabelInfo,
  type ComposeFieldInfo,
} from './mapping';
import { modernLabel } from './labelRules';

export interface ComposeHover {
  start: number;
  end: number;
  markdown: string;
}

const STATUS_TEXT: Record<ComposeFieldInfo['status'], string> = {
  supported: 'supported',
  rejected: '**rejected** (the release fails to build)',
  dropped: '**removed** from the composition',
  ignored: '**ignored** (documented as unsupported)',
};

/** Markdown for one field row: balena meaning and status, Pantavisor outcome, rationale. */
export function fieldMarkdown(f: ComposeFieldInfo): string {
  const name = f.key.replace(/^(service|top|volume|network)\./, '');
  return [
    `**${name}** — balena: ${STATUS_TEXT[f.status]}${f.statusReason ? ` (${f.statusReason})` : ''}`,
    f.balena,
    `**Pantavisor:** ${describeOutcome(f.pantavisor)}`,
    `_Why:_ ${f.rationale}`,
  ].join('\n\n');
}

/** Markdown for one label row. */
export function labelMarkdown(l: BalenaLabelInfo): string {
  const values = l.values ? ` Values: ${l.values.map((v) => `\`${v}\``).join(', ')}.` : '';
  return [
    `**${l.label}**${l.dangerous ? ' — grants host access' : ''}`,
    `${l.balena}${l.valueType === 'flag' ? " Enable with `'1'`." : ''}${values}${l.default !== undefined ? ` Default \`${l.default}\`.` : ''}${l.minSupervisor ? ` Supervisor ${l.minSupervisor}+.` : ''}`,
    `**Pantavisor:** ${describeOutcome(l.pantavisor)}`,
    `_Why:_ ${l.rationale}`,
  ].join('\n\n');
}

/** The table row level for a path of enclosing keys. */
export function levelFor(path: readonly string[]): string | undefined {
  if (path.length === 0) return 'top';
  if (path[0] === 'services' && path.length === 2) return 'service';
  if (path[0] === 'services' && path.length === 3 && path[2] === 'build') return 'service.build';
  if (path[0] === 'volumes' && path.length === 2) return 'volume';
  if (path[0] === 'networks' && path.length === 2) return 'network';
  return undefined;
}

/** Hover for the field or label at `offset`, or undefined. */
export function composeHover(text: string, offset: number): ComposeHover | undefined {
  // Take the whole token around the cursor (a key, or `key=value` in list-form labels).
  let s = offset;
  let e = offset;
  while (s > 0 && /[\w.\-/]/.test(text[s - 1] ?? '')) s--;
  while (e < text.length && /[\w.\-/]/.test(text[e] ?? '')) e++;
  const token = text.slice(s, e);
  if (!token) return undefined;
  const cur = composeCursor(text, s);
  if (token.startsWith('io.balena.') || token.startsWith('io.resin.')) {
    const info = labelInfo(token.startsWith('io.resin.') ? modernLabel(token) : token);
    if (!info) return undefined;
    const legacy = token.startsWith('io.resin.') ? `\n\n_Legacy name of \`${info.label}\`._` : '';
    return { start: s, end: e, markdown: labelMarkdown(info) + legacy };
  }
  if (cur.valueKey !== undefined) return undefined;
  const level = levelFor(cur.path);
  if (!level) return undefined;
  const info = fieldInfo(`${level}.${token}`);
  return info ? { start: s, end: e, markdown: fieldMarkdown(info) } : undefined;
}
