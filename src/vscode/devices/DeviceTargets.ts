import * as vscode from 'vscode';
import type { DiscoveredDevice } from '../../core/mdns/dnsMessage';
import {
  deviceEndpointUrl,
  discoverDevices,
  type DiscoverOptions,
} from '../../platform/mdns/discoverDevices';
import { resolveRemoteRef } from '../../platform/remote/remoteUrl';
import type { Ctx } from '../ctx';
import { getPreviewManager } from '../qemu/PreviewManager';

export type TargetKind = 'local' | 'lan' | 'qemu' | 'pantahub';

/** One place a revision can be pushed to. */
export interface Target {
  /** Stable id: `local`, `qemu:<profile>`, or the reference the user added. */
  id: string;
  kind: TargetKind;
  label: string;
  /** The endpoint URL the protocol client talks to. */
  url: string;
  /** What `pvkit post` is given in the dry run (URL or USER/DEVICE). */
  ref: string;
  /** False while a QEMU preview's endpoint does not answer yet. */
  ready: boolean;
}

const STORED = 'pantavisor.devices.targets';
const DEFAULT = 'pantavisor.devices.default';
export const TOKEN_SECRET = 'pantavisor.pantahub.token';

/**
 * The push targets of the window: the local `pvkit serve` endpoint (setting), devices the user
 * added by address or as Pantahub `USER/DEVICE` (kept in global state), and the running QEMU
 * previews (from the PreviewManager, with their forwarded pvr endpoint). Also the default target,
 * shown and picked in the status bar (src/vscode/status/CheckoutStatusBar.ts).
 */
export class DeviceTargets implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subs: vscode.Disposable[] = [];
  /** Devices found on the LAN by mDNS in this window, by device-id (not persisted). */
  private readonly discovered = new Map<string, DiscoveredDevice>();
  private discovering: Promise<DiscoveredDevice[]> | undefined;

  constructor(private readonly ctx: Ctx) {
    this.subs.push(
      this.changed,
      getPreviewManager(ctx).onDidChangePreviews(() => this.fire()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('pantavisor.devices') || e.affectsConfiguration('pantavisor.pantahub'))
          this.fire();
      }),
    );
    if (ctx.config.discoverOnLan) void this.discover().catch(() => undefined);
  }

  /** Asks views to re-read targets and statuses (after a push, or on the refresh button). */
  refresh(): void {
    if (this.ctx.config.discoverOnLan && !this.discovering) void this.discover().catch(() => undefined);
    this.fire();
  }

  /**
   * Browses the LAN by mDNS (see discoverDevices) and lists the devices found as targets
   * (`mdns:<device-id>`), replacing earlier finds. One browse at a time; a second call joins it.
   */
  discover(opts: DiscoverOptions = {}): Promise<DiscoveredDevice[]> {
    this.discovering ??= discoverDevices(opts)
      .then((found) => {
        this.discovered.clear();
        for (const d of found) this.discovered.set(d.deviceId, d);
        this.fire();
        return found;
      })
      .finally(() => (this.discovering = undefined));
    return this.discovering;
  }

  private fire(): void {
    this.changed.fire();
  }

  private stored(): string[] {
    const v = this.ctx.extension.globalState.get<unknown>(STORED);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  }

  list(): Target[] {
    const out: Target[] = [];
    const local = this.ctx.config.localEndpoint;
    if (local)
      out.push({
        id: 'local',
        kind: 'local',
        label: 'Local endpoint (pvkit serve)',
        url: local,
        ref: local,
        ready: true,
      });
    for (const p of getPreviewManager(this.ctx).previews()) {
      if (!p.pvrUrl || p.state === 'stopped' || p.state === 'failed') continue;
      out.push({
        id: `qemu:${p.name}`,
        kind: 'qemu',
        label: `QEMU preview ${p.name}`,
        url: p.pvrUrl,
        ref: p.pvrUrl,
        ready: p.ready,
      });
    }
    for (const ref of this.stored()) {
      try {
        const r = resolveRemoteRef(ref, { repoBaseUrl: this.ctx.config.pantahubRepoUrl });
        if (!r) continue;
        out.push({
          id: ref,
          kind: r.kind === 'pantahub' ? 'pantahub' : 'lan',
          label: r.kind === 'pantahub' ? `Pantahub ${ref}` : ref,
          url: r.url,
          ref: r.kind === 'device-ip' ? r.url : ref,
          ready: true,
        });
      } catch {
        // an entry that no longer parses is skipped (remove it from the view)
      }
    }
    for (const d of this.discovered.values()) {
      const url = deviceEndpointUrl(d);
      if (out.some((t) => t.url === url)) continue; // already added by address
      out.push({
        id: `mdns:${d.deviceId}`,
        kind: 'lan',
        label: `${d.instance.split('.')[0] ?? d.host} (LAN, device ${d.deviceId})`,
        url,
        ref: url,
        ready: true,
      });
    }
    return out;
  }

  /** Adds a device by address, URL or USER/DEVICE; throws with the reason when it is none. */
  async add(ref: string): Promise<Target> {
    const r = resolveRemoteRef(ref.trim(), { repoBaseUrl: this.ctx.config.pantahubRepoUrl });
    if (!r) throw new Error(`${ref} is not a device address, an http(s) URL or USER/DEVICE`);
    const all = this.stored();
    if (!all.includes(ref.trim())) await this.ctx.extension.globalState.update(STORED, [...all, ref.trim()]);
    this.fire();
    const t = this.list().find((x) => x.id === ref.trim());
    if (!t) throw new Error(`${ref} could not be added`);
    return t;
  }

  async remove(id: string): Promise<void> {
    if (id.startsWith('mdns:')) this.discovered.delete(id.slice(5));
    await this.ctx.extension.globalState.update(
      STORED,
      this.stored().filter((x) => x !== id),
    );
    this.fire();
  }

  defaultTarget(): Target | undefined {
    const id = this.ctx.extension.workspaceState.get<string>(DEFAULT);
    const all = this.list();
    return all.find((t) => t.id === id) ?? all[0];
  }

  async setDefault(id: string): Promise<void> {
    await this.ctx.extension.workspaceState.update(DEFAULT, id);
    this.fire();
  }

  /** The bearer token for a target: the Pantahub sign-in for Pantahub devices, none otherwise. */
  async tokenFor(t: Target): Promise<string | undefined> {
    if (t.kind !== 'pantahub') return undefined;
    return this.ctx.extension.secrets.get(TOKEN_SECRET);
  }

  dispose(): void {
    for (const d of this.subs.splice(0)) d.dispose();
  }
}

const KEY = Symbol.for('pvkit.devices.targets');

/** The window's targets, created on first use and disposed with `ctx`. */
export function getDeviceTargets(ctx: Ctx): DeviceTargets {
  const holder = ctx as unknown as Record<symbol, DeviceTargets | undefined>;
  let t = holder[KEY];
  if (!t) {
    t = new DeviceTargets(ctx);
    holder[KEY] = t;
    const targets = t;
    ctx.pushCleanup({
      dispose: () => {
        targets.dispose();
        delete holder[KEY];
      },
    });
  }
  return t;
}
