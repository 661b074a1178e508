import { requireString, type TemplateContext, TemplateError } from './TemplateContext';
import { goJson, goPrettyJson, goQuote, minimalJsonEscape } from './goFormat';
import { goText, truthy, type GoValue } from './goValue';
import { trim1, volumeMap } from './volumeMap';

/** sprig `indent n`: prefix every line, the first included. */
function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return pad + text.replaceAll('\n', `\n${pad}`);
}

/**
 * The text of `run.json` as pvr 037 writes it (pvr-template.md §5, §6), or, in `fixed` mode, the
 * same text with pvr's JSON bugs corrected: raw strings are escaped, the `volumes` items are joined
 * with a real line break and Go-only escapes are spelled the JSON way. Wherever pvr's output is valid
 * JSON the two modes give identical bytes. Every correction (or, in `pvr037` mode, every reproduced
 * bug) is reported as a warning.
 */
export function renderRunJson(ctx: TemplateContext): string {
  const fixed = ctx.compat === 'fixed';
  const a = (k: string): GoValue | undefined => ctx.arg(k);
  const src = ctx.source;
  const gate = ctx.gate();

  /** A value pvr interpolates between quotes without escaping. */
  const raw = (text: string, what: string): string => {
    const esc = minimalJsonEscape(text);
    if (esc !== text) {
      ctx.warn(
        'run-json-unescaped',
        fixed
          ? `${what} contains characters that need escaping in JSON; pvr 037 writes them raw (invalid run.json), pvkit escaped them.`
          : `${what} contains characters that need escaping in JSON; written raw as pvr 037 does, so run.json is invalid JSON.`,
      );
    }
    return fixed ? esc : text;
  };

  const out: string[] = [
    '{',
    '\t"#spec": "service-manifest-run@1",',
    `\t"name":"${raw(ctx.name, 'the app name')}",`,
  ];
  if (gate) out.push('\t"config": "lxc.container.conf",');
  if (truthy(a('PV_CONDITIONS'))) {
    out.push(`\t"conditions":${goPrettyJson(a('PV_CONDITIONS')).replaceAll('\n', '\n\t')},`);
  }
  const driver = (k: string): string => (truthy(a(k)) ? ` ${goJson(a(k))}` : '[]');
  out.push(
    '\t"drivers": {',
    `\t\t"manual":${driver('PV_DRIVERS_MANUAL')},`,
    `\t\t"required":${driver('PV_DRIVERS_REQUIRED')},`,
    `\t\t"optional":${driver('PV_DRIVERS_OPTIONAL')}`,
    '\t},',
  );
  if (ctx.effectiveGroup) out.push(`\t"group": "${raw(ctx.effectiveGroup, 'the group')}",`);
  for (const [arg, key] of [
    ['PV_RUNLEVEL', 'runlevel'],
    ['PV_RESTART_POLICY', 'restart_policy'],
    ['PV_STATUS_GOAL', 'status_goal'],
  ] as const) {
    if (truthy(a(arg))) out.push(`\t"${key}": "${raw(goText(a(arg)), `args.${arg}`)}",`);
  }
  if (truthy(a('PV_AUTOMODFW'))) out.push(`\t"automodfw": ${goPrettyJson(a('PV_AUTOMODFW')).trim()},`);
  if (truthy(a('PV_REMOUNT'))) {
    out.push(`\t"remount": ${goPrettyJson(a('PV_REMOUNT')).replaceAll('\n', `\n${' '.repeat(8)}`)},`);
  }

  out.push('\t"storage":{');
  const names = new Map<string, string>();
  const storageEntry = (storageName: string, value: string, what: string, space = ''): void => {
    out.push(`\t\t"${raw(storageName, `${what} (storage name)`)}"${space}: {`);
    const parts = value.split('@');
    if (parts.length === 1) out.push(`\t\t\t"persistence": "${raw(value, what)}"`);
    else {
      out.push(
        `\t\t\t"persistence": "${raw(parts[0] ?? '', what)}",`,
        `\t\t\t"disk": "${raw(parts[parts.length - 1] ?? '', what)}"`,
      );
    }
  };
  for (const [k, v] of volumeMap(ctx)) {
    const colon = k.indexOf(':');
    const scheme = colon >= 0 ? k.slice(0, colon) : 'dir';
    const r = colon >= 0 ? k.slice(colon + 1) : k;
    if (r === 'lxc-overlay') continue;
    const x = trim1(r).replaceAll('/', '-');
    const storageName = scheme === 'dir' ? `docker-${x}` : `docker${scheme}-${x}`;
    const clash = names.get(storageName);
    if (clash !== undefined) {
      ctx.warn(
        'storage-name-collision',
        `volumes "${clash}" and "${k}" both become storage "${storageName}" (pvr writes the key twice and mounts the same directory); rename one of them.`,
      );
    }
    names.set(storageName, k);
    storageEntry(storageName, v, `volume "${k}"`);
    out.push('\t\t},');
  }
  const overlay = src.persistence?.get('lxc-overlay');
  if (overlay) storageEntry('lxc-overlay', overlay, 'persistence "lxc-overlay"', ' ');
  else out.push('\t\t"lxc-overlay" : {', '\t\t\t"persistence": "boot"');
  out.push('\t\t}');

  let close = '\t},';
  if (gate && src.exports.length > 0) close += `"exports": ${indent(goPrettyJson(src.exports), 8)},`;
  if (gate && src.logs.length > 0) close += `"logs": ${indent(goPrettyJson(src.logs), 8)},`;
  out.push(close);
  if (gate) {
    out.push('\t"type":"lxc",');
    if (truthy(a('PV_ROLES'))) out.push(`\t"roles":${indent(goPrettyJson(a('PV_ROLES')), 8)},`);
  }

  const dm = src.dmEnabled;
  const dmPrefix = dm?.get('root.squashfs') === true || dm?.get('root.ovl.squashfs') === true ? 'dm:' : '';
  const rootVol = src.dockerOvlDigest && src.base ? 'root.ovl.squashfs' : 'root.squashfs';
  out.push(`\t"root-volume": "${dmPrefix}${rootVol}",`, '\t"volumes":[', '\t\t', '\t\t');
  out.push(`\t\t${volumesList(ctx)}`, '\t]', '}');
  return out.join('\n');
}

/** The items of `volumes` (§6.4), joined as pvr joins them (`,\n` literally) or, fixed, one per line. */
function volumesList(ctx: TemplateContext): string {
  const fixed = ctx.compat === 'fixed';
  const a = (k: string): GoValue | undefined => ctx.arg(k);
  const names: string[] = [];
  if (truthy(a('PV_EXTRA_VOLUMES')))
    names.push(...requireString(a('PV_EXTRA_VOLUMES'), 'args.PV_EXTRA_VOLUMES').split(','));
  if (truthy(a('PV_VOLUME_MOUNTS'))) {
    for (const m of requireString(a('PV_VOLUME_MOUNTS'), 'args.PV_VOLUME_MOUNTS').split(',')) {
      names.push(m.split(':')[0] ?? '');
    }
  }
  const items = names.map((n) => {
    const q = goQuote(n);
    const j = goQuote(n, true);
    if (q !== j) {
      ctx.warn(
        'run-json-go-escape',
        fixed
          ? `volume name ${q} needs an escape JSON lacks; pvr 037 writes Go's escape (invalid run.json), pvkit wrote ${j}.`
          : `volume name ${q} is written with Go's escape as pvr 037 does, so run.json is invalid JSON.`,
      );
    }
    return fixed ? j : q;
  });
  if (ctx.source.dockerOvlDigest && !ctx.source.base) items.push('"root.ovl.squashfs"');
  for (const [k, on] of ctx.source.dmEnabled ?? []) {
    if (on && items.includes(k)) {
      throw new TemplateError(
        `dm_enabled key ${k} equals a quoted volume name, which makes pvr 037's template fail; remove the quotes from the key.`,
      );
    }
  }
  if (items.length >= 2) {
    ctx.warn(
      'run-json-volumes-join',
      fixed
        ? `run.json lists ${items.length} volumes; pvr 037 joins them with a literal "\\n" (invalid JSON), pvkit wrote one per line.`
        : `run.json lists ${items.length} volumes, joined with a literal "\\n" as pvr 037 does, so run.json is invalid JSON.`,
    );
  }
  return items.join(fixed ? ',\n\t\t' : ',\\n');
}
