import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { ResignCodeActionProvider } from './ResignCodeActionProvider';
import { SignatureHoverProvider } from './SignatureHoverProvider';
import type { SignatureSummary } from '../../platform/signature/signatureSummary';
import { SignatureService } from './SignatureService';

let service: SignatureService | undefined;

/** The running signature service, once started. */
export function signatureService(): SignatureService | undefined {
  return service;
}

/**
 * The signature summary of a checkout, for the revision view's "Signatures" section (the view
 * belongs to another area; it calls this).
 */
export async function getSignatureSummary(dir: string): Promise<SignatureSummary | undefined> {
  return service?.getSummary(dir);
}

/**
 * Before a push: when a signature is stale or invalid, offer "Re-sign" (Pantavisor would reject
 * the revision). Returns true when the push may go ahead. The push command (another area) calls it.
 */
export async function confirmSignaturesBeforePush(dir: string): Promise<boolean> {
  const report = await service?.refresh(dir);
  if (!report) return true;
  const bad = [
    ...report.coverage.stale.map((s) => s.name),
    ...report.signatures.filter((s) => s.status === 'invalid').map((s) => s.name),
  ];
  if (bad.length === 0) return true;
  const names = [...new Set(bad)];
  const resign = 'Re-sign';
  const anyway = 'Push Anyway';
  const answer = await vscode.window.showWarningMessage(
    `Signature(s) ${names.map((n) => `_sigs/${n}.json`).join(', ')} no longer match the revision; Pantavisor with secure boot will reject it.`,
    { modal: true },
    resign,
    anyway,
  );
  if (answer === resign) {
    for (const name of names) await vscode.commands.executeCommand('pantavisor.sig.update', { dir, name });
    return false;
  }
  return answer === anyway;
}

/** Starts signature diagnostics, the hover on `_sigs/*.json` and the Re-sign quick fix. */
export function startSignatures(ctx: Ctx): void {
  service = new SignatureService(ctx);
  ctx.pushCleanup(service);
  ctx.pushCleanup({ dispose: () => (service = undefined) });
  const selector: vscode.DocumentSelector = [{ scheme: 'file', pattern: '**/_sigs/*.json' }];
  ctx.pushCleanup(vscode.languages.registerHoverProvider(selector, new SignatureHoverProvider(service)));
  ctx.pushCleanup(
    vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, new ResignCodeActionProvider(service), {
      providedCodeActionKinds: ResignCodeActionProvider.kinds,
    }),
  );
}
