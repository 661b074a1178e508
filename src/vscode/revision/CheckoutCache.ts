import * as vscode from 'vscode';
import { loadCheckout, type LoadedCheckout } from '../../platform/revision/loadRevision';
import { log } from '../log';

/**
 * Keeps each open checkout's files in memory so validation as you type does not re-read the disk.
 * A file-system watcher drops a checkout's snapshot when anything in it changes on disk.
 */
export class CheckoutCache implements vscode.Disposable {
  private readonly cache = new Map<string, Promise<LoadedCheckout>>();
  private readonly watchers = new Map<string, vscode.Disposable>();
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the checkout root after something changed on disk. */
  readonly onDidChange = this.changed.event;

  get(root: string): Promise<LoadedCheckout> {
    let p = this.cache.get(root);
    if (!p) {
      const t0 = Date.now();
      p = loadCheckout(root).then((c) => {
        log.info(`loaded checkout ${root}: ${c.files.length} files in ${Date.now() - t0} ms`);
        return c;
      });
      this.cache.set(root, p);
      this.watch(root);
    }
    return p;
  }

  private watch(root: string): void {
    if (this.watchers.has(root)) return;
    const w = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(root), '**/*'),
    );
    const drop = (uri: vscode.Uri): void => {
      // Saving an open document also lands here; the open text wins anyway, but objects and
      // new files only show up through a reload.
      if (uri.fsPath.includes('/.pvr/') && !uri.fsPath.endsWith('/.pvr/json')) return;
      this.cache.delete(root);
      this.changed.fire(root);
    };
    this.watchers.set(
      root,
      vscode.Disposable.from(w, w.onDidCreate(drop), w.onDidDelete(drop), w.onDidChange(drop)),
    );
  }

  dispose(): void {
    for (const w of this.watchers.values()) w.dispose();
    this.watchers.clear();
    this.cache.clear();
    this.changed.dispose();
  }
}
