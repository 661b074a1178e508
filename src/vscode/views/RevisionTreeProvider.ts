import * as vscode from 'vscode';
import { basename } from 'node:path';
import { modelFromCheckout } from '../../core/revision/RevisionModel';
import { summarizeRevision, type SourceRef } from '../../core/revision/summarizeRevision';
import { revisionNodes, type RevisionNode } from '../../core/revision/revisionTree';
import { discoverTargets } from '../../platform/revision/loadRevision';
import type { Ctx } from '../ctx';
import { log } from '../log';
import { decorateSignatureNodes } from '../../platform/signature/signatureNodes';
import { signatureService } from '../signatures/startSignatures';
import { signaturesChanged } from '../signatures/SignatureService';

/** The "Revision" view: the open checkouts' containers, BSP, groups, disks and signatures. */
export class RevisionTreeProvider implements vscode.TreeDataProvider<RevisionNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<RevisionNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: Ctx) {
    const refresh = (): void => this.refreshSoon();
    this.disposables.push(
      ctx.checkouts.onDidChange(refresh),
      vscode.workspace.onDidChangeTextDocument(refresh),
      vscode.workspace.onDidChangeWorkspaceFolders(refresh),
      signaturesChanged.event(refresh),
      this.emitter,
    );
  }

  refreshSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.emitter.fire(undefined), 300);
  }

  getTreeItem(n: RevisionNode): vscode.TreeItem {
    const item = new vscode.TreeItem(
      n.label,
      n.children?.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    if (n.description !== undefined) item.description = n.description;
    if (n.tooltip) item.tooltip = n.tooltip;
    if (n.icon) item.iconPath = new vscode.ThemeIcon(n.icon);
    if (n.contextValue) item.contextValue = n.contextValue;
    if (n.ref)
      item.command = { command: 'pantavisor.revision.reveal', title: 'Go to Definition', arguments: [n.ref] };
    return item;
  }

  async getChildren(n?: RevisionNode): Promise<RevisionNode[]> {
    if (n) return n.children ?? [];
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    const roots = (await discoverTargets(folders)).flatMap((t) => (t.type === 'checkout' ? [t.root] : []));
    const open = new Map(vscode.workspace.textDocuments.map((d) => [d.uri.fsPath, d.getText()]));
    const per = await Promise.all(
      roots.map(async (root) => {
        try {
          const co = await this.ctx.checkouts.get(root);
          const files = co.files.map((f) =>
            f.text !== undefined && open.has(f.file) ? { ...f, text: open.get(f.file) } : f,
          );
          return {
            root,
            nodes: decorateSignatureNodes(
              revisionNodes(summarizeRevision(modelFromCheckout(root, files, co.pristine))),
              signatureService()?.summaryNow(root),
            ),
          };
        } catch (e) {
          log.warn(`revision view: ${root}: ${String(e)}`);
          return { root, nodes: [] };
        }
      }),
    );
    if (per.length === 1) return per[0]?.nodes ?? [];
    return per.map((p) => ({
      label: basename(p.root),
      description: p.root,
      icon: 'repo',
      children: p.nodes,
    }));
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

/** Opens a file and selects the range a view node points at. */
export async function revealRef(ref: SourceRef): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(ref.file));
  const editor = await vscode.window.showTextDocument(doc);
  const range = new vscode.Range(doc.positionAt(ref.start), doc.positionAt(ref.end));
  editor.selection = new vscode.Selection(range.start, range.end);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
