import * as vscode from 'vscode';
import { isComposeDocument } from '../compose/composeDocuments';

/** Offers "Convert from balena" on a compose file (refactor menu and light bulb). */
export class ConvertCodeActionProvider implements vscode.CodeActionProvider {
  static readonly kind = vscode.CodeActionKind.Refactor.append('pantavisor.convert');
  static readonly kinds = [ConvertCodeActionProvider.kind];

  provideCodeActions(doc: vscode.TextDocument): vscode.CodeAction[] {
    if (!isComposeDocument(doc) || doc.uri.scheme !== 'file') return [];
    const action = new vscode.CodeAction(
      'Pantavisor: Convert this balena project to a pvr checkout',
      ConvertCodeActionProvider.kind,
    );
    action.command = { command: 'pantavisor.convert', title: 'Convert from balena', arguments: [doc.uri] };
    return [action];
  }
}
