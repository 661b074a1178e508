import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { getDeviceTargets, type Target } from '../devices/DeviceTargets';

/** `pantavisor.devices.add`: a LAN device by address or URL, or a Pantahub USER/DEVICE. */
export const addDevice = (ctx: Ctx) => async (arg?: unknown) => {
  const targets = getDeviceTargets(ctx);
  const ref =
    typeof arg === 'string'
      ? arg
      : await vscode.window.showInputBox({
          title: 'Add a device',
          prompt:
            'A device address (192.168.1.20), an endpoint URL (http://HOST:12368/cgi-bin/pvr) or a Pantahub USER/DEVICE',
          placeHolder: '192.168.1.20',
          validateInput: (v) => (v.trim() ? undefined : 'Enter an address, a URL or USER/DEVICE'),
        });
  if (!ref) return undefined;
  const t = await targets.add(ref);
  return t.id;
};

function idOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && 'id' in arg && typeof arg.id === 'string') return arg.id;
  return undefined;
}

export const removeDevice = (ctx: Ctx) => async (arg?: unknown) => {
  const id = idOf(arg);
  if (id) await getDeviceTargets(ctx).remove(id);
};

export const refreshDevices = (ctx: Ctx) => () => getDeviceTargets(ctx).refresh();

export const setDefaultTarget = (ctx: Ctx) => async (arg?: unknown) => {
  const id = idOf(arg);
  if (id) await getDeviceTargets(ctx).setDefault(id);
};

/** `pantavisor.devices.selectTarget`: the status bar's picker of the default push target. */
export const selectTarget = (ctx: Ctx) => async (): Promise<string | undefined> => {
  const targets = getDeviceTargets(ctx);
  const cur = targets.defaultTarget();
  type Item = vscode.QuickPickItem & { target?: Target; add?: boolean };
  const items: Item[] = targets.list().map((t) => ({
    label: `${t.id === cur?.id ? '$(star-full) ' : ''}${t.label}`,
    description: t.ready ? t.url : `${t.url} (starting)`,
    target: t,
  }));
  items.push({ label: '$(add) Add a device…', add: true });
  const pick = await vscode.window.showQuickPick(items, { title: 'Pantavisor push target' });
  if (!pick) return undefined;
  let id = pick.target?.id;
  if (pick.add) id = (await addDevice(ctx)()) ?? undefined;
  if (id) await targets.setDefault(id);
  return id;
};
