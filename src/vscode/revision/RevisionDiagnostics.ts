import * as vscode from 'vscode';
import { join } from 'node:path';
import type { CoreDiagnostic } from '../../core/diagnostics';
import { LineIndex } from '../../core/parse/LineIndex';
import { createPantavisorService, type PantavisorService } from '../../core/service';
import { ValidationWorkerClient } from '../../platform/validation/ValidationWorkerClient';
import type { Ctx } from '../ctx';
import { log } from '../log';
import { classifyDocument } from './classifyDocument';

/** States larger than this are validated in a worker thread. */
const WORKER_THRESHOLD = 256 * 1024;

const SEVERITY: Record<CoreDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/**
 * Validates Pantavisor revision documents as you type (debounced) and publishes the results, one
 * collection per source (house style 8). A checkout is validated as a whole, so a change in
 * device.json can raise or clear a diagnostic on a closed run.json.
 */
export class RevisionDiagnostics implements vscode.Disposable {
  private readonly service: PantavisorService = createPantavisorService();
  private readonly collections = new Map<string, vscode.DiagnosticCollection>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Files that currently carry diagnostics, per validation unit (checkout root or state file). */
  private readonly published = new Map<string, Set<string>>();
  private readonly generation = new Map<string, number>();
  private readonly worker: ValidationWorkerClient;

  constructor(private readonly ctx: Ctx) {
    this.worker = new ValidationWorkerClient(
      join(ctx.extension.extensionPath, 'dist', 'validationWorker.js'),
    );
    const subs = ctx.subscriptions;
    vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0), null, subs);
    vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document), null, subs);
    vscode.workspace.onDidCloseTextDocument((d) => this.onClose(d), null, subs);
    ctx.checkouts.onDidChange(
      (root) => this.scheduleUnit(root, () => this.validateCheckout(root)),
      null,
      subs,
    );
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  private collection(source: string): vscode.DiagnosticCollection {
    let c = this.collections.get(source);
    if (!c) {
      c = vscode.languages.createDiagnosticCollection(source);
      this.collections.set(source, c);
    }
    return c;
  }

  private schedule(doc: vscode.TextDocument, delay = this.ctx.config.debounceMs): void {
    if (doc.uri.scheme !== 'file' || !this.ctx.config.validationEnabled) return;
    const kind = classifyDocument(doc.uri.fsPath, doc.getText());
    if (!kind) return;
    if (kind.type === 'state') this.scheduleUnit(doc.uri.fsPath, () => this.validateState(doc), delay);
    else this.scheduleUnit(kind.root, () => this.validateCheckout(kind.root), delay);
  }

  private scheduleUnit(unit: string, work: () => Promise<void>, delay = this.ctx.config.debounceMs): void {
    clearTimeout(this.timers.get(unit));
    this.timers.set(
      unit,
      setTimeout(() => {
        this.timers.delete(unit);
        work().catch((e: unknown) => log.error(`validation of ${unit} failed`, e));
      }, delay),
    );
  }

  private onClose(doc: vscode.TextDocument): void {
    // A closed state file no longer shows problems; a checkout keeps its (disk-based) results.
    const kind = doc.uri.scheme === 'file' ? classifyDocument(doc.uri.fsPath, '') : undefined;
    if (!kind || kind.type === 'checkout') {
      const root = kind?.type === 'checkout' ? kind.root : undefined;
      if (root) this.scheduleUnit(root, () => this.validateCheckout(root));
      return;
    }
    this.publish(doc.uri.fsPath, [], new Map());
  }

  private bump(unit: string): number {
    const g = (this.generation.get(unit) ?? 0) + 1;
    this.generation.set(unit, g);
    return g;
  }

  async validateState(doc: vscode.TextDocument): Promise<void> {
    const unit = doc.uri.fsPath;
    const gen = this.bump(unit);
    const text = doc.getText();
    const t0 = Date.now();
    const diags =
      text.length > WORKER_THRESHOLD
        ? await this.worker.validateState(unit, text)
        : this.service.validateState(unit, text);
    if (this.generation.get(unit) !== gen) return; // A newer edit is being validated.
    if (text.length > WORKER_THRESHOLD)
      log.info(`validated ${unit} (${text.length} chars) in ${Date.now() - t0} ms`);
    this.publish(unit, diags, new Map([[unit, text]]));
  }

  async validateCheckout(root: string): Promise<void> {
    const gen = this.bump(root);
    const loaded = await this.ctx.checkouts.get(root);
    // Open documents win over the disk: the user sees results for what they are typing.
    const open = new Map<string, string>();
    for (const d of vscode.workspace.textDocuments)
      if (d.uri.scheme === 'file' && d.uri.fsPath.startsWith(root + '/')) open.set(d.uri.fsPath, d.getText());
    const files = loaded.files.map((f) =>
      f.text !== undefined && open.has(f.file) ? { ...f, text: open.get(f.file) } : f,
    );
    const known = new Set(files.map((f) => f.file));
    for (const [file, text] of open) {
      if (!known.has(file) && file.endsWith('.json') && !file.includes('/.pvr/'))
        files.push({ key: file.slice(root.length + 1), file, text });
    }
    const pristineFile = join(root, '.pvr', 'json');
    const pristine = open.has(pristineFile)
      ? { file: pristineFile, text: open.get(pristineFile) ?? '' }
      : loaded.pristine;
    const diags = this.service.validateCheckout(root, files, pristine);
    if (this.generation.get(root) !== gen) return;
    const texts = new Map<string, string>();
    for (const f of files) if (f.text !== undefined) texts.set(f.file, f.text);
    if (pristine) texts.set(pristine.file, pristine.text);
    this.publish(root, diags, texts);
  }

  private publish(unit: string, diags: readonly CoreDiagnostic[], texts: ReadonlyMap<string, string>): void {
    const byFile = new Map<string, Map<string, vscode.Diagnostic[]>>();
    const indexes = new Map<string, { positionAt(o: number): { line: number; character: number } }>();
    for (const d of diags) {
      let idx = indexes.get(d.file);
      if (!idx) {
        const open = vscode.workspace.textDocuments.find(
          (x) => x.uri.fsPath === d.file && x.getText() === texts.get(d.file),
        );
        idx = open ?? new LineIndex(texts.get(d.file) ?? '');
        indexes.set(d.file, idx);
      }
      const s = idx.positionAt(d.start);
      const e = idx.positionAt(d.end);
      const vd = new vscode.Diagnostic(
        new vscode.Range(s.line, s.character, e.line, e.character),
        d.message,
        SEVERITY[d.severity],
      );
      vd.source = d.source;
      vd.code = d.code;
      const perSource = byFile.get(d.file) ?? new Map<string, vscode.Diagnostic[]>();
      perSource.set(d.source, [...(perSource.get(d.source) ?? []), vd]);
      byFile.set(d.file, perSource);
    }
    const before = this.published.get(unit) ?? new Set<string>();
    for (const file of before)
      if (!byFile.has(file)) for (const c of this.collections.values()) c.delete(vscode.Uri.file(file));
    for (const [file, perSource] of byFile) {
      const uri = vscode.Uri.file(file);
      for (const [source, list] of perSource) this.collection(source).set(uri, list);
      for (const [source, c] of this.collections) if (!perSource.has(source)) c.delete(uri);
    }
    this.published.set(unit, new Set(byFile.keys()));
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const c of this.collections.values()) c.dispose();
    this.worker.dispose();
  }
}
