import * as vscode from 'vscode';
import { composeCompletion } from '../../core/compose/composeCompletion';
import { composeHover } from '../../core/compose/composeHover';
import { COMPOSE_SOURCE } from '../../core/compose/codes';
import type { Ctx } from '../ctx';
import { ComposeDiagnosticsProvider, fixKey } from './ComposeDiagnosticsProvider';
import { COMPOSE_SELECTOR, isComposeDocument } from './composeDocuments';

/** Registers diagnostics, hover, completion and quick fixes for balena compose files. */
export function startComposeFeatures(ctx: Ctx): void {
  const diagnostics = new ComposeDiagnosticsProvider(ctx);
  ctx.pushCleanup(diagnostics);

  ctx.pushCleanup(
    vscode.languages.registerHoverProvider(COMPOSE_SELECTOR, {
      provideHover(doc, position) {
        if (!isComposeDocument(doc)) return undefined;
        const h = composeHover(doc.getText(), doc.offsetAt(position));
        if (!h) return undefined;
        return new vscode.Hover(
          new vscode.MarkdownString(h.markdown),
          new vscode.Range(doc.positionAt(h.start), doc.positionAt(h.end)),
        );
      },
    }),
  );

  ctx.pushCleanup(
    vscode.languages.registerCompletionItemProvider(
      COMPOSE_SELECTOR,
      {
        provideCompletionItems(doc, position) {
          if (!isComposeDocument(doc)) return undefined;
          return composeCompletion(doc.getText(), doc.offsetAt(position)).map((c, i) => {
            const item = new vscode.CompletionItem(
              c.label,
              c.kind === 'field'
                ? vscode.CompletionItemKind.Property
                : c.kind === 'label'
                  ? vscode.CompletionItemKind.Constant
                  : vscode.CompletionItemKind.EnumMember,
            );
            item.insertText = c.insertText;
            item.range = new vscode.Range(doc.positionAt(c.start), doc.positionAt(c.end));
            if (c.markdown) item.documentation = new vscode.MarkdownString(c.markdown);
            if (c.deprecated) item.tags = [vscode.CompletionItemTag.Deprecated];
            item.sortText = `${c.deprecated ? '1' : '0'}${String(i).padStart(4, '0')}`;
            return item;
          });
        },
      },
      ':',
      '.',
      '-',
    ),
  );

  ctx.pushCleanup(
    vscode.languages.registerCodeActionsProvider(
      COMPOSE_SELECTOR,
      {
        provideCodeActions(doc, _range, context) {
          const actions: vscode.CodeAction[] = [];
          for (const d of context.diagnostics) {
            if (d.source !== COMPOSE_SOURCE) continue;
            const fix = diagnostics.fixes.get(
              fixKey(
                doc.uri,
                d.range,
                typeof d.code === 'object' ? String(d.code.value) : String(d.code),
                d.message,
              ),
            );
            if (!fix) continue;
            const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
            action.diagnostics = [d];
            action.isPreferred = true;
            const edit = new vscode.WorkspaceEdit();
            for (const e of fix.edits)
              edit.replace(
                doc.uri,
                new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)),
                e.newText,
              );
            action.edit = edit;
            actions.push(action);
          }
          return actions;
        },
      },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
  );
}
