import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CoreDiagnostic } from '../../core/diagnostics';
import { COMPOSE_SOURCE } from '../../core/compose/codes';
import type { Fix } from '../../core/compose/fixes';
import { validateBalenaYml, validateCompose } from '../../core/compose/validateCompose';
import { LineIndex } from '../../core/parse/LineIndex';
import { fsComposeProject } from '../../platform/compose/fsComposeProject';
import type { Ctx } from '../ctx';
import { log } from '../log';
import { isBalenaYml, isComposeDocument, yamlExtensionActive } from './composeDocuments';

const SEVERITY: Record<CoreDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** Key under which a quick fix is remembered for a published diagnostic. */
export function fixKey(uri: vscode.Uri, range: vscode.Range, code: string, message: string): string {
  return `${uri.toString()}|${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}|${code}|${message}`;
}

/**
 * Validates compose files and balena.yml as they change, debounced per document (house style 9),
 * and publishes one `balena-compose` collection. Diagnostics on other files of the project
 * (Dockerfile.template, balena.yml) are published on those files.
 */
export class ComposeDiagnosticsProvider implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(COMPOSE_SOURCE);
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Files other than the document that each document published diagnostics on. */
  private readonly secondary = new Map<string, Set<string>>();
  readonly fixes = new Map<string, Fix>();

  constructor(private readonly ctx: Ctx) {
    vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0), null, ctx.subscriptions);
    vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document), null, ctx.subscriptions);
    vscode.workspace.onDidCloseTextDocument((d) => this.clear(d.uri), null, ctx.subscriptions);
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  private schedule(doc: vscode.TextDocument, delay = this.ctx.config.debounceMs): void {
    if (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled') return;
    if (!isComposeDocument(doc) && !isBalenaYml(doc)) return;
    const key = doc.uri.toString();
    const prev = this.timers.get(key);
    if (prev) clearTimeout(prev);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        try {
          this.validate(doc);
        } catch (e) {
          log.error(`compose validation of ${doc.uri.fsPath} failed: ${String(e)}`);
        }
      }, delay),
    );
  }

  /** Validates one document now and publishes the result. */
  validate(doc: vscode.TextDocument): void {
    if (!this.ctx.config.validationEnabled) {
      this.clear(doc.uri);
      return;
    }
    const text = doc.getText();
    const path = doc.uri.fsPath;
    let diags: CoreDiagnostic[];
    if (isBalenaYml(doc)) {
      diags = validateBalenaYml(text, path);
    } else {
      const dir = dirname(path);
      diags = validateCompose({
        composePath: path,
        composeText: text,
        project: doc.uri.scheme === 'file' ? fsComposeProject(dir) : undefined,
        balenaYmlPath: join(dir, 'balena.yml'),
        genericDiagnostics: !yamlExtensionActive(),
        pantavisorNotes: this.ctx.config.composePantavisorNotes,
      }).diagnostics;
    }
    this.publish(doc, diags);
  }

  private publish(doc: vscode.TextDocument, diags: CoreDiagnostic[]): void {
    const byFile = new Map<string, CoreDiagnostic[]>();
    for (const d of diags) byFile.set(d.file, [...(byFile.get(d.file) ?? []), d]);
    const own = doc.uri.toString();
    for (const k of [...this.fixes.keys()]) if (k.startsWith(own + '|')) this.fixes.delete(k);
    const previous = this.secondary.get(own) ?? new Set<string>();
    const now = new Set<string>();
    this.collection.set(
      doc.uri,
      this.convert(doc.uri, byFile.get(doc.uri.fsPath) ?? [], (o) => doc.positionAt(o)),
    );
    for (const [file, list] of byFile) {
      if (file === doc.uri.fsPath) continue;
      const uri = vscode.Uri.file(file);
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      // balena.yml open in an editor is validated on its own; do not overwrite it.
      if (open && isBalenaYml(open)) continue;
      let index: LineIndex | undefined;
      const positionAt = (o: number): vscode.Position => {
        if (open) return open.positionAt(o);
        index ??= new LineIndex(readText(file));
        const p = index.positionAt(o);
        return new vscode.Position(p.line, p.character);
      };
      this.collection.set(uri, this.convert(uri, list, positionAt));
      now.add(uri.toString());
    }
    for (const stale of previous) if (!now.has(stale)) this.collection.delete(vscode.Uri.parse(stale));
    this.secondary.set(own, now);
  }

  private convert(
    uri: vscode.Uri,
    list: CoreDiagnostic[],
    positionAt: (o: number) => vscode.Position,
  ): vscode.Diagnostic[] {
    return list.map((d) => {
      const range = new vscode.Range(positionAt(d.start), positionAt(d.end));
      const diag = new vscode.Diagnostic(range, d.message, SEVERITY[d.severity]);
      diag.source = d.source;
      diag.code = d.code;
      const fix = d.data?.['fix'] as Fix | undefined;
      if (fix) this.fixes.set(fixKey(uri, range, d.code, d.message), fix);
      return diag;
    });
  }

  private clear(uri: vscode.Uri): void {
    const key = uri.toString();
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
    this.collection.delete(uri);
    for (const f of this.secondary.get(key) ?? []) this.collection.delete(vscode.Uri.parse(f));
    this.secondary.delete(key);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.collection.dispose();
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
