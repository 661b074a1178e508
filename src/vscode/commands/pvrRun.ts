import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { log } from '../log';
import { runPvr, type PvrRunResult } from '../../platform/pvrCli';

/** Splits a command line typed in the palette into arguments (quotes group, no shell). */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

/**
 * `Pantavisor: Run pvr Command...`: any pvr command, cancellable, output in the log channel. Asks
 * for the arguments, or takes them as the command's argument (a line or a list, for keybindings
 * and tests); resolves with pvr's result (undefined when nothing ran).
 */
export function pvrRunCommand(ctx: Ctx): (...args: unknown[]) => Promise<PvrRunResult | undefined> {
  return async (given?: unknown) => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Running pvr needs a trusted workspace.');
      return undefined;
    }
    const line =
      typeof given === 'string'
        ? given
        : Array.isArray(given)
          ? undefined
          : await vscode.window.showInputBox({ prompt: 'pvr arguments', placeHolder: 'status' });
    const args = Array.isArray(given) ? given.map(String) : line !== undefined ? splitArgs(line) : undefined;
    if (args === undefined) return undefined;
    const title = `pvr ${line ?? args.join(' ')}`;
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
    log.show();
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (_p, token) => {
        const ac = new AbortController();
        token.onCancellationRequested(() => ac.abort());
        const r = await runPvr(args, {
          pvrPath: ctx.config.pvrPath,
          cwd,
          signal: ac.signal,
          logger: log,
          onOutput: (t) => log.info(t.trimEnd()),
        });
        if (r.error) void vscode.window.showErrorMessage(r.error.message);
        else if (r.exitCode !== 0)
          void vscode.window.showErrorMessage(
            `${title} failed (exit ${String(r.exitCode)}); see the Pantavisor log.`,
          );
        return r;
      },
    );
  };
}

/** Tasks of type `pvr` ({ "type": "pvr", "args": ["status"] }), run in a terminal that kills pvr on close. */
export function registerPvrTasks(ctx: Ctx): void {
  ctx.pushCleanup(
    vscode.tasks.registerTaskProvider('pvr', {
      provideTasks: () => [],
      resolveTask: (task) => pvrTask(ctx, task.definition, task.scope, task.name),
    }),
  );
}

/** The runnable task for a `pvr` task definition (what tasks.json entries resolve to). */
export function pvrTask(
  ctx: Ctx,
  definition: vscode.TaskDefinition,
  scope: vscode.Task['scope'] = vscode.TaskScope.Workspace,
  name = `pvr ${Array.isArray(definition['args']) ? (definition['args'] as unknown[]).join(' ') : ''}`,
): vscode.Task {
  const args = Array.isArray(definition['args']) ? (definition['args'] as unknown[]).map(String) : [];
  const cwd =
    typeof definition['cwd'] === 'string'
      ? definition['cwd']
      : (vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd());
  return new vscode.Task(
    definition,
    scope ?? vscode.TaskScope.Workspace,
    name,
    'pvr',
    new vscode.CustomExecution(() => Promise.resolve(pvrTerminal(ctx, args, cwd))),
  );
}

function pvrTerminal(ctx: Ctx, args: string[], cwd: string): vscode.Pseudoterminal {
  const write = new vscode.EventEmitter<string>();
  const close = new vscode.EventEmitter<number>();
  const ac = new AbortController();
  const buffered: string[] = [];
  let opened = false;
  const out = (t: string): void => {
    const s = t.replace(/\r?\n/g, '\r\n');
    if (opened) write.fire(s);
    else buffered.push(s);
  };
  return {
    onDidWrite: write.event,
    onDidClose: close.event,
    open: () => {
      opened = true;
      for (const b of buffered.splice(0)) write.fire(b);
      if (!vscode.workspace.isTrusted) {
        out('Running pvr needs a trusted workspace.\n');
        close.fire(1);
        return;
      }
      void runPvr(args, {
        pvrPath: ctx.config.pvrPath,
        cwd,
        signal: ac.signal,
        logger: log,
        onOutput: out,
      }).then((r) => {
        if (r.error) out(`\n${r.error.message}\n`);
        close.fire(r.exitCode ?? 1);
      });
    },
    close: () => ac.abort(),
  };
}
