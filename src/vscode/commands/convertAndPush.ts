import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { convertBalenaProject } from '../../core/convert';
import { fsComposeProject } from '../../platform/compose/fsComposeProject';
import { ConvertError, convertProject, locateProject } from '../../platform/convert/convertProject';
import { pvrConfigDir } from '../../platform/convert/pvrConfigDir';
import { describeImageOutcomes, importMissingImages } from '../../platform/image/importMissingImages';
import { PushPipeline } from '../../platform/remote/PushPipeline';
import type { PostResult } from '../../platform/remote/postRevision';
import { mayReplace, type ConvertCommandOptions } from '../convert/convertCommand';
import type { Ctx } from '../ctx';
import { log } from '../log';
import { chooseTarget, pushDryRun, runPipeline, signedInToken } from './push';

/** Options after the URI (tests pass them; users are asked only when the output folder exists). */
export interface ConvertAndPushOptions extends ConvertCommandOptions {
  /** A target id of the Devices view (default: the status bar's target). */
  target?: string;
  message?: string;
  /** Print the commands (pvkit convert, add, commit, post) instead of running them. */
  dryRun?: boolean;
  /**
   * Do not import the containers' images (the "Import images" step reports them as skipped):
   * the revision is posted without root.squashfs for apps that have none. Default: the
   * `pantavisor.convert.images` setting.
   */
  skipImages?: boolean;
}

const COMPOSE = /(^|\/)(docker-)?compose(\.[\w.-]+)?\.ya?ml$/;

/**
 * The containers a conversion of the project makes (the core conversion, without writing), for the
 * dry run's `pvkit app update` lines. In a real run the step imports only apps that have no
 * root.squashfs yet; a CI script cannot know that in advance, and an update of an imported app
 * only re-checks its digest.
 */
function containersOf(path: string): string[] {
  const { composePath, dir } = locateProject(path);
  const r = convertBalenaProject({
    composeFile: basename(composePath),
    composeText: readFileSync(composePath, 'utf8'),
    project: fsComposeProject(dir),
    projectName: basename(dir),
  });
  return r.report.containers.map((c) => c.container);
}

/**
 * `pantavisor.convertAndPush`: converts a balena project into its default checkout folder
 * (`<project>-pantavisor` beside it; an existing one is replaced after asking once, as Convert
 * does), imports the containers' images, commits and posts to the chosen or default target. All
 * four steps are named in ONE cancellable progress notification with their own outcome; a failure
 * offers to retry the failed step only, and cancelling stops whichever step runs (a cancelled
 * conversion leaves the folder as it was; a cancelled import leaves no half-written app).
 */
export const convertAndPush =
  (ctx: Ctx) =>
  async (uri?: unknown, optsArg?: unknown): Promise<PostResult | string[] | undefined> => {
    const opts = (optsArg && typeof optsArg === 'object' ? optsArg : {}) as ConvertAndPushOptions;
    let path = uri instanceof vscode.Uri ? uri.fsPath : typeof uri === 'string' ? uri : undefined;
    const active = vscode.window.activeTextEditor?.document.uri;
    if (!path && active?.scheme === 'file' && COMPOSE.test(active.path)) path = active.fsPath;
    if (!path) {
      const found = await vscode.workspace.findFiles(
        '**/{docker-compose,compose}.{yml,yaml}',
        '**/{node_modules,.pvr}/**',
        200,
      );
      path =
        (await vscode.window.showQuickPick(found.map((f) => f.fsPath).sort(), {
          placeHolder: 'balena project to convert and push',
        })) ?? undefined;
      if (!path) return undefined;
    }
    const dir = locateProject(path).dir;
    const out = opts.out ?? join(dirname(dir), `${basename(dir)}-pantavisor`);
    const { target: targetId, message, dryRun } = opts;
    const skipImages = opts.skipImages ?? ctx.config.convertImages === 'skip';
    if (dryRun) {
      return pushDryRun(ctx)({
        checkout: out,
        project: dir,
        ...(skipImages ? {} : { importApps: containersOf(path) }),
        ...(targetId ? { target: targetId } : {}),
        ...(message ? { message } : {}),
      });
    }
    const target = chooseTarget(ctx, targetId);
    const mayForce = await mayReplace(out, opts.force === true);
    if (mayForce === undefined) return undefined;
    let force = mayForce;
    const token = await signedInToken(ctx, target);
    if (token === null) return undefined;
    const controller = new AbortController();
    const signal = controller.signal;
    const configDir = opts.configDir ?? pvrConfigDir();
    const deviceType = opts.deviceType ?? (ctx.config.convertDeviceType || undefined);
    const dockerHost = ctx.config.dockerHost;
    // Signatures are not checked here as Push does: the checkout is generated afresh from the
    // project and the converter writes no _sigs, so there is nothing signed to go stale.
    const pipeline = new PushPipeline({
      root: out,
      url: target.url,
      configDir,
      message: message ?? `Converted from balena (${basename(dir)}) and pushed from VS Code`,
      commit: true,
      before: [
        {
          id: 'convert',
          title: 'Convert',
          run: async () => {
            const r = await convertProject({
              project: dir,
              out,
              ...(deviceType ? { deviceType } : {}),
              // The folder was confirmed above; a retried step replaces its own earlier output.
              force,
              // Images are the next step, so that they succeed, fail and are retried on their own.
              images: 'never',
              configDir,
              ...(dockerHost ? { dockerHost } : {}),
              signal,
              progress: (line) => log.info(`convert: ${line}`),
            }).catch((e: unknown) => {
              if (e instanceof ConvertError && e.code === 'cancelled') signal.throwIfAborted();
              throw e;
            });
            force = true;
            const c = r.result.report.counts;
            return `${r.result.report.containers.length} container(s); ${c.mapped} mapped, ${c.approximated} approximated, ${c.dropped} dropped`;
          },
        },
        {
          id: 'images',
          title: 'Import images',
          run: async () => {
            if (skipImages) return 'skipped (pantavisor.convert.images is "skip", or as asked)';
            const list = await importMissingImages(
              {
                checkout: out,
                cwd: out,
                ...(dockerHost ? { dockerHost } : {}),
                templateCompat: ctx.config.templateCompat,
                signal,
              },
              (app) => log.info(`convert and push: importing the image of ${app}`),
            );
            return describeImageOutcomes(list);
          },
        },
      ],
      client: {
        token,
        signal,
        onRetry: (r) => log.warn(`push: retrying ${r.method} ${r.url} in ${r.delayMs} ms: ${r.reason}`),
      },
    });
    log.info(`convert and push: ${dir} → ${out} → ${target.url}`);
    return runPipeline(ctx, pipeline, controller, { title: `Convert and Push to ${target.label}`, target });
  };
