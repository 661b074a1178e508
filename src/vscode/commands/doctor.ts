import * as vscode from 'vscode';
import { formatReport, runDoctor, type CheckResult } from '../../platform/doctor/doctor';
import type { Ctx } from '../ctx';
import { log } from '../log';

const ICON: Record<CheckResult['status'], string> = {
  ok: '$(pass-filled)',
  warn: '$(warning)',
  fail: '$(error)',
  skip: '$(circle-slash)',
};

/** "Pantavisor: Doctor": runs the same checks as `pvkit doctor` and offers to copy the report. */
export function doctor(_ctx: Ctx) {
  return async (): Promise<CheckResult[]> => {
    const results = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: 'Pantavisor: checking tools…',
        cancellable: true,
      },
      (_p, token) => {
        const ac = new AbortController();
        token.onCancellationRequested(() => ac.abort());
        return runDoctor({ logger: log, signal: ac.signal });
      },
    );
    const report = formatReport(results);
    log.info(report);
    const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { result?: CheckResult }>();
    pick.title = 'Pantavisor Doctor';
    pick.placeholder = 'Select a check to copy its fix; the button copies the whole report';
    pick.items = results.map((r) => ({
      label: `${ICON[r.status]} ${r.title}`,
      description: r.detail,
      detail: r.status === 'ok' ? undefined : r.fix,
      result: r,
    }));
    pick.buttons = [{ iconPath: new vscode.ThemeIcon('copy'), tooltip: 'Copy report' }];
    pick.onDidTriggerButton(() => {
      void vscode.env.clipboard.writeText(report);
      void vscode.window.showInformationMessage('Doctor report copied to the clipboard.');
    });
    pick.onDidAccept(() => {
      const fix = pick.selectedItems[0]?.result?.fix;
      if (fix) void vscode.env.clipboard.writeText(fix);
      pick.hide();
    });
    pick.onDidHide(() => pick.dispose());
    pick.show();
    return results;
  };
}
