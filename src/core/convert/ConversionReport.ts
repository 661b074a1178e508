/** The outcome of one compose field or label, as the report states it. */
export type OutcomeKind = 'mapped' | 'approximated' | 'dropped';

/** One line of the report: a field, label or setting and what became of it. */
export interface ReportEntry {
  /** `service`: a service field; `label`: a service label; `build`: a `build:` sub-field; `top`: a top-level compose key; `balena`: a balena.yml setting. */
  scope: 'service' | 'label' | 'build' | 'top' | 'balena';
  /** Compose service name (service, label and build scopes). */
  service?: string;
  /** The field name, label or balena.yml path. */
  key: string;
  /** The row of the mapping table (`service.restart`, `io.balena.features.dbus`), when there is one. */
  tableKey?: string;
  /** Project-relative file the entry comes from, and its 1-based line and column. */
  file: string;
  line: number;
  column: number;
  kind: OutcomeKind;
  /** mapped/approximated: what it becomes. */
  to?: string;
  /** approximated: how it differs. */
  how?: string;
  /** dropped: why, and what to do instead. */
  why?: string;
  instead?: string;
  /** What the converter did with this particular value. */
  detail: string;
  /** True when pvkit wrote the result into the checkout; false when the table's advice is a manual step. */
  applied: boolean;
}

/** What became of importing a service's image into `<container>/root.squashfs`. */
export type ImageImport =
  | { status: 'imported'; image: string }
  | { status: 'failed'; image: string; error: string; layer?: string }
  | { status: 'skipped'; image: string; reason: string };

export interface ReportProblem {
  severity: 'error' | 'warning' | 'info';
  message: string;
  file?: string;
  line?: number;
}

export interface ReportContainer {
  service: string;
  container: string;
  /** Why the container name differs from the service name. */
  renamed?: string;
  group: string;
  /** `image`: pulled image; `build`: built from the project. */
  source: 'image' | 'build';
  image: string;
  /** Whether docker_config is known (the image was built here and inspected). */
  imageConfigKnown: boolean;
  /** Whether the image was imported into `<container>/root.squashfs`, when the converter tried. */
  import?: ImageImport;
  /** For built services: the Dockerfile used and whether the build ran. */
  build?: {
    dockerfile: string;
    context: string;
    command: string;
    status: 'built' | 'pending' | 'failed';
    error?: string;
  };
}

export interface ConversionReport {
  version: 1;
  project: string;
  composeFile: string;
  deviceType?: string;
  arch?: string;
  platform?: string;
  containers: ReportContainer[];
  groups: { name: string; services: string[]; restart: string; level: number }[];
  entries: ReportEntry[];
  problems: ReportProblem[];
  nextSteps: string[];
  counts: Record<OutcomeKind, number>;
}

/**
 * Entries `--strict` refuses: any service field, build field or label that is not mapped. Project
 * metadata (the compose `version`, balena.yml's fleet fields) is reported but never blocks: it has
 * nothing to convert.
 */
export function strictFailures(r: ConversionReport): ReportEntry[] {
  return r.entries.filter((e) => e.kind !== 'mapped' && e.scope !== 'top' && e.scope !== 'balena');
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * The Markdown report (`CONVERSION.md`). `sourceLink(file)` gives the link target of a project
 * file relative to the report, so each entry links to its line (`…#L12`, which VS Code's preview
 * opens at that line).
 */
export function renderReportMarkdown(r: ConversionReport, sourceLink: (file: string) => string): string {
  const out: string[] = [];
  const link = (file: string, line: number): string =>
    line > 0 ? `[${file}:${line}](${sourceLink(file)}#L${line})` : file;
  out.push(`# Conversion of balena project "${r.project}"`, '');
  out.push(
    `Converted from \`${r.composeFile}\` by pvkit. ${r.counts.mapped} mapped, ${r.counts.approximated} approximated, ${r.counts.dropped} dropped.`,
    '',
  );
  out.push(
    `Target: ${r.deviceType ? `device type \`${r.deviceType}\`` : 'no device type'}${r.arch ? `, architecture \`${r.arch}\`` : ''}${r.platform ? `, image platform \`${r.platform}\` (\`_hostconfig/pvr/docker.json\`)` : ''}.`,
    '',
  );
  out.push(
    'This report (CONVERSION.md, CONVERSION.json) is not part of the revision: it is left untracked.',
    '',
  );
  if (r.nextSteps.length) {
    out.push('## Next steps', '', 'Run these in this checkout folder.', '');
    r.nextSteps.forEach((s, i) => out.push(`${i + 1}. ${s}`));
    out.push('');
  }
  if (r.problems.length) {
    out.push('## Problems', '');
    for (const p of r.problems)
      out.push(`- **${p.severity}**${p.file ? ` (${link(p.file, p.line ?? 0)})` : ''}: ${p.message}`);
    out.push('');
  }
  out.push(
    '## Containers',
    '',
    '| Service | Container | Group | Image | Image config |',
    '|---|---|---|---|---|',
  );
  const importCell = (c: ReportContainer): string =>
    c.import?.status === 'imported'
      ? 'imported (root.squashfs)'
      : c.import?.status === 'failed'
        ? `import failed${c.import.layer ? ` at layer ${cell(c.import.layer)}` : ''}: ${cell(c.import.error)}`
        : c.imageConfigKnown
          ? 'known'
          : 'not imported yet';
  for (const c of r.containers) {
    out.push(
      `| ${cell(c.service)} | ${cell(c.container)}${c.renamed ? ` (${cell(c.renamed)})` : ''} | ${cell(c.group)} | ${cell(c.image)}${c.build ? ` (build: ${c.build.status})` : ''} | ${importCell(c)} |`,
    );
  }
  out.push('', '## Groups', '', '| Group | Start order | Restart | Services |', '|---|---|---|---|');
  r.groups.forEach((g, i) => out.push(`| ${g.name} | ${i + 1} | ${g.restart} | ${g.services.join(', ')} |`));
  out.push('');
  const sections: [string, (e: ReportEntry) => boolean][] = [
    ['Project', (e) => e.scope === 'top' || e.scope === 'balena'],
    ...r.containers.map((c): [string, (e: ReportEntry) => boolean] => [
      `Service \`${c.service}\``,
      (e) => e.service === c.service,
    ]),
  ];
  for (const [title, pick] of sections) {
    const es = r.entries.filter(pick);
    if (!es.length) continue;
    out.push(
      `## ${title}`,
      '',
      '| Source | Field | Outcome | Pantavisor | This project |',
      '|---|---|---|---|---|',
    );
    for (const e of es) {
      const what =
        e.kind === 'dropped'
          ? `${e.why ?? ''} Instead: ${e.instead ?? ''}`
          : `${e.to ?? ''}${e.kind === 'approximated' && e.how ? `: ${e.how}` : ''}`;
      const name =
        e.scope === 'label'
          ? `label \`${e.key}\``
          : e.scope === 'build'
            ? `\`build.${e.key}\``
            : `\`${e.key}\``;
      out.push(
        `| ${link(e.file, e.line)} | ${cell(name)} | ${e.kind}${e.applied || e.instead?.startsWith('Nothing to do') ? '' : ' (manual)'} | ${cell(what)} | ${cell(e.detail)} |`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}
