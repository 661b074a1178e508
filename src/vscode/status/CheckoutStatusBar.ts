import { basename, sep } from 'node:path';
import * as vscode from 'vscode';
import { checkoutState, type CheckoutState } from '../../core/revision/checkoutState';
import type { Ctx } from '../ctx';
import { getDeviceTargets } from '../devices/DeviceTargets';
import { pvrScm, type PvrScm } from '../scm/PvrScmProvider';
import { signaturesChanged } from '../signatures/SignatureService';
import { signatureService } from '../signatures/startSignatures';

const ICON: Record<CheckoutState['kind'], string> = {
  clean: '$(pass)',
  modified: '$(diff-modified)',
  unsigned: '$(unlock)',
};

/** What the status bar shows, for the actions and for tests. */
export interface CheckoutStatus {
  /** The checkout shown (the active editor's, else the first one), if any is open. */
  root?: string;
  state?: CheckoutState;
  target?: string;
  targetLabel?: string;
  text: string;
}

/**
 * One status bar item: the push target and the state of the checkout at hand (clean, modified,
 * unsigned). It reads what the SCM provider and the signature service already computed and is
 * redrawn when either reports (file changes, stage, commit, signature checks), when the target
 * changes and when the active editor moves to another checkout. A click offers the next actions.
 */
export class CheckoutStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subs: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<CheckoutStatus>();
  /** Fires after every redraw. */
  readonly onDidChange = this.changed.event;
  private status: CheckoutStatus = { text: '' };

  constructor(
    private readonly ctx: Ctx,
    private readonly scm: PvrScm,
  ) {
    this.item = vscode.window.createStatusBarItem('pantavisor.checkout', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'Pantavisor checkout and push target';
    this.item.command = 'pantavisor.checkout.actions';
    const update = (): void => this.update();
    this.subs.push(
      this.item,
      this.changed,
      scm.onDidRefresh(update),
      signaturesChanged.event(update),
      getDeviceTargets(ctx).onDidChange(update),
      vscode.window.onDidChangeActiveTextEditor(update),
    );
    this.update();
  }

  current(): CheckoutStatus {
    return this.status;
  }

  /** The checkout of the active editor, else the first open one. */
  private pickRoot(): string | undefined {
    const roots = this.scm.repositories().map((r) => r.root);
    const file = vscode.window.activeTextEditor?.document.uri;
    const own =
      file?.scheme === 'file'
        ? roots.filter((r) => file.fsPath.startsWith(r + sep)).sort((a, b) => b.length - a.length)[0]
        : undefined;
    return own ?? roots[0];
  }

  update(): void {
    const target = getDeviceTargets(this.ctx).defaultTarget();
    const root = this.pickRoot();
    const repo = this.scm.repositories().find((r) => r.root === root);
    const targetText = `$(cloud-upload) ${target ? target.label : 'No push target'}`;
    const lines = [`Push target: ${target ? `${target.label} (${target.url})` : 'none'}`];
    let state: CheckoutState | undefined;
    if (root && repo) {
      const sig = signatureService()?.summaryNow(root);
      state = checkoutState({
        changed: repo.changes.length,
        untracked: repo.untracked.length,
        ...(sig
          ? {
              signatures: {
                count: sig.signatures.length,
                uncovered: sig.uncovered,
                broken: sig.signatures
                  .filter((s) => s.stale || s.status === 'invalid' || s.status === 'error')
                  .map((s) => s.name),
                trustConfigured: sig.trustConfigured,
              },
            }
          : {}),
      });
      lines.unshift(`Checkout ${root}: ${state.text}`, ...state.details.map((d) => `  ${d}`));
    }
    const text =
      state && root ? `${targetText}  ${ICON[state.kind]} ${basename(root)}: ${state.text}` : targetText;
    this.item.text = text;
    this.item.tooltip = `${lines.join('\n')}\n\nClick for actions: commit, sign, push, pick a target`;
    this.item.backgroundColor =
      state?.kind === 'unsigned' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
    this.status = {
      text,
      ...(root ? { root } : {}),
      ...(state ? { state } : {}),
      ...(target ? { target: target.id, targetLabel: target.label } : {}),
    };
    this.changed.fire(this.status);
  }

  dispose(): void {
    for (const d of this.subs.splice(0)) d.dispose();
  }
}

type Action = vscode.QuickPickItem & { run: () => Thenable<unknown> };

/** The click on the status bar item: what can be done with the checkout and the target now. */
export async function checkoutActions(bar: CheckoutStatusBar, scm: PvrScm): Promise<void> {
  const { root, state } = bar.current();
  const repo = scm.repositories().find((r) => r.root === root);
  const actions: Action[] = [];
  const run =
    (id: string, ...args: unknown[]) =>
    () =>
      vscode.commands.executeCommand(id, ...args);
  if (root && repo && state?.kind === 'modified') {
    actions.push(
      {
        label: '$(check) Commit…',
        description: `${basename(root)}: ${state.text}`,
        run: async () => {
          const message = await vscode.window.showInputBox({
            title: `Commit ${basename(root)}`,
            prompt: 'Commit message (all changes are committed, like the Source Control view does)',
            value: repo.sc.inputBox.value,
            validateInput: (v) => (v.trim() ? undefined : 'A commit needs a message'),
          });
          if (!message) return;
          repo.sc.inputBox.value = message;
          await vscode.commands.executeCommand('pantavisor.pvr.commit', repo.sc);
        },
      },
      {
        label: '$(git-compare) Show Changes',
        description: 'Source Control view',
        run: run('workbench.view.scm'),
      },
    );
  }
  if (root) {
    const broken = state?.details.some((d) => d.startsWith('stale or invalid'));
    actions.push(
      broken
        ? {
            label: '$(key) Re-sign…',
            description: 'stale or invalid signatures',
            run: run('pantavisor.sig.update', { dir: root }),
          }
        : {
            label: '$(key) Sign…',
            description: state?.unsignedContainers.length
              ? `unsigned: ${state.unsignedContainers.join(', ')}`
              : 'add a signature to the committed revision',
            run: run('pantavisor.sig.add', { dir: root }),
          },
      {
        label: '$(cloud-upload) Push',
        description: bar.current().targetLabel ?? 'pick a target first',
        run: run('pantavisor.push', { checkout: root }),
      },
    );
  }
  actions.push(
    { label: '$(plug) Pick Push Target…', run: run('pantavisor.devices.selectTarget') },
    { label: '$(pulse) Doctor', description: 'check the tools', run: run('pantavisor.doctor') },
  );
  const pick = await vscode.window.showQuickPick(actions, {
    title: root ? `Pantavisor: ${basename(root)} (${state?.text ?? 'unknown'})` : 'Pantavisor',
    placeHolder: 'What next?',
  });
  if (pick) await pick.run();
}

let bar: CheckoutStatusBar | undefined;

/** Starts the status bar item (called from activate, after the SCM provider). */
export function startCheckoutStatus(ctx: Ctx, scm: PvrScm): CheckoutStatusBar {
  bar = new CheckoutStatusBar(ctx, scm);
  ctx.pushCleanup(bar);
  ctx.pushCleanup({ dispose: () => (bar = undefined) });
  return bar;
}

/** The command behind the item (`pantavisor.checkout.actions`). */
export const checkoutActionsCommand = () => async (): Promise<void> => {
  const scm = pvrScm();
  if (bar && scm) await checkoutActions(bar, scm);
};
