import { promises as fs } from 'node:fs';
import type { CoreDiagnostic } from '../../core/diagnostics';
import { FILE_KINDS, type FileKind } from '../../core/revision/fileKinds';
import { createPantavisorService } from '../../core/service';
import { discoverTargets, loadCheckout } from '../../platform/revision/loadRevision';
import { validateComposePath } from '../../platform/compose/loadComposeProject';
import { parseArgs, str } from '../args';
import { UsageError, type CliCommand } from '../CliContext';
import { formatJson, formatSarif, formatText, positionDiagnostics } from '../formatDiagnostics';

const USAGE = `Usage: pvkit validate [--format text|json|sarif] [--kind auto|${Object.keys(FILE_KINDS)
  .filter((k) => k !== 'json' && k !== 'object')
  .join('|')}] [PATH...]

Validates Pantavisor revisions: state files (state.json, pvr json output, .pvr/json), pvr
checkouts (folders with .pvr/) and lone revision files. Folders are searched for checkouts
and for balena projects (docker-compose.yml), which get the balena compose rules.
PATH defaults to the current folder. A file named here is always validated, whatever its #spec.

Exit status: 0 no errors, 1 errors found, 2 bad usage.`;

export const validateCommand: CliCommand = {
  summary: 'Validate Pantavisor revisions (state files, pvr checkouts, revision files)',
  usage: USAGE,
  async run(ctx) {
    const args = parseArgs(ctx.argv, [
      { name: 'format', short: 'f', type: 'string' },
      { name: 'kind', short: 'k', type: 'string' },
    ]);
    const format = str(args, 'format') ?? 'text';
    if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`unknown format "${format}"`);
    const kind = (str(args, 'kind') ?? 'auto') as FileKind | 'auto';
    if (kind !== 'auto' && !(kind in FILE_KINDS)) throw new UsageError(`unknown kind "${kind}"`);
    const paths = args.positionals.length
      ? args.positionals.map((p) => (p.startsWith('/') ? p : `${ctx.cwd}/${p}`))
      : [ctx.cwd];

    const service = createPantavisorService();
    const texts = new Map<string, string>();
    const diags: CoreDiagnostic[] = [];
    const targets = await discoverTargets(paths, kind);
    let validated = 0;
    for (const t of targets) {
      if (ctx.signal.aborted) return 130;
      if (t.type === 'checkout') {
        const co = await loadCheckout(t.root, ctx.signal);
        for (const f of co.files) if (f.text !== undefined) texts.set(f.file, f.text);
        if (co.pristine) texts.set(co.pristine.file, co.pristine.text);
        for (const u of co.unreadable) ctx.stderr(`pvkit validate: cannot read ${u.file}: ${u.reason}\n`);
        const found = service.validateCheckout(co.root, co.files, co.pristine);
        diags.push(...(t.only ? found.filter((d) => t.only?.includes(d.file)) : found));
        validated++;
      } else if (t.type === 'compose') {
        // balena projects: the same rules as the editor (src/core/compose).
        const report = validateComposePath(t.path);
        for (const [file, text] of report.files) texts.set(file, text);
        diags.push(...report.diagnostics);
        validated++;
      } else if (t.type === 'file') {
        let text: string;
        try {
          text = await fs.readFile(t.file, 'utf8');
        } catch (e) {
          ctx.stderr(`pvkit validate: cannot read ${t.file}: ${(e as Error).message}\n`);
          diags.push({
            file: t.file,
            start: 0,
            end: 0,
            severity: 'error',
            code: 'PV003',
            message: `Cannot read the file: ${(e as Error).message}`,
            source: 'pvkit',
          });
          continue;
        }
        texts.set(t.file, text);
        diags.push(...service.validateFile(t.file, text, t.kind));
        validated++;
      }
    }
    if (validated === 0 && format === 'text')
      ctx.stderr(`pvkit validate: no revision found in ${paths.join(', ')}\n`);
    const positioned = positionDiagnostics(diags, texts, ctx.cwd);
    if (format === 'json') ctx.stdout(formatJson(positioned));
    else if (format === 'sarif') ctx.stdout(formatSarif(positioned, '0.1.0'));
    else {
      ctx.stdout(formatText(positioned));
      const count = (s: string): number => positioned.filter((d) => d.severity === s).length;
      ctx.stderr(
        `${validated} checked: ${count('error')} errors, ${count('warning')} warnings, ${count('info')} infos\n`,
      );
    }
    return positioned.some((d) => d.severity === 'error') ? 1 : 0;
  },
};
