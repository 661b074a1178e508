import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { RevisionTreeProvider } from './RevisionTreeProvider';

/** Registers the tree views of the Pantavisor side bar. Each area adds its view here. */
export function startViews(ctx: Ctx): { revision: RevisionTreeProvider } {
  const revision = new RevisionTreeProvider(ctx);
  ctx.pushCleanup(revision);
  ctx.pushCleanup(
    vscode.window.createTreeView('pantavisor.revision', {
      treeDataProvider: revision,
      showCollapseAll: true,
    }),
  );
  return { revision };
}
