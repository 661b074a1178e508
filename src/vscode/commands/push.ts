import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { dryRunCommands } from '../../core/push/dryRunCommands';
import { PushPipeline, type PushStep } from '../../platform/remote/PushPipeline';
import type { PostResult } from '../../platform/remote/postRevision';
import type { Ctx } from '../ctx';
import { getDeviceTargets, type Target } from '../devices/DeviceTargets';
import { log } from '../log';
import { pvrScm } from '../scm/PvrScmProvider';
import { confirmSignaturesBeforePush } from '../signatures/startSignatures';

/** The checkout to push: the given folder, the active editor's repository, or a workspace one. */
function findCheckout(arg: unknown): string | undefined {
  const starts: string[] = [];
  if (arg instanceof vscode.Uri) starts.push(arg.fsPath);
  if (typeof arg === 'string') starts.push(arg);
  const ed = vscode.window.activeTextEditor?.document.uri;
  if (ed?.scheme === 'file') starts.push(dirname(ed.fsPath));
  for (const f of vscode.workspace.workspaceFolders ?? []) starts.push(f.uri.fsPath);
  for (const s of starts) {
    for (let d = s; ; d = dirname(d)) {
      if (existsSync(join(d, '.pvr', 'json'))) return d;
      if (dirname(d) === d) break;
    }
  }
  return undefined;
}

/** No editor in a checkout (e.g. run from the walkthrough): the open checkout, asked when several; null when dismissed. */
async function pickOpenCheckout(): Promise<string | undefined | null> {
  const roots = (pvrScm()?.repositories() ?? []).map((r) => r.root).sort();
  if (roots.length <= 1) return roots[0];
  const pick = await vscode.window.showQuickPick(
    roots.map((r) => ({ label: basename(r), description: vscode.workspace.asRelativePath(r), r })),
    { placeHolder: 'Checkout to push' },
  );
  return pick ? pick.r : null;
}

export interface PushArgs {
  /** The checkout folder (default: see findCheckout). */
  checkout?: string;
  /** A target id of the Devices view (default: the status bar's target). */
  target?: string;
  message?: string;
  /** Skip staging and committing: post what is committed. */
  noCommit?: boolean;
  /** Dry run only: the balena project converted into the checkout first (Convert and Push). */
  project?: string;
  /** Dry run only: the containers whose images are imported after the conversion. */
  importApps?: string[];
}

function parseArgs(arg: unknown): PushArgs {
  if (arg && typeof arg === 'object' && !(arg instanceof vscode.Uri)) return arg;
  return arg instanceof vscode.Uri ? { checkout: arg.fsPath } : {};
}

export function chooseTarget(ctx: Ctx, id: string | undefined): Target {
  const targets = getDeviceTargets(ctx);
  const t = id ? targets.list().find((x) => x.id === id) : targets.defaultTarget();
  if (!t)
    throw new Error(
      `no push target${id ? ` "${id}"` : ''}: add one in the Devices view or pick one in the status bar`,
    );
  if (!t.ready) throw new Error(`${t.label} is still starting: push when its pvr endpoint answers`);
  return t;
}

/**
 * The bearer token for a target: undefined when none is needed, null when a Pantahub target has
 * none and the user did not sign in (the push stops).
 */
export async function signedInToken(ctx: Ctx, target: Target): Promise<string | undefined | null> {
  const token = await getDeviceTargets(ctx).tokenFor(target);
  if (target.kind !== 'pantahub' || token) return token ?? undefined;
  const pick = await vscode.window.showWarningMessage(`${target.label} needs a Pantahub sign-in.`, 'Sign In');
  if (pick === 'Sign In') await vscode.commands.executeCommand('pantavisor.pantahub.signIn');
  return (await getDeviceTargets(ctx).tokenFor(target)) ?? null;
}

function describe(steps: readonly PushStep[]): string {
  const mark = { pending: '○', running: '…', done: '✓', failed: '✗' } as const;
  return steps.map((s) => `${mark[s.status]} ${s.title}`).join('  ');
}

/**
 * `pantavisor.push`: stage, commit and post the open checkout to the chosen target, each step
 * named in one cancellable progress notification; a failure offers to retry the failed step only.
 * Returns the post result (integration tests use it).
 */
export const pushCheckout =
  (ctx: Ctx) =>
  async (arg?: unknown): Promise<PostResult | undefined> => {
    const a = parseArgs(arg);
    const root = a.checkout ?? findCheckout(arg) ?? (await pickOpenCheckout());
    if (root === null) return undefined; // the user closed the checkout pick
    if (!root)
      throw new Error('no pvr checkout (a folder with .pvr/json) is open: open one or pass its folder');
    const target = chooseTarget(ctx, a.target);
    if (!(await confirmSignaturesBeforePush(root))) {
      log.info(`push: ${root}: stopped before staging (signatures to re-sign or push declined)`);
      return undefined;
    }
    const token = await signedInToken(ctx, target);
    if (token === null) return undefined;
    const message = a.message ?? 'Pushed from VS Code';
    const controller = new AbortController();
    const pipeline = new PushPipeline({
      root,
      url: target.url,
      message,
      commit: !a.noCommit,
      client: {
        token,
        signal: controller.signal,
        onRetry: (r) => log.warn(`push: retrying ${r.method} ${r.url} in ${r.delayMs} ms: ${r.reason}`),
      },
    });
    log.info(`push: ${root} → ${target.url}`);
    return runPipeline(ctx, pipeline, controller, { title: `Push to ${target.label}`, target });
  };

/**
 * Runs a push pipeline in ONE cancellable progress notification that names every step with its
 * state (`✓ Convert  … Import images  ○ Stage files …`); a failure offers to retry the failed step
 * only (the pipeline resumes there), cancelling aborts `controller` and stops at once. Push and
 * Convert and Push both use it.
 */
export async function runPipeline(
  ctx: Ctx,
  pipeline: PushPipeline,
  controller: AbortController,
  o: { title: string; target: Target },
): Promise<PostResult | undefined> {
  const { target } = o;
  for (;;) {
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: o.title, cancellable: true },
        async (progress, cancel) => {
          const sub = cancel.onCancellationRequested(() => controller.abort(new Error('push cancelled')));
          let objects = 0;
          const logged = new Set<string>();
          const report = (steps: readonly PushStep[], detail?: string): void =>
            progress.report({ message: `${describe(steps)}${detail ? ` — ${detail}` : ''}` });
          pipeline.onChange = (steps, e) => {
            if (e?.kind === 'object') objects++;
            report(steps, e?.kind === 'object' ? `${objects} objects (${e.name})` : undefined);
            for (const s of steps) {
              const key = `${s.id}:${s.status}`;
              if ((s.status === 'done' || s.status === 'failed') && !logged.has(key)) {
                logged.add(key);
                log.info(`push: ${s.title}: ${s.status}${s.detail ? ` (${s.detail})` : ''}`);
              }
            }
          };
          report(pipeline.steps);
          try {
            return await pipeline.run();
          } finally {
            sub.dispose();
          }
        },
      );
      getDeviceTargets(ctx).refresh();
      if (result) {
        void vscode.window.showInformationMessage(
          `Posted revision ${result.rev} (${result.stateSha.slice(0, 8)}) to ${target.label}: ${result.uploaded} objects uploaded, ${result.present} already there.`,
        );
      }
      return result;
    } catch (e) {
      const failed = pipeline.failed;
      if (controller.signal.aborted) {
        void vscode.window.showWarningMessage(
          `${o.title} cancelled${failed ? ` during "${failed.title}"` : ''}; nothing half-done was kept.`,
        );
        return undefined;
      }
      log.error(`${o.title} failed at ${failed?.title ?? '?'}`, e);
      const pick = await vscode.window.showErrorMessage(
        `${o.title} failed at "${failed?.title ?? 'start'}": ${failed?.detail ?? String(e)}`,
        'Retry Failed Step',
        'Show Log',
      );
      if (pick === 'Show Log') log.show();
      if (pick !== 'Retry Failed Step')
        throw Object.assign(e instanceof Error ? e : new Error(String(e)), { shown: true });
    }
  }
}

/** `pantavisor.push.dryRun`: the exact pvkit commands a CI script would run for this push. */
export const pushDryRun =
  (ctx: Ctx) =>
  async (arg?: unknown): Promise<string[]> => {
    const a = parseArgs(arg);
    const root = a.checkout ?? findCheckout(arg) ?? '<checkout>';
    const target = chooseTarget(ctx, a.target);
    const lines = dryRunCommands({
      checkout: root,
      target: target.ref,
      commitMessage: a.message ?? 'Pushed from VS Code',
      commit: !a.noCommit,
      ...(target.kind === 'pantahub' ? { tokenEnv: 'PANTAHUB_TOKEN' } : {}),
      // Convert and Push imports the images in a step of its own: the conversion does not.
      ...(a.project
        ? { before: [['pvkit', 'convert', a.project, '--out', root, '--force', '--no-images']] }
        : {}),
      ...(a.importApps?.length
        ? { inCheckout: a.importApps.map((app) => ['pvkit', 'app', 'update', app]) }
        : {}),
    });
    const doc = await vscode.workspace.openTextDocument({
      language: 'shellscript',
      content: `#!/bin/sh\n# What "Push" does, as commands for a CI script (pvr accepts the same post).\nset -e\n${lines.join('\n')}\n`,
    });
    await vscode.window.showTextDocument(doc, { preview: true });
    return lines;
  };
