import * as vscode from 'vscode';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Ctx } from '../ctx';
import { log } from '../log';
import { ConvertError, convertProject, locateProject } from '../../platform/convert/convertProject';
import { pvrConfigDir } from '../../platform/convert/pvrConfigDir';
import type { ConversionReport } from '../../core/convert';

/** Options the command accepts after the URI (tests and other commands pass them; users are asked). */
export interface ConvertCommandOptions {
  out?: string;
  deviceType?: string;
  /** Replace an existing output folder without asking. */
  force?: boolean;
  /** Do not open the report and reveal the checkout (tests check the files instead). */
  quiet?: boolean;
  /** pvr config dir for the objects (default `PVR_CONFIG_DIR` or `~/.pvr`). */
  configDir?: string;
  /** Import the services' images (default: the `pantavisor.convert.images` setting). */
  images?: 'auto' | 'never';
  /** pvr's `--source` order for `image:` services (default `remote,local`). */
  imageSource?: string;
}

async function pickProject(): Promise<string | undefined> {
  const files = await vscode.workspace.findFiles(
    '**/{docker-compose,compose}.{yml,yaml}',
    '**/{node_modules,.pvr}/**',
    200,
  );
  if (!files.length) {
    void vscode.window.showErrorMessage('No docker-compose.yml in this workspace to convert.');
    return undefined;
  }
  if (files.length === 1) return files[0]?.fsPath;
  const pick = await vscode.window.showQuickPick(
    files
      .map((f) => f.fsPath)
      .sort()
      .map((p) => ({ label: basename(dirname(p)), description: vscode.workspace.asRelativePath(p), p })),
    { placeHolder: 'balena project to convert' },
  );
  return pick?.p;
}

/**
 * `pantavisor.convert`: converts a balena project (a compose file or its folder, from the explorer,
 * the palette or the compose file's code action) into a new pvr checkout beside it. Asks before
 * replacing an existing folder, shows cancellable progress, opens CONVERSION.md beside the project
 * (each entry links to its compose line) and reveals the checkout.
 */
export function convertCommand(ctx: Ctx) {
  return async (
    uri?: unknown,
    optsArg?: unknown,
  ): Promise<{ out: string; report: ConversionReport } | undefined> => {
    const opts = (optsArg && typeof optsArg === 'object' ? optsArg : {}) as ConvertCommandOptions;
    let path = uri instanceof vscode.Uri ? uri.fsPath : undefined;
    const active = vscode.window.activeTextEditor?.document.uri;
    if (!path && active && /(^|\/)(docker-)?compose(\.[\w.-]+)?\.ya?ml$/.test(active.path))
      path = active.fsPath;
    path ??= await pickProject();
    if (!path) return undefined;
    const { dir } = locateProject(path);
    let out = opts.out;
    if (!out) {
      out = await vscode.window.showInputBox({
        title: 'Pantavisor: Convert from balena',
        prompt: 'Folder for the new pvr checkout',
        value: join(dirname(dir), `${basename(dir)}-pantavisor`),
        ignoreFocusOut: true,
      });
      if (!out) return undefined;
    }
    const force = await mayReplace(out, opts.force === true);
    if (force === undefined) return undefined;
    const deviceType = opts.deviceType ?? (ctx.config.convertDeviceType || undefined);
    const images = opts.images ?? (ctx.config.convertImages === 'skip' ? 'never' : 'auto');
    const target = out;
    log.info(`convert ${dir} → ${target}${deviceType ? ` (device type ${deviceType})` : ''}`);
    let result;
    try {
      result = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: 'Converting from balena',
          cancellable: true,
        },
        async (progress, token) => {
          const abort = new AbortController();
          const sub = token.onCancellationRequested(() => abort.abort());
          try {
            return await convertProject({
              project: dir,
              out: target,
              ...(deviceType ? { deviceType } : {}),
              force,
              images,
              ...(opts.imageSource ? { imageSource: opts.imageSource } : {}),
              configDir: opts.configDir ?? pvrConfigDir(),
              ...(ctx.config.dockerHost ? { dockerHost: ctx.config.dockerHost } : {}),
              signal: abort.signal,
              progress: (line) => {
                log.info(line);
                if (!line.startsWith('  ')) progress.report({ message: line });
              },
            });
          } finally {
            sub.dispose();
          }
        },
      );
    } catch (e) {
      if (e instanceof ConvertError && e.code === 'cancelled') {
        void vscode.window.showInformationMessage('Conversion cancelled; nothing was written.');
        return undefined;
      }
      throw e;
    }
    const report = result.result.report;
    const imported = report.containers.filter((c) => c.import?.status === 'imported').length;
    log.info(
      `converted ${report.project}: ${report.counts.mapped} mapped, ${report.counts.approximated} approximated, ${report.counts.dropped} dropped; ${imported}/${report.containers.length} image(s) imported`,
    );
    if (!opts.quiet) {
      const md = vscode.Uri.file(join(result.out, 'CONVERSION.md'));
      await vscode.commands.executeCommand('markdown.showPreviewToSide', md);
      const outUri = vscode.Uri.file(result.out);
      if (vscode.workspace.getWorkspaceFolder(outUri))
        await vscode.commands.executeCommand('revealInExplorer', outUri);
      void vscode.window.showInformationMessage(
        `Converted ${report.project} into ${basename(result.out)}: ${report.containers.length} container(s), ${images === 'never' ? 'images not imported (pantavisor.convert.images is "skip")' : `${imported} image(s) imported`}, ${report.nextSteps.length} step(s) left (see CONVERSION.md).`,
      );
    }
    return { out: result.out, report };
  };
}

/**
 * Whether the conversion may replace `out`: true when it exists and the user agreed (or `force`
 * was given), false when there is nothing to replace, undefined when the user declined.
 */
export async function mayReplace(out: string, force: boolean): Promise<boolean | undefined> {
  if (force || !existsSync(out)) return force;
  const what = statSync(out).isDirectory() ? 'folder' : 'file';
  const choice = await vscode.window.showWarningMessage(
    `${out} already exists. Replace the ${what} with the converted checkout?`,
    { modal: true },
    'Replace',
  );
  return choice === 'Replace' ? true : undefined;
}
