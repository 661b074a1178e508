import * as vscode from 'vscode';
import { dirname, join, sep } from 'node:path';
import type { CoreDiagnostic } from '../../core/diagnostics';
import { LineIndex } from '../../core/parse/LineIndex';
import { SIGNATURE_SOURCE } from '../../core/signature/coverage';
import { readCertificates, readPublicKeys } from '../../platform/signature/keys';
import { loadSignatureReport, type SignatureReport } from '../../platform/signature/signatureReport';
import { summarize, type SignatureSummary } from '../../platform/signature/signatureSummary';
import type { Trust } from '../../platform/signature/verify';
import type { Ctx } from '../ctx';
import { log } from '../log';

/** Fires with a checkout directory whenever its signatures were checked again. */
export const signaturesChanged = new vscode.EventEmitter<string>();

/**
 * Keeps the `pantavisor-signatures` diagnostics of every pvr checkout in the workspace up to date:
 * refreshed on save, on file changes and on commits (`.pvr/json`), debounced.
 */
export class SignatureService implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection(SIGNATURE_SOURCE);
  private readonly reports = new Map<string, SignatureReport>();
  private readonly published = new Map<string, vscode.Uri[]>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private trustConfigured = false;

  constructor(private readonly ctx: Ctx) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*');
    const poke = (uri: vscode.Uri): void => {
      if (!uri.path.includes('/.git/')) this.schedule();
    };
    watcher.onDidChange(poke, null, ctx.subscriptions);
    watcher.onDidCreate(poke, null, ctx.subscriptions);
    watcher.onDidDelete(poke, null, ctx.subscriptions);
    ctx.pushCleanup(watcher);
    vscode.workspace.onDidSaveTextDocument(() => this.schedule(), null, ctx.subscriptions);
    vscode.workspace.onDidChangeConfiguration(
      (e) => {
        if (e.affectsConfiguration('pantavisor.signatures')) this.schedule();
      },
      null,
      ctx.subscriptions,
    );
    this.schedule(0);
  }

  /** Re-checks every checkout soon (debounced). */
  schedule(delay = 400): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.running
        .then(() => this.refreshAll())
        .catch((e: unknown) => log.error('signature check failed', e));
    }, delay);
  }

  /** Checks every checkout now; resolves when diagnostics are published. */
  async refreshAll(): Promise<void> {
    const found = await vscode.workspace.findFiles('**/.pvr/json', '**/node_modules/**', 100);
    const dirs = new Set(found.map((u) => dirname(dirname(u.fsPath))));
    for (const dir of [...this.reports.keys()]) {
      if (!dirs.has(dir)) this.clear(dir);
    }
    for (const dir of dirs) await this.refresh(dir);
  }

  /** The trust settings, read fresh; unreadable files are logged and ignored. */
  async trust(): Promise<{ trust: Trust; configured: boolean }> {
    const cfg = this.ctx.config;
    const trust: Trust = {};
    const pub = cfg.signaturePath('signatures.pubkeyPath');
    const ca = cfg.signaturePath('signatures.cacertsPath');
    try {
      if (pub) trust.publicKeys = await readPublicKeys(pub);
      if (ca) trust.caCerts = await readCertificates(ca, 'CA file');
    } catch (e) {
      log.warn(
        `signature trust settings: ${(e as Error).message} (pantavisor.signatures.pubkeyPath / cacertsPath)`,
      );
    }
    this.trustConfigured = Boolean(pub || ca);
    return { trust, configured: this.trustConfigured };
  }

  async refresh(dir: string): Promise<SignatureReport | undefined> {
    const { trust, configured } = await this.trust();
    let report: SignatureReport;
    try {
      report = await loadSignatureReport(dir, {
        trust,
        trustConfigured: configured,
        strict: this.ctx.config.signaturesStrict,
      });
    } catch (e) {
      log.warn(`signatures of ${dir}: ${(e as Error).message}`);
      this.clear(dir);
      return undefined;
    }
    this.reports.set(dir, report);
    this.publish(dir, report);
    signaturesChanged.fire(dir);
    return report;
  }

  /** The last report for a checkout (the revision view calls {@link getSummary}). */
  report(dir: string): SignatureReport | undefined {
    return this.reports.get(dir);
  }

  /** The signature summary for the revision view's "Signatures" section. */
  async getSummary(dir: string): Promise<SignatureSummary | undefined> {
    const report = this.reports.get(dir) ?? (await this.refresh(dir));
    if (!report) return undefined;
    return summarize(report, (await this.trust()).configured);
  }

  /** The summary from the last check, without checking again (for the revision view). */
  summaryNow(dir: string): SignatureSummary | undefined {
    const report = this.reports.get(dir);
    return report ? summarize(report, this.trustConfigured) : undefined;
  }

  /** The checkout a file belongs to (the deepest checkout directory containing it). */
  checkoutOf(fsPath: string): string | undefined {
    return [...this.reports.keys()]
      .filter((d) => fsPath === d || fsPath.startsWith(d + sep))
      .sort((a, b) => b.length - a.length)[0];
  }

  checkouts(): string[] {
    return [...this.reports.keys()];
  }

  private clear(dir: string): void {
    for (const u of this.published.get(dir) ?? []) this.collection.delete(u);
    this.published.delete(dir);
    this.reports.delete(dir);
  }

  private publish(dir: string, report: SignatureReport): void {
    for (const u of this.published.get(dir) ?? []) this.collection.delete(u);
    const texts = new Map(report.signatures.map((s) => [s.key, s.text]));
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const d of report.diagnostics) {
      const list = byFile.get(d.file) ?? [];
      list.push(toVscode(d, texts.get(d.file)));
      byFile.set(d.file, list);
    }
    const uris: vscode.Uri[] = [];
    for (const [key, diags] of byFile) {
      const uri = vscode.Uri.file(join(dir, ...key.split('/')));
      this.collection.set(uri, diags);
      uris.push(uri);
    }
    this.published.set(dir, uris);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.collection.dispose();
  }
}

const SEVERITY: Record<CoreDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/**
 * Offsets are converted with the text that was checked (the signature file); other files get
 * their first line, since the diagnostic is about the whole file.
 */
function toVscode(d: CoreDiagnostic, text: string | undefined): vscode.Diagnostic {
  let range: vscode.Range;
  if (text !== undefined) {
    const idx = new LineIndex(text);
    const a = idx.positionAt(d.start);
    const b = idx.positionAt(d.end);
    range = new vscode.Range(a.line, a.character, b.line, b.character);
  } else {
    range = new vscode.Range(0, 0, 0, 0);
  }
  const v = new vscode.Diagnostic(range, d.message, SEVERITY[d.severity]);
  v.source = d.source;
  v.code = d.code;
  return v;
}
