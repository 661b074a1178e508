import { BALENA_LABELS, COMPOSE_FIELDS, type PantavisorOutcome } from '../compose/mapping';

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function outcomeCells(o: PantavisorOutcome): [string, string] {
  switch (o.kind) {
    case 'mapped':
      return ['mapped', `${o.to}${o.note ? `. ${o.note}` : ''}`];
    case 'approximated':
      return ['approximated', `${o.to}: ${o.how}`];
    case 'dropped':
      return ['dropped', `${o.why} Instead: ${o.instead}`];
  }
}

/**
 * The README's "Convert from balena" mapping table, generated from the one table in
 * `core/compose/mapping.ts` (service and build fields, then `io.balena.*` labels), so the README
 * cannot drift from what the converter and the compose diagnostics use.
 */
export function mappingTableMarkdown(): string {
  const out: string[] = ['| Compose field / label | Outcome | Pantavisor | Why |', '|---|---|---|---|'];
  for (const f of COMPOSE_FIELDS) {
    if (!f.key.startsWith('service.') && !f.key.startsWith('top.')) continue;
    const [kind, what] = outcomeCells(f.pantavisor);
    out.push(`| \`${f.key}\` | ${kind} | ${cell(what)} | ${cell(f.rationale)} |`);
  }
  for (const l of BALENA_LABELS) {
    const [kind, what] = outcomeCells(l.pantavisor);
    out.push(`| \`${l.label}\` | ${kind} | ${cell(what)} | ${cell(l.rationale)} |`);
  }
  return out.join('\n') + '\n';
}
