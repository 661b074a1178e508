import * as vscode from 'vscode';
import { SYSTEM1_SPEC } from '../../core/revision/validateRevision';

/** Quick fixes for the revision rules whose fix is certain. */
export class RevisionCodeActionProvider implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  provideCodeActions(
    doc: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const out: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      if (d.source !== 'pantavisor-rules') continue;
      const fix = (title: string, newText: string, range = d.range): void => {
        const a = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
        a.edit = new vscode.WorkspaceEdit();
        a.edit.replace(doc.uri, range, newText);
        a.diagnostics = [d];
        a.isPreferred = true;
        out.push(a);
      };
      if (d.code === 'PV011') fix(`Use "${SYSTEM1_SPEC}"`, JSON.stringify(SYSTEM1_SPEC));
      if (d.code === 'PV010') {
        const start = d.range.start;
        const a = new vscode.CodeAction(`Add "#spec": "${SYSTEM1_SPEC}"`, vscode.CodeActionKind.QuickFix);
        a.edit = new vscode.WorkspaceEdit();
        const empty = /^\{\s*\}/.test(doc.getText().slice(doc.offsetAt(start)));
        a.edit.insert(doc.uri, start.translate(0, 1), `"#spec": "${SYSTEM1_SPEC}"${empty ? '' : ', '}`);
        a.diagnostics = [d];
        a.isPreferred = true;
        out.push(a);
      }
      if (d.code === 'PV100') {
        const folder = /its folder is "([^"]+)"/.exec(d.message)?.[1];
        if (folder) fix(`Rename to "${folder}"`, JSON.stringify(folder));
      }
      if (d.code === 'PV101') {
        const groups = /\(([^)]*)\)/.exec(d.message)?.[1]?.split(', ').filter(Boolean) ?? [];
        for (const g of groups) fix(`Use group "${g}"`, JSON.stringify(g));
      }
    }
    return out;
  }
}
