import * as vscode from 'vscode';
import { classifyDocument } from './classifyDocument';
import { complete, hover } from './jsonAssist';

function kindOf(doc: vscode.TextDocument): ReturnType<typeof classifyDocument> {
  return doc.uri.scheme === 'file' ? classifyDocument(doc.uri.fsPath, doc.getText()) : undefined;
}

/** Completion and hover from the revision schemas, for revision documents only. */
export class RevisionAssistProvider implements vscode.CompletionItemProvider, vscode.HoverProvider {
  async provideCompletionItems(
    doc: vscode.TextDocument,
    pos: vscode.Position,
  ): Promise<vscode.CompletionItem[]> {
    const k = kindOf(doc);
    if (!k) return [];
    const items = await complete(
      k.type === 'state' ? 'state' : k.kind,
      doc.getText(),
      doc.offsetAt(pos),
      doc.version,
    );
    return items.map((i) => {
      const item = new vscode.CompletionItem(i.label, i.kind !== undefined ? i.kind - 1 : undefined);
      item.insertText = i.isSnippet
        ? new vscode.SnippetString(i.insertText ?? i.label)
        : (i.insertText ?? i.label);
      if (i.range) item.range = new vscode.Range(doc.positionAt(i.range.start), doc.positionAt(i.range.end));
      if (i.documentation) item.documentation = new vscode.MarkdownString(i.documentation);
      if (i.detail) item.detail = i.detail;
      if (i.filterText) item.filterText = i.filterText;
      if (i.sortText) item.sortText = i.sortText;
      return item;
    });
  }

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    const k = kindOf(doc);
    if (!k) return undefined;
    const h = await hover(
      k.type === 'state' ? 'state' : k.kind,
      doc.getText(),
      doc.offsetAt(pos),
      doc.version,
    );
    if (!h) return undefined;
    return new vscode.Hover(
      new vscode.MarkdownString(h.markdown),
      new vscode.Range(doc.positionAt(h.start), doc.positionAt(h.end)),
    );
  }
}
