import * as vscode from 'vscode';
import type { Ctx } from './ctx';
import { startComposeFeatures } from './compose/startComposeFeatures';
import { RevisionAssistProvider } from './revision/RevisionAssistProvider';
import { RevisionCodeActionProvider } from './revision/RevisionCodeActionProvider';
import { RevisionDiagnostics } from './revision/RevisionDiagnostics';
import { startSignatures } from './signatures/startSignatures';

/** Starts diagnostics, completion, hover and quick fixes. Each area adds its providers here. */
export function startLanguageFeatures(ctx: Ctx): void {
  const json: vscode.DocumentSelector = [
    { language: 'json', scheme: 'file' },
    { language: 'jsonc', scheme: 'file' },
  ];
  const assist = new RevisionAssistProvider();
  ctx.pushCleanup(new RevisionDiagnostics(ctx));
  ctx.pushCleanup(vscode.languages.registerCompletionItemProvider(json, assist, '"', ':'));
  ctx.pushCleanup(vscode.languages.registerHoverProvider(json, assist));
  ctx.pushCleanup(
    vscode.languages.registerCodeActionsProvider(json, new RevisionCodeActionProvider(), {
      providedCodeActionKinds: RevisionCodeActionProvider.kinds,
    }),
  );
  startSignatures(ctx);
  startComposeFeatures(ctx);
}
