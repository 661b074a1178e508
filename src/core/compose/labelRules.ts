import { isMap, isScalar, isSeq } from 'yaml';
import { deref, mapEntries, scalarString, type YamlNode } from '../parse/parseYaml';
import { CODES } from './codes';
import { quoteFix } from './fixes';
import { BALENA_LABELS, LEGACY_LABEL_RENAMES, labelInfo } from './mapping';
import type { RuleContext } from './validateCompose';

/** One label, in map form (`key: value`) or list form (`- key=value`). */
export interface LabelEntry {
  key: string;
  value: string | undefined;
  /** Range of the key text. */
  keyStart: number;
  keyEnd: number;
  /** The value node in map form (for type checks and quick fixes). */
  valueNode: YamlNode | null;
  /** The whole list item in list form. */
  itemNode: YamlNode | undefined;
}

/** Lists the labels of a `labels` node in either form. */
export function labelEntries(ctx: Pick<RuleContext, 'doc' | 'text'>, labels: YamlNode | null): LabelEntry[] {
  const n = deref(ctx.doc, labels);
  const out: LabelEntry[] = [];
  if (isMap(n)) {
    for (const e of mapEntries(ctx.doc, n)) {
      const v = deref(ctx.doc, e.value);
      const r = e.keyNode.range ?? [0, 0];
      const raw = ctx.text.slice(r[0], r[1]);
      const q = raw.startsWith('"') || raw.startsWith("'") ? 1 : 0;
      out.push({
        key: e.key,
        value: isScalar(v) && v.value !== null ? scalarString(v.value) : undefined,
        keyStart: r[0] + q,
        keyEnd: r[0] + q + e.key.length,
        valueNode: e.value,
        itemNode: undefined,
      });
    }
  } else if (isSeq(n)) {
    for (const item of n.items) {
      const v = deref(ctx.doc, item);
      if (!isScalar(v) || !v.range) continue;
      const s = String(v.value);
      const eq = s.indexOf('=');
      const key = eq < 0 ? s : s.slice(0, eq);
      const raw = ctx.text.slice(v.range[0], v.range[1]);
      const q = raw.startsWith('"') || raw.startsWith("'") ? 1 : 0;
      out.push({
        key,
        value: eq < 0 ? undefined : s.slice(eq + 1),
        keyStart: v.range[0] + q,
        keyEnd: v.range[0] + q + key.length,
        valueNode: null,
        itemNode: v,
      });
    }
  }
  return out;
}

const FEATURES = BALENA_LABELS.map((l) => l.label);

/** The closest known label within edit distance 3, for "did you mean". */
export function closestLabel(label: string): string | undefined {
  let best: string | undefined;
  let bestD = 4;
  for (const known of FEATURES) {
    const d = editDistance(label, known);
    if (d < bestD) {
      bestD = d;
      best = known;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] ?? 0;
      prev[j] = Math.min(up + 1, (prev[j - 1] ?? 0) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length] ?? 0;
}

/** A loose semver range check: `16.0.0`, `>=2.0 <3`, `^1.2.x`, `1.0.0 - 2.0.0`, `a || b`. */
export function isSemverRange(s: string): boolean {
  const v =
    /^(?:[<>]=?|=|~|\^)?\s*v?(?:\d+|[xX*])(?:\.(?:\d+|[xX*])){0,2}(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
  return s.split('||').every((part) => {
    const tokens = part
      .trim()
      .split(/\s+/)
      .filter((t) => t !== '' && t !== '-');
    return tokens.length > 0 && tokens.every((t) => v.test(t) || t === '*' || t === 'x');
  });
}

/** The new name for a legacy `io.resin.*` label. */
export function modernLabel(legacy: string): string {
  return LEGACY_LABEL_RENAMES[legacy] ?? legacy.replace(/^io\.resin\./, 'io.balena.');
}

export function checkLabels(ctx: RuleContext, labels: YamlNode | null): void {
  for (const l of labelEntries(ctx, labels)) {
    if (l.key.startsWith('io.resin.')) {
      const next = modernLabel(l.key);
      const fix = {
        title: `Rename to ${next}`,
        edits: [{ start: l.keyStart, end: l.keyEnd, newText: next }],
      };
      ctx.reportRange(
        l.keyStart,
        l.keyEnd,
        'warning',
        CODES.legacyLabel,
        `\`${l.key}\` is the legacy name used by supervisors before v7.22.0; use \`${next}\`.`,
        fix,
      );
      continue;
    }
    if (l.key.startsWith('io.balena.private.')) {
      ctx.reportRange(
        l.keyStart,
        l.keyEnd,
        'warning',
        CODES.privateLabel,
        'The `io.balena.private` namespace is reserved for balena; use your own label prefix.',
      );
      continue;
    }
    if (!l.key.startsWith('io.balena.')) continue;
    const info = labelInfo(l.key);
    if (!info) {
      if (l.key.startsWith('io.balena.features.') || l.key.startsWith('io.balena.update.')) {
        const near = closestLabel(l.key);
        ctx.reportRange(
          l.keyStart,
          l.keyEnd,
          'warning',
          CODES.unknownFeatureLabel,
          `Unknown balena label \`${l.key}\`: balena ignores it.${near ? ` Did you mean \`${near}\`?` : ''}`,
          near
            ? { title: `Change to ${near}`, edits: [{ start: l.keyStart, end: l.keyEnd, newText: near }] }
            : undefined,
        );
      }
      continue;
    }
    const vnode = deref(ctx.doc, l.valueNode);
    if (isScalar(vnode) && vnode.value !== null && typeof vnode.value !== 'string') {
      const src = ctx.text.slice(vnode.range?.[0], vnode.range?.[1]);
      ctx.report(
        vnode,
        'warning',
        CODES.labelNotString,
        `Label values are strings; YAML reads \`${src}\` as a ${typeof vnode.value}. Write \`'${src}'\`.`,
        quoteFix(ctx, vnode, src),
      );
    }
    const where = l.itemNode ?? vnode ?? undefined;
    const at = (sev: 'warning' | 'error', code: string, msg: string): void => {
      if (where) ctx.report(where, sev, code, msg);
      else ctx.reportRange(l.keyStart, l.keyEnd, sev, code, msg);
    };
    const v = l.value;
    switch (info.valueType) {
      case 'flag':
        if (v === undefined || !/^(1|0|true|false|on|off)$/i.test(v))
          at(
            'warning',
            CODES.labelValue,
            `\`${l.key}\` is enabled by '1'; got ${v === undefined ? 'no value' : `"${v}"`}.`,
          );
        break;
      case 'enum':
        if (!info.values?.includes(v ?? ''))
          at(
            'warning',
            CODES.labelValue,
            `\`${l.key}\` must be one of ${info.values?.map((x) => `"${x}"`).join(', ') ?? ''}; got "${v ?? ''}". balena falls back to "${info.default ?? ''}".`,
          );
        break;
      case 'integer':
        if (!/^\d+$/.test(v ?? ''))
          at('warning', CODES.labelValue, `\`${l.key}\` takes a number of milliseconds; got "${v ?? ''}".`);
        break;
      case 'semver-range':
        if (!isSemverRange(v ?? ''))
          at(
            'error',
            CODES.requirementLabel,
            `\`${l.key}\` must be a semver range (e.g. '>=2.0.0'); got "${v ?? ''}". balena rejects the release.`,
          );
        break;
      case 'arch':
        if (!info.values?.includes(v ?? ''))
          at(
            'error',
            CODES.requirementLabel,
            `\`${l.key}\` must be one of ${info.values?.join(', ') ?? ''}; got "${v ?? ''}". balena rejects the release.`,
          );
        break;
      case 'string':
        break;
    }
    ctx.pvNote({ start: l.keyStart, end: l.keyEnd }, l.key, info.pantavisor, info.pvSeverity);
  }
}
