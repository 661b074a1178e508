import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import type { DiscoverOptions } from '../../platform/mdns/discoverDevices';
import { getDeviceTargets, type Target } from '../devices/DeviceTargets';
import { log } from '../log';

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

/**
 * `pantavisor.devices.discover`: browses the LAN by mDNS for Pantavisor devices (`_ssh._tcp` with
 * `device-id=`) in a cancellable progress notification and lists them in the Devices view. Only
 * runs when asked (or with `pantavisor.devices.discoverOnLan`). Tests pass `{ destination }` to
 * query a responder on 127.0.0.1 instead of the multicast group.
 */
export const discoverLanDevices =
  (ctx: Ctx) =>
  async (arg?: unknown): Promise<Target[]> => {
    const o = (arg && typeof arg === 'object' ? arg : {}) as Pick<
      DiscoverOptions,
      'destination' | 'timeoutMs'
    >;
    const targets = getDeviceTargets(ctx);
    const found = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: 'Discovering Pantavisor devices on the LAN (mDNS)',
        cancellable: true,
      },
      (_p, token) => {
        const ac = new AbortController();
        const sub = token.onCancellationRequested(() => ac.abort());
        return targets
          .discover({
            ...(o.destination ? { destination: o.destination } : {}),
            timeoutMs: o.timeoutMs ?? 3000,
            signal: ac.signal,
            onMalformed: (from, e) => log.warn(`mDNS: skipped a packet from ${from}: ${e.message}`),
          })
          .finally(() => {
            sub.dispose();
          });
      },
    );
    log.info(
      `mDNS: ${found.length} device(s): ${found.map((d) => `${d.deviceId}@${d.addresses[0] ?? '?'}`).join(', ')}`,
    );
    void vscode.window.showInformationMessage(
      found.length
        ? `Found ${found.length} Pantavisor device(s) on the LAN; they are listed in the Devices view.`
        : 'No Pantavisor device answered on the LAN (mDNS _ssh._tcp with device-id). Add one by address instead.',
    );
    const ids = new Set(found.map((d) => `mdns:${d.deviceId}`));
    return targets.list().filter((t) => ids.has(t.id));
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
