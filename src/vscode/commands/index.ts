import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { log } from '../log';
import { pvrScm } from '../scm/PvrScmProvider';
import { pvrRunCommand } from './pvrRun';
import { sigAddCommand, sigUpdateCommand } from '../signatures/signCommands';
import { revealRef } from '../views/RevisionTreeProvider';
import { doctor } from './doctor';
import type { SourceRef } from '../../core/revision/summarizeRevision';
import { appInstallCommand } from './appInstall';
import { convertCommand } from '../convert/convertCommand';
import { pushToQemuPreview, restartQemuPreview, startQemuPreview, stopQemuPreview } from './qemu';
import { pushCheckout, pushDryRun } from './push';
import { convertAndPush } from './convertAndPush';
import {
  addDevice,
  discoverLanDevices,
  refreshDevices,
  removeDevice,
  selectTarget,
  setDefaultTarget,
} from './devices';
import { pantahubSignIn, pantahubSignOut } from './pantahub';
import { appAddCommand, appUpdateCommand } from '../image/appImageCommands';
import { checkoutActionsCommand } from '../status/CheckoutStatusBar';

export type CommandFactory = (ctx: Ctx) => (...args: unknown[]) => unknown;

/**
 * The command table (house style 11): ids `pantavisor.<area>.<verb>`, one factory each. Each
 * area adds its entries here; package.json declares them under category "Pantavisor".
 */
export const COMMANDS: Record<string, CommandFactory> = {
  'pantavisor.showLog': () => () => log.show(),
  'pantavisor.pvr.refresh': () => (arg) => pvrScm()?.refresh(arg),
  'pantavisor.pvr.stage':
    () =>
    (...args) =>
      pvrScm()?.stage(...args),
  'pantavisor.pvr.unstage':
    () =>
    (...args) =>
      pvrScm()?.unstage(...args),
  'pantavisor.pvr.commit': () => (arg) => pvrScm()?.commit(arg),
  'pantavisor.pvr.discard':
    () =>
    (...args) =>
      pvrScm()?.discard(...args),
  'pantavisor.pvr.showDiff': () => (arg) => pvrScm()?.showDiff(arg),
  'pantavisor.pvr.run': pvrRunCommand,
  'pantavisor.sig.add': sigAddCommand,
  'pantavisor.sig.update': sigUpdateCommand,
  'pantavisor.doctor': doctor,
  'pantavisor.revision.reveal': () => (ref: unknown) => revealRef(ref as SourceRef),
  'pantavisor.app.install': appInstallCommand,
  'pantavisor.convert': convertCommand,
  'pantavisor.qemu.start': startQemuPreview,
  'pantavisor.qemu.stop': stopQemuPreview,
  'pantavisor.qemu.restart': restartQemuPreview,
  'pantavisor.qemu.push': pushToQemuPreview,
  'pantavisor.push': pushCheckout,
  'pantavisor.push.dryRun': pushDryRun,
  'pantavisor.convertAndPush': convertAndPush,
  'pantavisor.devices.selectTarget': selectTarget,
  'pantavisor.devices.add': addDevice,
  'pantavisor.devices.remove': removeDevice,
  'pantavisor.devices.refresh': refreshDevices,
  'pantavisor.devices.setDefault': setDefaultTarget,
  'pantavisor.devices.discover': discoverLanDevices,
  'pantavisor.pantahub.signIn': pantahubSignIn,
  'pantavisor.pantahub.signOut': pantahubSignOut,
  'pantavisor.app.add': appAddCommand,
  'pantavisor.app.update': appUpdateCommand,
  'pantavisor.checkout.actions': checkoutActionsCommand,
};

export function registerCommands(ctx: Ctx): void {
  for (const [id, factory] of Object.entries(COMMANDS)) {
    const handler = factory(ctx);
    ctx.pushCleanup(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await handler(...args);
        } catch (e) {
          log.error(`${id} failed`, e);
          void vscode.window.showErrorMessage(`${id}: ${e instanceof Error ? e.message : String(e)}`);
          return undefined;
        }
      }),
    );
  }
}
