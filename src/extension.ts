import * as vscode from 'vscode';
import { Ctx } from './vscode/ctx';
import { log } from './vscode/log';
import { registerCommands } from './vscode/commands/index';
import { startLanguageFeatures } from './vscode/startLanguageFeatures';
import { startPvrScm, type PvrScm } from './vscode/scm/PvrScmProvider';
import { registerPvrTasks } from './vscode/commands/pvrRun';
import { startViews } from './vscode/views/startViews';
import { startCheckoutStatus, type CheckoutStatusBar } from './vscode/status/CheckoutStatusBar';

let ctx: Ctx | undefined;

/** What activate returns; tests reach the running services through it. */
export interface PvkitApi {
  ctx: Ctx;
  activationMs: number;
  scm: PvrScm;
  /** The status bar item with the push target and the checkout's state. */
  status: CheckoutStatusBar;
}

export function activate(context: vscode.ExtensionContext): PvkitApi | undefined {
  const t0 = Date.now();
  context.subscriptions.push(log.init());
  try {
    ctx = new Ctx(context);
    context.subscriptions.push(ctx);
    registerCommands(ctx);
    startLanguageFeatures(ctx);
    const scm = startPvrScm(ctx);
    registerPvrTasks(ctx);
    startViews(ctx);
    const status = startCheckoutStatus(ctx, scm);
    const activationMs = Date.now() - t0;
    log.info(`activated in ${activationMs} ms; settings: ${ctx.config.describe()}`);
    return { ctx, activationMs, scm, status };
  } catch (e) {
    // Activation must not fail silently: say what broke and where to look.
    log.error('Pantavisor extension failed to activate', e);
    void vscode.window.showErrorMessage(
      `Pantavisor failed to activate: ${String(e)}. See the "Pantavisor" log.`,
    );
    return undefined;
  }
}

export async function deactivate(): Promise<void> {
  // Long-running processes (QEMU, pvr) are disposables of ctx; disposing stops them.
  ctx?.dispose();
  ctx = undefined;
  await Promise.resolve();
}
