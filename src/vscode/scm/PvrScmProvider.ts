import * as vscode from 'vscode';
import { discoverTargets } from '../../platform/revision/loadRevision';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import type { Ctx } from '../ctx';
import { log } from '../log';
import {
  builtinEngine,
  committedContent,
  discard,
  pvrEngine,
  unstage,
  type Change,
  type ChangeKind,
  type RepoEngine,
} from '../../platform/repo/RepoService';

/** URI scheme of committed file contents (quick diff and "open changes"). */
export const COMMITTED_SCHEME = 'pvr-committed';

const LABELS: Record<ChangeKind, string> = { A: 'Added', C: 'Modified', D: 'Deleted', '?': 'Untracked' };

function configDir(): string {
  return process.env['PVR_CONFIG_DIR'] || join(homedir(), '.pvr');
}

/** The engine chosen by `pantavisor.engine` (pvr only where the workspace is trusted). */
export function engineFor(ctx: Ctx): RepoEngine {
  if (ctx.config.engine === 'pvr' && vscode.workspace.isTrusted) {
    return pvrEngine({ pvrPath: ctx.config.pvrPath, logger: log, onOutput: (t) => log.info(t.trimEnd()) });
  }
  return builtinEngine(configDir());
}

/** One source control per folder that holds a pvr checkout (`.pvr/`). */
class PvrRepository implements vscode.Disposable {
  readonly sc: vscode.SourceControl;
  readonly changes: vscode.SourceControlResourceGroup;
  readonly untracked: vscode.SourceControlResourceGroup;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  byUri = new Map<string, Change>();

  constructor(
    readonly root: string,
    private readonly ctx: Ctx,
    private readonly onRefreshed: () => void = () => undefined,
  ) {
    this.sc = vscode.scm.createSourceControl('pvr', 'pvr', vscode.Uri.file(root));
    this.changes = this.sc.createResourceGroup('changes', 'Changes');
    this.untracked = this.sc.createResourceGroup('untracked', 'Untracked');
    this.changes.hideWhenEmpty = false;
    this.untracked.hideWhenEmpty = true;
    this.sc.inputBox.placeholder = 'Commit message (Ctrl+Enter to commit the pvr checkout)';
    this.sc.acceptInputCommand = { command: 'pantavisor.pvr.commit', title: 'Commit', arguments: [this.sc] };
    this.sc.quickDiffProvider = {
      provideOriginalResource: (uri) =>
        uri.scheme === 'file' && uri.fsPath.startsWith(root + '/')
          ? uri.with({ scheme: COMMITTED_SCHEME, query: root })
          : undefined,
    };
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(root, '**'));
    const soon = (): void => this.scheduleRefresh();
    this.disposables.push(
      watcher,
      watcher.onDidChange(soon),
      watcher.onDidCreate(soon),
      watcher.onDidDelete(soon),
      // A save is known at once; the file watcher's event can come late on a busy machine.
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (d.uri.scheme === 'file' && d.uri.fsPath.startsWith(root + '/')) soon();
      }),
    );
  }

  scheduleRefresh(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), 300);
  }

  async refresh(): Promise<void> {
    let list: Change[];
    try {
      list = await engineFor(this.ctx).status(this.root);
    } catch (e) {
      log.warn(`pvr status in ${this.root} failed: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    this.byUri.clear();
    const toState = (c: Change): vscode.SourceControlResourceState => {
      const uri = vscode.Uri.file(join(this.root, c.path));
      this.byUri.set(uri.toString(), c);
      return {
        resourceUri: uri,
        contextValue: c.kind === 'A' ? 'pvrAdded' : c.kind === '?' ? 'pvrUntracked' : 'pvrChanged',
        decorations: {
          strikeThrough: c.kind === 'D',
          tooltip: `${LABELS[c.kind]} (${c.kind})`,
          faded: c.kind === '?',
        },
        command:
          c.kind === 'C'
            ? {
                command: 'vscode.diff',
                title: 'Open Changes',
                arguments: [
                  uri.with({ scheme: COMMITTED_SCHEME, query: this.root }),
                  uri,
                  `${c.path} (committed ↔ working)`,
                ],
              }
            : {
                command: 'vscode.open',
                title: 'Open',
                arguments: [c.kind === 'D' ? uri.with({ scheme: COMMITTED_SCHEME, query: this.root }) : uri],
              },
      };
    };
    this.changes.resourceStates = list.filter((c) => c.kind !== '?').map(toState);
    this.untracked.resourceStates = list.filter((c) => c.kind === '?').map(toState);
    this.sc.count = this.changes.resourceStates.length;
    this.onRefreshed();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.sc.dispose();
  }
}

/** The source control provider for pvr checkouts and its commands. */
export class PvrScm implements vscode.Disposable {
  private readonly repos = new Map<string, PvrRepository>();
  private readonly refreshed = new vscode.EventEmitter<string>();
  /** Fires with a checkout root after its status was read again (file change, stage, commit). */
  readonly onDidRefresh = this.refreshed.event;

  constructor(private readonly ctx: Ctx) {
    ctx.pushCleanup(
      vscode.workspace.registerTextDocumentContentProvider(COMMITTED_SCHEME, {
        provideTextDocumentContent: async (uri) => {
          const root = uri.query;
          const data = await committedContent(root, configDir(), relative(root, uri.fsPath));
          return data ? data.toString('utf8') : '';
        },
      }),
    );
    ctx.pushCleanup(vscode.workspace.onDidChangeWorkspaceFolders(() => void this.scan()));
    void this.scan();
  }

  /** Finds pvr checkouts in the workspace folders: a folder with `.pvr/`, or one below it. */
  scan(): Promise<void> {
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    return discoverTargets(folders).then(
      (targets) => {
        for (const t of targets) {
          if (t.type !== 'checkout' || this.repos.has(t.root) || !existsSync(join(t.root, '.pvr'))) continue;
          const r = new PvrRepository(t.root, this.ctx, () => this.refreshed.fire(t.root));
          this.repos.set(t.root, r);
          void r.refresh();
        }
      },
      (e: unknown) => log.warn(`pvr checkout scan failed: ${String(e)}`),
    );
  }

  /** The open checkouts, for views and tests. */
  repositories(): {
    root: string;
    changes: readonly vscode.SourceControlResourceState[];
    untracked: readonly vscode.SourceControlResourceState[];
    sc: vscode.SourceControl;
  }[] {
    return [...this.repos.values()].map((r) => ({
      root: r.root,
      changes: r.changes.resourceStates,
      untracked: r.untracked.resourceStates,
      sc: r.sc,
    }));
  }

  /** The repository of a resource state, a SourceControl or (by default) the only/first one. */
  repoFor(arg: unknown): PvrRepository | undefined {
    if (arg && typeof arg === 'object' && 'rootUri' in arg) {
      const root = (arg as vscode.SourceControl).rootUri?.fsPath;
      if (root) return this.repos.get(root);
    }
    if (arg && typeof arg === 'object' && 'resourceUri' in arg) {
      const p = (arg as vscode.SourceControlResourceState).resourceUri.fsPath;
      return [...this.repos.values()].find((r) => p.startsWith(r.root + '/'));
    }
    return [...this.repos.values()][0];
  }

  private states(args: unknown[]): vscode.SourceControlResourceState[] {
    return args
      .flat()
      .filter(
        (a): a is vscode.SourceControlResourceState => !!a && typeof a === 'object' && 'resourceUri' in a,
      );
  }

  async stage(...args: unknown[]): Promise<void> {
    const states = this.states(args);
    const repo = this.repoFor(states[0]);
    if (!repo) return;
    await engineFor(this.ctx).stage(
      repo.root,
      states.map((s) => relative(repo.root, s.resourceUri.fsPath)),
    );
    await repo.refresh();
  }

  async unstage(...args: unknown[]): Promise<void> {
    const states = this.states(args);
    const repo = this.repoFor(states[0]);
    if (!repo) return;
    await unstage(
      repo.root,
      configDir(),
      states.map((s) => relative(repo.root, s.resourceUri.fsPath)),
    );
    await repo.refresh();
  }

  async commit(arg?: unknown): Promise<void> {
    const repo = this.repoFor(arg);
    if (!repo) {
      void vscode.window.showWarningMessage('No pvr checkout (a folder with .pvr/) is open.');
      return;
    }
    const message = repo.sc.inputBox.value;
    if (!message.trim()) {
      void vscode.window.showWarningMessage('Type a commit message in the Source Control input box first.');
      return;
    }
    const out = await engineFor(this.ctx).commit(repo.root, message);
    log.info(out.trimEnd());
    repo.sc.inputBox.value = '';
    await repo.refresh();
  }

  async discard(...args: unknown[]): Promise<void> {
    const states = this.states(args);
    const repo = this.repoFor(states[0]);
    if (!repo || !states.length) return;
    const changes = states
      .map((s) => repo.byUri.get(s.resourceUri.toString()))
      .filter((c): c is Change => !!c);
    const deletes = changes.filter((c) => c.kind === '?').length;
    const what = changes.length === 1 ? `"${changes[0]?.path ?? ''}"` : `${changes.length} files`;
    const answer = await vscode.window.showWarningMessage(
      `Discard changes to ${what}? ${deletes ? 'Untracked files are DELETED. ' : ''}This cannot be undone.`,
      { modal: true },
      'Discard',
    );
    if (answer !== 'Discard') return;
    for (const c of changes) await discard(repo.root, configDir(), c.path, c.kind);
    await repo.refresh();
  }

  async showDiff(arg?: unknown): Promise<void> {
    const repo = this.repoFor(arg);
    if (!repo) return;
    const text = await engineFor(this.ctx).diff(repo.root);
    const doc = await vscode.workspace.openTextDocument({ language: 'json', content: text });
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  async refresh(arg?: unknown): Promise<void> {
    await this.scan();
    const one = this.repoFor(arg);
    if (arg !== undefined && one) await one.refresh();
    else await Promise.all([...this.repos.values()].map((r) => r.refresh()));
  }

  dispose(): void {
    for (const r of this.repos.values()) r.dispose();
    this.repos.clear();
    this.refreshed.dispose();
  }
}

let instance: PvrScm | undefined;

/** Starts the pvr source control provider (called from activate). */
export function startPvrScm(ctx: Ctx): PvrScm {
  instance = new PvrScm(ctx);
  ctx.pushCleanup(instance);
  return instance;
}

/** The running provider, for the command table. */
export function pvrScm(): PvrScm | undefined {
  return instance;
}
