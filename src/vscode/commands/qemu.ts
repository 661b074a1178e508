import * as vscode from 'vscode';
import type { QemuProfile } from '../../core/qemu/QemuProfile';
import { PreviewError } from '../../platform/qemu/PreviewError';
import type { PostResult } from '../../platform/remote/postRevision';
import type { Ctx } from '../ctx';
import { log } from '../log';
import { getPreviewManager, type PreviewInfo } from '../qemu/PreviewManager';
import { nameOf, readProfiles } from '../qemu/readProfiles';
import { pushCheckout } from './push';

const SETTING = 'pantavisor.qemu.profiles';

/** Running QEMU from workspace settings needs trust: a profile's extra arguments reach QEMU as is. */
function requireTrust(): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showErrorMessage(
    'QEMU previews run programs configured by the workspace; trust this workspace to use them (Workspaces: Manage Workspace Trust).',
  );
  return false;
}

/** Reads the profiles, reporting problems in the log and, for errors, to the user. */
function profiles(ctx: Ctx): QemuProfile[] {
  const r = readProfiles(ctx.config.qemuProfiles, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
  for (const p of r.problems) log.warn(p.message);
  const errors = r.problems.filter((p) => p.severity === 'error');
  if (errors.length) {
    void vscode.window
      .showWarningMessage(
        `${errors[0]?.message ?? ''}${errors.length > 1 ? ` (+${errors.length - 1} more in the log)` : ''}`,
        'Open Settings',
      )
      .then((pick) => pick && void vscode.commands.executeCommand('workbench.action.openSettings', SETTING));
  }
  return r.profiles;
}

/** The profile named by the command argument, the only profile, or the user's pick. */
async function chooseProfile(ctx: Ctx, arg: unknown): Promise<QemuProfile | undefined> {
  const all = profiles(ctx);
  const wanted = nameOf(arg);
  if (wanted !== undefined) {
    const p = all.find((x) => x.name === wanted);
    if (!p) throw new Error(`There is no QEMU preview profile "${wanted}" in "${SETTING}".`);
    return p;
  }
  if (all.length === 0) {
    const pick = await vscode.window.showErrorMessage(
      `No QEMU preview profiles: add one to "${SETTING}" (a disk image, or a kernel and initrd).`,
      'Open Settings',
    );
    if (pick) await vscode.commands.executeCommand('workbench.action.openSettings', SETTING);
    return undefined;
  }
  if (all.length === 1) return all[0];
  const picked = await vscode.window.showQuickPick(
    all.map((p) => ({ label: p.name, description: `${p.arch} ${p.image ?? p.kernel ?? ''}`, profile: p })),
    { placeHolder: 'QEMU preview profile' },
  );
  return picked?.profile;
}

/** The running preview named by the argument, the only one, or the user's pick. */
async function chooseRunning(ctx: Ctx, arg: unknown): Promise<string | undefined> {
  const running = getPreviewManager(ctx).running();
  const wanted = nameOf(arg);
  if (wanted !== undefined) return wanted;
  if (running.length <= 1) {
    if (!running.length) void vscode.window.showInformationMessage('No QEMU preview is running.');
    return running[0];
  }
  return vscode.window.showQuickPick(running, { placeHolder: 'QEMU preview' });
}

function reportStartError(e: unknown, name: string): undefined {
  if (!(e instanceof PreviewError)) throw e;
  // Offer the setting that fixes the problem: the binary, or the profile's files and options.
  const profileKinds = [
    'image-missing',
    'not-a-disk-image',
    'file-missing',
    'firmware-missing',
    'kvm-unavailable',
  ];
  const setting =
    e.kind === 'qemu-not-found'
      ? 'pantavisor.qemu.path'
      : profileKinds.includes(e.kind)
        ? SETTING
        : undefined;
  const actions = setting ? ['Open Settings', 'Show Log'] : ['Show Log'];
  void vscode.window.showErrorMessage(`Preview "${name}": ${e.message}`, ...actions).then((pick) => {
    if (pick === 'Show Log') log.show();
    if (pick === 'Open Settings' && setting) {
      void vscode.commands.executeCommand('workbench.action.openSettings', setting);
    }
  });
  return undefined;
}

/** `pantavisor.qemu.start [profileName]`: resolves to the preview's state, or undefined. */
export const startQemuPreview =
  (ctx: Ctx) =>
  async (arg?: unknown): Promise<PreviewInfo | undefined> => {
    if (!requireTrust()) return undefined;
    const profile = await chooseProfile(ctx, arg);
    if (!profile) return undefined;
    try {
      return await getPreviewManager(ctx).start(profile);
    } catch (e) {
      return reportStartError(e, profile.name);
    }
  };

export const stopQemuPreview =
  (ctx: Ctx) =>
  async (arg?: unknown): Promise<void> => {
    const name = await chooseRunning(ctx, arg);
    if (name) await getPreviewManager(ctx).stop(name);
  };

/** Restarts with the profile as the settings say now (edits since the start take effect). */
export const restartQemuPreview =
  (ctx: Ctx) =>
  async (arg?: unknown): Promise<PreviewInfo | undefined> => {
    if (!requireTrust()) return undefined;
    const manager = getPreviewManager(ctx);
    const running = manager.running();
    let name = nameOf(arg);
    if (name === undefined) {
      name = running.length
        ? await chooseRunning(ctx, undefined)
        : (await chooseProfile(ctx, undefined))?.name;
    }
    if (!name) return undefined;
    const profile = profiles(ctx).find((p) => p.name === name);
    if (!profile) throw new Error(`There is no QEMU preview profile "${name}" in "${SETTING}".`);
    try {
      return await manager.restart(profile);
    } catch (e) {
      return reportStartError(e, profile.name);
    }
  };

/** What "Push to QEMU Preview" takes: a preview name, a Devices view item, or these options. */
interface PreviewPushArgs {
  /** The preview (profile) name; default: the only ready preview, or the user's pick. */
  name?: string;
  /** The checkout folder (default: as for "Push Checkout to Target"). */
  checkout?: string;
  message?: string;
}

function previewPushArgs(arg: unknown): PreviewPushArgs {
  if (typeof arg === 'string') return { name: arg };
  if (typeof arg !== 'object' || arg === null) return {};
  const o = arg as { checkout?: unknown; message?: unknown };
  const out: PreviewPushArgs = {};
  const name = nameOf(arg);
  if (name !== undefined) out.name = name;
  if (typeof o.checkout === 'string') out.checkout = o.checkout;
  if (typeof o.message === 'string') out.message = o.message;
  return out;
}

/**
 * `pantavisor.qemu.push`: "Push to QEMU Preview" posts the current checkout to a preview whose pvr
 * endpoint answers on its forwarded port. It is the Push command (same pipeline, progress, cancel
 * and retry) with the preview as the target, so a preview behaves like any other device.
 */
export const pushToQemuPreview =
  (ctx: Ctx) =>
  async (arg?: unknown): Promise<PostResult | undefined> => {
    const a = previewPushArgs(arg);
    const all = getPreviewManager(ctx).previews();
    const ready = all.filter((p) => p.ready);
    let name = a.name;
    if (name === undefined) {
      if (ready.length === 0) {
        const starting = all.find((p) => p.state === 'starting' || p.state === 'running');
        if (starting) {
          throw new Error(
            `QEMU preview "${starting.name}" is still starting: push when its pvr endpoint answers (the Devices view shows it ready)`,
          );
        }
        const pick = await vscode.window.showWarningMessage(
          'No QEMU preview is running: start one first.',
          'Start QEMU Preview',
        );
        if (pick) await vscode.commands.executeCommand('pantavisor.qemu.start');
        return undefined;
      }
      name =
        ready.length === 1
          ? ready[0]?.name
          : await vscode.window.showQuickPick(
              ready.map((p) => p.name),
              { placeHolder: 'Push to which QEMU preview?' },
            );
      if (name === undefined) return undefined;
    }
    const info = all.find((p) => p.name === name);
    if (!info || info.state === 'stopped' || info.state === 'failed') {
      throw new Error(`QEMU preview "${name}" is not running: run "Pantavisor: Start QEMU Preview" first`);
    }
    if (!info.pvrUrl) {
      throw new Error(
        `QEMU preview "${name}" does not forward the pvr port 12368: add it to "forwards" in its profile (${SETTING})`,
      );
    }
    return pushCheckout(ctx)({
      target: `qemu:${name}`,
      ...(a.checkout ? { checkout: a.checkout } : {}),
      message: a.message ?? `Pushed from VS Code to QEMU preview ${name}`,
    });
  };
