import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { locateProject } from '../../platform/convert/convertProject';
import type { PostResult } from '../../platform/remote/postRevision';
import { convertCommand, type ConvertCommandOptions } from '../convert/convertCommand';
import type { Ctx } from '../ctx';
import { log } from '../log';
import { pushCheckout, pushDryRun } from './push';

/** Options after the URI (tests pass them; users are asked only when the output folder exists). */
export interface ConvertAndPushOptions extends ConvertCommandOptions {
  /** A target id of the Devices view (default: the status bar's target). */
  target?: string;
  message?: string;
  /** Print the commands (pvkit convert, add, commit, post) instead of running them. */
  dryRun?: boolean;
}

const COMPOSE = /(^|\/)(docker-)?compose(\.[\w.-]+)?\.ya?ml$/;

/**
 * `pantavisor.convertAndPush`: converts a balena project into its default checkout folder
 * (`<project>-pantavisor` beside it; an existing one is replaced after asking once, as Convert
 * does) and pushes that checkout with the Push flow to the chosen or default target. Each part
 * shows its steps in its own cancellable progress notification; cancelling either stops the rest.
 */
export const convertAndPush =
  (ctx: Ctx) =>
  async (uri?: unknown, optsArg?: unknown): Promise<PostResult | string[] | undefined> => {
    const opts = (optsArg && typeof optsArg === 'object' ? optsArg : {}) as ConvertAndPushOptions;
    let path = uri instanceof vscode.Uri ? uri.fsPath : typeof uri === 'string' ? uri : undefined;
    const active = vscode.window.activeTextEditor?.document.uri;
    if (!path && active?.scheme === 'file' && COMPOSE.test(active.path)) path = active.fsPath;
    const dir = path ? locateProject(path).dir : undefined;
    const out = opts.out ?? (dir ? join(dirname(dir), `${basename(dir)}-pantavisor`) : undefined);
    const { target, message, dryRun, ...convertOpts } = opts;
    if (dryRun) {
      if (!dir || !out) throw new Error('Convert and Push (dry run) needs a balena project: pass its folder');
      return pushDryRun(ctx)({
        checkout: out,
        project: dir,
        ...(target ? { target } : {}),
        ...(message ? { message } : {}),
      });
    }
    const converted = await convertCommand(ctx)(dir ? vscode.Uri.file(dir) : undefined, {
      ...convertOpts,
      ...(out ? { out } : {}),
      quiet: true,
    });
    if (!converted) return undefined;
    log.info(`convert and push: ${converted.report.project} converted into ${converted.out}; pushing`);
    return pushCheckout(ctx)({
      checkout: converted.out,
      message: message ?? `Converted from balena (${basename(dir ?? converted.out)}) and pushed from VS Code`,
      ...(target ? { target } : {}),
    });
  };
