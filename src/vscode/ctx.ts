import * as vscode from 'vscode';
import { Config } from './config';
import { log } from './log';
import { CheckoutCache } from './revision/CheckoutCache';

/** Owns every disposable of the extension (house style 12) and the shared services. */
export class Ctx implements vscode.Disposable {
  readonly subscriptions: vscode.Disposable[] = [];
  config: Config = Config.read();
  /** Files of the open pvr checkouts, shared by diagnostics and views. */
  readonly checkouts = new CheckoutCache();

  constructor(readonly extension: vscode.ExtensionContext) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('pantavisor')) {
          this.config = Config.read();
          log.info(`settings: ${this.config.describe()}`);
        }
      }),
      this.checkouts,
    );
  }

  pushCleanup(d: vscode.Disposable): void {
    this.subscriptions.push(d);
  }

  dispose(): void {
    for (const d of this.subscriptions.splice(0).reverse()) {
      try {
        d.dispose();
      } catch (e) {
        log.warn(`dispose failed: ${String(e)}`);
      }
    }
  }
}
