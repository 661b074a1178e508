import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { RevisionTreeProvider } from './RevisionTreeProvider';
import { DevicesTreeProvider } from './DevicesTreeProvider';

/** Registers the tree views of the Pantavisor side bar. Each area adds its view here. */
export function startViews(ctx: Ctx): { revision: RevisionTreeProvider; devices: DevicesTreeProvider } {
  const revision = new RevisionTreeProvider(ctx);
  ctx.pushCleanup(revision);
  ctx.pushCleanup(
    vscode.window.createTreeView('pantavisor.revision', {
      treeDataProvider: revision,
      showCollapseAll: true,
    }),
  );
  const devices = new DevicesTreeProvider(ctx);
  ctx.pushCleanup(devices);
  ctx.pushCleanup(vscode.window.createTreeView('pantavisor.devices', { treeDataProvider: devices }));
  return { revision, devices };
}
