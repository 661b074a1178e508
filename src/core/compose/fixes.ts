import { isMap, type Scalar } from 'yaml';
import { deref, mapGet, type YamlNode } from '../parse/parseYaml';
import type { RuleContext } from './validateCompose';

/** One text replacement, in offsets of the file the diagnostic is on. */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

/** A quick fix carried in `CoreDiagnostic.data.fix`; only offered where the fix is certain. */
export interface Fix {
  title: string;
  edits: TextEdit[];
}

function lineStart(text: string, offset: number): number {
  const i = text.lastIndexOf('\n', offset - 1);
  return i + 1;
}

function lineEndInclusive(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === '\n') return offset;
  const i = text.indexOf('\n', offset);
  return i < 0 ? text.length : i + 1;
}

/**
 * Deletes a block-mapping entry (key, value and their lines). Not offered for flow mappings or
 * for the first key of a sequence item, where deleting lines would break the structure.
 */
export function removePairFix(
  ctx: RuleContext,
  keyNode: YamlNode,
  value: YamlNode | null,
  title: string,
): Fix | undefined {
  const k = keyNode.range;
  if (!k) return undefined;
  const start = lineStart(ctx.text, k[0]);
  if (!/^[ \t]*$/.test(ctx.text.slice(start, k[0]))) return undefined;
  const valueEnd = value?.range ? value.range[1] : k[1];
  // A trailing comment on the last line goes with the entry.
  const end = lineEndInclusive(ctx.text, valueEnd);
  return { title, edits: [{ start, end, newText: '' }] };
}

/** Replaces a scalar with a double-quoted string. */
export function quoteFix(_ctx: RuleContext, node: YamlNode, value: string): Fix | undefined {
  const r = node.range;
  if (!r) return undefined;
  return {
    title: `Quote as "${value}"`,
    edits: [{ start: r[0], end: r[1], newText: JSON.stringify(value) }],
  };
}

/** Replaces the text of a scalar (keeping its quotes) by applying `change` to its source. */
export function rewriteScalarFix(
  ctx: RuleContext,
  node: YamlNode,
  title: string,
  change: (s: string) => string,
): Fix | undefined {
  const r = node.range;
  if (!r) return undefined;
  const src = ctx.text.slice(r[0], r[1]);
  const next = change(src);
  return next === src ? undefined : { title, edits: [{ start: r[0], end: r[1], newText: next }] };
}

/**
 * Turns `- ./host/path:/target` into `- name:/target` and declares `name` under the top-level
 * `volumes` (creating the section when needed). The data on the host path is not copied: the
 * message says so, and the fix is offered because the mount cannot work on balena anyway.
 */
export function bindToNamedFix(
  ctx: RuleContext,
  node: Scalar,
  src: string,
  name: string,
  declared: Set<string>,
): Fix | undefined {
  const r = node.range;
  if (!r) return undefined;
  const raw = ctx.text.slice(r[0], r[1]);
  const at = raw.indexOf(src);
  if (at < 0 || at > 1) return undefined;
  const edits: TextEdit[] = [{ start: r[0] + at, end: r[0] + at + src.length, newText: name }];
  if (!declared.has(name)) {
    const root = deref(ctx.doc, ctx.doc.contents);
    const vols = mapGet(ctx.doc, root, 'volumes');
    const volsMap = deref(ctx.doc, vols?.value);
    if (vols && isMap(volsMap) && volsMap.items.length > 0 && !volsMap.flow) {
      const firstKey = volsMap.items[0]?.key as YamlNode | undefined;
      if (!firstKey?.range) return undefined;
      const ls = lineStart(ctx.text, firstKey.range[0]);
      const indent = ctx.text.slice(ls, firstKey.range[0]);
      edits.push({ start: ls, end: ls, newText: `${indent}${name}:\n` });
    } else if (
      vols &&
      (vols.value === null || (deref(ctx.doc, vols.value) as Scalar | null)?.value === null)
    ) {
      const end = lineEndInclusive(ctx.text, vols.keyNode.range?.[1] ?? 0);
      const nl = ctx.text[end - 1] === '\n' ? '' : '\n';
      edits.push({ start: end, end, newText: `${nl}  ${name}:\n` });
    } else if (!vols) {
      const nl = ctx.text.endsWith('\n') || ctx.text === '' ? '' : '\n';
      edits.push({ start: ctx.text.length, end: ctx.text.length, newText: `${nl}volumes:\n  ${name}:\n` });
    } else {
      return undefined;
    }
  }
  return { title: `Use named volume "${name}"`, edits };
}
