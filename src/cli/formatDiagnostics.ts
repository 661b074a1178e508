import { relative, isAbsolute } from 'node:path';
import type { CoreDiagnostic } from '../core/diagnostics';
import { LineIndex } from '../core/parse/LineIndex';
import { RULES } from '../core/revision/validateRevision';

/** A diagnostic with 1-based line/column positions, as `pvkit validate --format json` prints it. */
export interface PositionedDiagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: CoreDiagnostic['severity'];
  code: string;
  message: string;
  source: string;
}

/** Converts offsets to 1-based positions using each file's text; paths shown relative to `cwd`. */
export function positionDiagnostics(
  diags: readonly CoreDiagnostic[],
  texts: ReadonlyMap<string, string>,
  cwd: string,
): PositionedDiagnostic[] {
  const indexes = new Map<string, LineIndex>();
  return diags.map((d) => {
    let idx = indexes.get(d.file);
    if (!idx) {
      idx = new LineIndex(texts.get(d.file) ?? '');
      indexes.set(d.file, idx);
    }
    const s = idx.positionAt(d.start);
    const e = idx.positionAt(d.end);
    return {
      file: displayPath(d.file, cwd),
      line: s.line + 1,
      column: s.character + 1,
      endLine: e.line + 1,
      endColumn: e.character + 1,
      severity: d.severity,
      code: d.code,
      message: d.message,
      source: d.source,
    };
  });
}

export function displayPath(file: string, cwd: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

export function formatText(diags: readonly PositionedDiagnostic[]): string {
  return diags.map((d) => `${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code} ${d.message}\n`).join('');
}

export function formatJson(diags: readonly PositionedDiagnostic[]): string {
  return (
    JSON.stringify(
      diags.map(({ file, line, column, endLine, endColumn, severity, code, message }) => ({
        file,
        line,
        column,
        endLine,
        endColumn,
        severity,
        code,
        message,
      })),
      null,
      2,
    ) + '\n'
  );
}

/** SARIF 2.1.0, the format code-scanning services read. */
export function formatSarif(diags: readonly PositionedDiagnostic[], version: string): string {
  const codes = [...new Set(diags.map((d) => d.code))].sort();
  const level = (s: string): string => (s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note');
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'pvkit',
            version,
            informationUri: 'https://github.com/pantavisor/pantavisor',
            rules: codes.map((id) => ({ id, shortDescription: { text: RULES[id]?.summary ?? id } })),
          },
        },
        results: diags.map((d) => ({
          ruleId: d.code,
          ruleIndex: codes.indexOf(d.code),
          level: level(d.severity),
          message: { text: d.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: d.file.split('\\').join('/') },
                region: {
                  startLine: d.line,
                  startColumn: d.column,
                  endLine: d.endLine,
                  endColumn: d.endColumn,
                },
              },
            },
          ],
        })),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
