import * as vscode from 'vscode';
import { formatReport, runDoctor, type CheckResult } from '../../platform/doctor/doctor';
import type { Ctx } from '../ctx';
import { getDeviceTargets, TOKEN_SECRET } from '../devices/DeviceTargets';
import { log } from '../log';

const ICON: Record<CheckResult['status'], string> = {
  ok: '$(pass-filled)',
  warn: '$(warning)',
  fail: '$(error)',
  skip: '$(circle-slash)',
};

type DoctorItem = vscode.QuickPickItem & { result?: CheckResult; copyReport?: boolean };

/**
 * "Pantavisor: Doctor": runs the same checks as `pvkit doctor` (with the binaries from the
 * settings, the status bar's push target and the Pantahub sign-in) and shows each with its fix.
 * The first entry and the title button copy the whole report; a check's entry copies its fix.
 */
export function doctor(ctx: Ctx) {
  return async (): Promise<CheckResult[]> => {
    const target = getDeviceTargets(ctx).defaultTarget();
    const signedIn = Boolean(await ctx.extension.secrets.get(TOKEN_SECRET));
    const results = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: 'Pantavisor: checking tools…',
        cancellable: true,
      },
      (_p, token) => {
        const ac = new AbortController();
        token.onCancellationRequested(() => ac.abort());
        return runDoctor({
          logger: log,
          signal: ac.signal,
          ...(ctx.config.pvrPath ? { pvrPath: ctx.config.pvrPath } : {}),
          ...(ctx.config.qemuPath ? { qemuPath: ctx.config.qemuPath } : {}),
          ...(ctx.config.dockerHost ? { dockerHost: ctx.config.dockerHost } : {}),
          ...(target ? { target: { label: target.label, url: target.url } } : {}),
          pantahubSignedIn: signedIn,
        });
      },
    );
    const report = formatReport(results);
    log.info(report);
    const copyReport = async (): Promise<void> => {
      await vscode.env.clipboard.writeText(report);
      log.info('doctor: report copied to the clipboard');
      void vscode.window.showInformationMessage('Doctor report copied to the clipboard.');
    };
    const pick = vscode.window.createQuickPick<DoctorItem>();
    pick.title = 'Pantavisor Doctor';
    pick.placeholder = 'Select a check to copy its fix, or copy the whole report';
    pick.items = [
      {
        label: '$(copy) Copy report',
        description: 'the whole report, for an issue or a colleague',
        copyReport: true,
      },
      { label: '', kind: vscode.QuickPickItemKind.Separator },
      ...results.map((r) => ({
        label: `${ICON[r.status]} ${r.title}`,
        description: r.detail,
        detail: r.status === 'ok' ? undefined : r.fix && `fix: ${r.fix}`,
        result: r,
      })),
    ];
    pick.buttons = [{ iconPath: new vscode.ThemeIcon('copy'), tooltip: 'Copy report' }];
    pick.onDidTriggerButton(() => void copyReport());
    pick.onDidAccept(() => {
      const item = pick.selectedItems[0];
      pick.hide();
      if (item?.copyReport) void copyReport();
      else if (item?.result?.fix) void vscode.env.clipboard.writeText(item.result.fix);
    });
    pick.onDidHide(() => pick.dispose());
    pick.show();
    return results;
  };
}
