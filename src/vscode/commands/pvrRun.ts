import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { log } from '../log';
import { runPvr } from '../../platform/pvrCli';

/** Splits a command line typed in the palette into arguments (quotes group, no shell). */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

/** `Pantavisor: Run pvr Command...`: any pvr command, cancellable, output in the log channel. */
export function pvrRunCommand(ctx: Ctx): (...args: unknown[]) => Promise<void> {
  return async () => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Running pvr needs a trusted workspace.');
      return;
    }
    const line = await vscode.window.showInputBox({ prompt: 'pvr arguments', placeHolder: 'status' });
    if (line === undefined) return;
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
    log.show();
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `pvr ${line}`, cancellable: true },
      async (_p, token) => {
        const ac = new AbortController();
        token.onCancellationRequested(() => ac.abort());
        const r = await runPvr(splitArgs(line), {
          pvrPath: ctx.config.pvrPath,
          cwd,
          signal: ac.signal,
          logger: log,
          onOutput: (t) => log.info(t.trimEnd()),
        });
        if (r.error) void vscode.window.showErrorMessage(r.error.message);
        else if (r.exitCode !== 0)
          void vscode.window.showErrorMessage(
            `pvr ${line} failed (exit ${String(r.exitCode)}); see the Pantavisor log.`,
          );
      },
    );
  };
}

/** Tasks of type `pvr` ({ "type": "pvr", "args": ["status"] }), run in a terminal that kills pvr on close. */
export function registerPvrTasks(ctx: Ctx): void {
  ctx.pushCleanup(
    vscode.tasks.registerTaskProvider('pvr', {
      provideTasks: () => [],
      resolveTask: (task) => {
        const args = Array.isArray(task.definition['args'])
          ? (task.definition['args'] as unknown[]).map(String)
          : [];
        const cwd =
          typeof task.definition['cwd'] === 'string'
            ? task.definition['cwd']
            : (vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd());
        return new vscode.Task(
          task.definition,
          task.scope ?? vscode.TaskScope.Workspace,
          task.name,
          'pvr',
          new vscode.CustomExecution(() => Promise.resolve(pvrTerminal(ctx, args, cwd))),
        );
      },
    }),
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
