import * as vscode from 'vscode';
import { basename, dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import type { Ctx } from '../ctx';
import { log } from '../log';
import { installApp } from '../../platform/template/installApp';

/** The container folder of a file: its own folder or the nearest parent that holds a src.json. */
function containerOf(file: string, stopAt: string | undefined): string | undefined {
  let dir = dirname(file);
  for (;;) {
    if (existsSync(join(dir, 'src.json'))) return dir;
    const up = dirname(dir);
    if (up === dir || (stopAt && !up.startsWith(stopAt))) return undefined;
    dir = up;
  }
}

async function pickContainer(): Promise<string | undefined> {
  const files = await vscode.workspace.findFiles('**/src.json', '**/{node_modules,.pvr}/**', 500);
  const dirs = files.map((f) => dirname(f.fsPath)).sort();
  if (dirs.length === 0) {
    void vscode.window.showErrorMessage('No container folder with a src.json in this workspace.');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    dirs.map((d) => ({ label: basename(d), description: vscode.workspace.asRelativePath(d), dir: d })),
    { placeHolder: 'Container to render run.json and lxc.container.conf for' },
  );
  return pick?.dir;
}

/**
 * `pantavisor.app.install`: renders the container's run.json and lxc.container.conf from its
 * src.json (like `pvkit app install`), in the mode of `pantavisor.template.compat`.
 */
export function appInstallCommand(ctx: Ctx) {
  return async (uri?: unknown): Promise<void> => {
    const file = uri instanceof vscode.Uri ? uri.fsPath : vscode.window.activeTextEditor?.document.uri.fsPath;
    const folder = file ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath : undefined;
    let dir = file ? (existsSync(join(file, 'src.json')) ? file : containerOf(file, folder)) : undefined;
    dir ??= await pickContainer();
    if (!dir) return;
    const compat = ctx.config.templateCompat;
    const root = dirname(dir);
    const app = basename(dir);
    log.info(`app install ${app} in ${root} (compat ${compat})`);
    const r = await installApp({ root, app, compat });
    for (const { app: a, warning } of r.warnings) log.warn(`${a}: ${warning.message} [${warning.code}]`);
    for (const n of r.notes) log.info(n);
    if (r.error) {
      log.error(`app install ${app} failed (exit ${r.exitCode}): ${r.error}`);
      void vscode.window.showErrorMessage(`Render ${app}: ${r.error}`);
      return;
    }
    const summary = `Rendered ${r.written.join(', ')}${r.removed.length ? `; removed ${r.removed.join(', ')}` : ''}.`;
    if (r.warnings.length > 0) {
      const first = r.warnings[0]?.warning.message ?? '';
      const more = r.warnings.length > 1 ? ` (+${r.warnings.length - 1} more in the log)` : '';
      void vscode.window
        .showWarningMessage(`${summary} ${first}${more}`, 'Show Log')
        .then((choice) => (choice ? log.show() : undefined));
    } else void vscode.window.showInformationMessage(summary);
  };
}
