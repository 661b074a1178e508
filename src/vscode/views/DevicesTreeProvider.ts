import * as vscode from 'vscode';
import { HttpClient } from '../../platform/remote/HttpClient';
import { deviceStatus, type DeviceStatus } from '../../platform/remote/deviceStatus';
import type { Ctx } from '../ctx';
import { getDeviceTargets, type DeviceTargets, type Target } from '../devices/DeviceTargets';

const ICONS: Record<Target['kind'], string> = {
  local: 'server',
  lan: 'device-desktop',
  qemu: 'vm',
  pantahub: 'cloud',
};

/**
 * The "Devices" view: every push target with the revision it runs now. Statuses are fetched when
 * the view is refreshed (briefly, without retries, so an offline device only says so).
 */
export class DevicesTreeProvider implements vscode.TreeDataProvider<Target>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Target | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly statuses = new Map<string, DeviceStatus | { error: string }>();
  private readonly targets: DeviceTargets;
  private readonly sub: vscode.Disposable;

  constructor(ctx: Ctx) {
    this.targets = getDeviceTargets(ctx);
    this.sub = this.targets.onDidChange(() => this.refresh());
    // Found by integration tests (bundled separately) through the same global symbol.
    (ctx as unknown as Record<symbol, unknown>)[Symbol.for('pvkit.devices.view')] = this;
  }

  /** Re-reads the targets and their current revisions. */
  refresh(): void {
    this.statuses.clear();
    this.changed.fire(undefined);
  }

  /** The status last shown for a target (integration tests read it). */
  statusOf(id: string): DeviceStatus | { error: string } | undefined {
    return this.statuses.get(id);
  }

  getChildren(): Target[] {
    const list = this.targets.list();
    for (const t of list) if (!this.statuses.has(t.id)) void this.fetch(t);
    return list;
  }

  private async fetch(t: Target): Promise<void> {
    if (!t.ready) return;
    const client = new HttpClient({ retries: 0, timeoutMs: 3000, token: await this.targets.tokenFor(t) });
    try {
      this.statuses.set(t.id, await deviceStatus(client, t.url));
    } catch (e) {
      this.statuses.set(t.id, { error: e instanceof Error ? e.message : String(e) });
    } finally {
      client.dispose();
    }
    this.changed.fire(t);
  }

  getTreeItem(t: Target): vscode.TreeItem {
    const item = new vscode.TreeItem(t.label, vscode.TreeItemCollapsibleState.None);
    const st = this.statuses.get(t.id);
    const isDefault = this.targets.defaultTarget()?.id === t.id;
    item.id = t.id;
    item.iconPath = new vscode.ThemeIcon(isDefault ? 'star-full' : (ICONS[t.kind] ?? 'device-desktop'));
    item.description = !t.ready
      ? 'starting…'
      : !st
        ? '…'
        : 'error' in st
          ? 'offline'
          : st.rev !== undefined
            ? `revision ${st.rev}`
            : st.stateSha
              ? `state ${st.stateSha.slice(0, 8)}`
              : 'no revision';
    item.tooltip = `${t.url}${st && 'error' in st ? `\n${st.error}` : ''}${isDefault ? '\nDefault push target' : ''}`;
    item.contextValue = `target${t.kind === 'lan' || t.kind === 'pantahub' ? ' removable' : ''}${t.kind === 'qemu' ? ` qemu${t.ready ? ' ready' : ''}` : ''}`;
    return item;
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}
