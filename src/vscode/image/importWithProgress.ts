import * as vscode from 'vscode';
import type { ImportProgress, ImportResult } from '../../platform/image/importImage';
import { log } from '../log';

function mb(n: number): string {
  return `${(n / 1e6).toFixed(1)} MB`;
}

/**
 * Runs an image import under a cancellable notification: one line per layer with its bytes,
 * cancellation aborts the import (mksquashfs is killed, temporary files removed). Used by the
 * "Add container from image" and "Update container image" commands (the compose converter shows
 * its per-service import lines in its own notification). Returns undefined when cancelled or
 * failed (the error was shown).
 */
export async function importWithProgress(
  title: string,
  run: (hooks: { signal: AbortSignal; onProgress: (p: ImportProgress) => void }) => Promise<ImportResult>,
): Promise<ImportResult | undefined> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, token) => {
      const ac = new AbortController();
      const sub = token.onCancellationRequested(() => ac.abort());
      let last = 0;
      let lastPct = 0;
      const onProgress = (p: ImportProgress): void => {
        if ('message' in p) {
          log.info(`${title}: ${p.message}`);
          progress.report({ message: p.message });
          return;
        }
        const now = Date.now();
        if (now - last < 200 && p.bytes < p.total) return;
        last = now;
        const verb = p.phase === 'download' ? 'Downloading' : p.phase === 'scan' ? 'Checking' : 'Converting';
        // Three passes over the layers (download or scan, then convert); the bar follows the last.
        const pct =
          p.total > 0 ? Math.floor(((p.layer + Math.min(1, p.bytes / p.total)) / p.layers) * 100) : 0;
        const increment = p.phase === 'write' ? Math.max(0, pct - lastPct) : 0;
        if (p.phase === 'write') lastPct = Math.max(lastPct, pct);
        progress.report({
          message: `${verb} layer ${p.layer + 1}/${p.layers}: ${mb(p.bytes)}${p.total ? ` of ${mb(p.total)}` : ''}`,
          increment,
        });
      };
      try {
        const r = await run({ signal: ac.signal, onProgress });
        for (const w of r.warnings) log.warn(w);
        return r;
      } catch (e) {
        if (ac.signal.aborted) {
          log.info(`${title}: cancelled; temporary files removed`);
          return undefined;
        }
        log.error(`${title} failed`, e);
        void vscode.window.showErrorMessage(`${title}: ${e instanceof Error ? e.message : String(e)}`);
        return undefined;
      } finally {
        sub.dispose();
      }
    },
  );
}
