import * as vscode from 'vscode';
import { SIG_CODES, SIGNATURE_SOURCE } from '../../core/signature/coverage';
import { sigNameOf } from '../../core/signature/pvsMatch';
import type { SignatureService } from './SignatureService';

/** "Re-sign" quick fix on stale or invalid signatures and on the changed files that made them so. */
export class ResignCodeActionProvider implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly service: SignatureService) {}

  provideCodeActions(
    doc: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const dir = this.service.checkoutOf(doc.uri.fsPath);
    if (!dir) return [];
    const rel = doc.uri.fsPath
      .slice(dir.length + 1)
      .split(/[\\/]/)
      .join('/');
    const out: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      if (d.source !== SIGNATURE_SOURCE) continue;
      let names: string[] = [];
      if (d.code === SIG_CODES.stale || d.code === SIG_CODES.invalid) names = [sigNameOf(rel)];
      else if (d.code === SIG_CODES.changedFile) {
        names = this.service.report(dir)?.coverage.files.find((f) => f.key === rel)?.coveredBy ?? [];
      }
      for (const name of names) {
        const a = new vscode.CodeAction(
          `Re-sign _sigs/${name}.json (signs the committed state)`,
          vscode.CodeActionKind.QuickFix,
        );
        a.diagnostics = [d];
        a.isPreferred = true;
        a.command = { command: 'pantavisor.sig.update', title: 'Re-sign', arguments: [{ dir, name }] };
        out.push(a);
      }
    }
    return out;
  }
}
