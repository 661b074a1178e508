// Convert from balena in real VS Code: the command converts the fixture's balena project (as the
// explorer context menu passes it: the folder's URI), the report opens beside, and the new
// checkout validates without errors or warnings (images not imported are information only).
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { waitForDiagnostics, workspaceRoot } from './util';

const codeOf = (d: vscode.Diagnostic): string => String(typeof d.code === 'object' ? d.code.value : d.code);

/** Polls `check` every 100 ms until it returns true or the deadline passes (no fixed sleeps). */
async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

suite('convert from balena', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension('pvkit.pvkit')!.activate();
  });

  test('the explorer command converts the project, opens the report and the checkout has no problems', async () => {
    const project = vscode.Uri.joinPath(workspaceRoot(), 'balena-compose');
    const out = join(workspaceRoot().fsPath, 'balena-compose-pantavisor');
    const r = await vscode.commands.executeCommand<{
      out: string;
      report: { containers: { container: string; import?: { status: string; error?: string } }[] };
    }>('pantavisor.convert', project, {
      out,
      deviceType: 'raspberrypi4-64',
      configDir: mkdtempSync(join(tmpdir(), 'pvkit-it-pvr-')),
      // Only the local engine: a test never reaches a registry on the network.
      imageSource: 'local',
    });
    assert.ok(r, 'the command returned no result (see the Pantavisor log)');
    assert.deepEqual(r.report.containers.map((c) => c.container).sort(), ['db', 'web']);
    // The converter tried to import the images (pantavisor.convert.images defaults to import).
    // Here no engine answers: web was not built, and db's failure is the engine's
    // own answer, so the engine client (dist/engineApi.js, loaded on first use) did load.
    const imports = Object.fromEntries(r.report.containers.map((c) => [c.container, c.import]));
    assert.equal(imports['web']?.status, 'skipped');
    assert.equal(imports['db']?.status, 'failed');
    assert.match(
      imports['db']?.error ?? '',
      /local: (cannot reach the Docker engine|.*not in the local engine)/,
    );
    assert.doesNotMatch(imports['db']?.error ?? '', /Cannot find module/);
    for (const f of [
      '.pvr/json',
      'web/src.json',
      'web/run.json',
      'db/lxc.container.conf',
      'device.json',
      'CONVERSION.md',
    ])
      assert.ok(existsSync(join(out, f)), `${f} was written`);
    assert.match(
      readFileSync(join(out, 'CONVERSION.md'), 'utf8'),
      /\(\.\.\/balena-compose\/docker-compose\.yml#L\d+\)/,
    );

    // The report opens beside the project, as a Markdown preview.
    await until('the CONVERSION.md preview', () =>
      vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.label.includes('CONVERSION.md'))),
    );

    // The new checkout: validation runs (the not-imported information appears) and finds nothing worse.
    for (const c of ['web', 'db']) {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(join(out, c, 'run.json')));
      await vscode.window.showTextDocument(doc, { preview: false });
      const diags = await waitForDiagnostics(doc.uri, (ds) => ds.some((d) => codeOf(d) === 'PV114'), 20_000);
      const bad = diags.filter(
        (d) =>
          d.severity === vscode.DiagnosticSeverity.Error || d.severity === vscode.DiagnosticSeverity.Warning,
      );
      assert.deepEqual(
        bad.map((d) => `${codeOf(d)} ${d.message}`),
        [],
        `${c}/run.json has problems`,
      );
    }
    const device = await vscode.workspace.openTextDocument(vscode.Uri.file(join(out, 'device.json')));
    await vscode.window.showTextDocument(device, { preview: false });
    await new Promise((r) => setTimeout(r, 0));
    const dd = vscode.languages
      .getDiagnostics(device.uri)
      .filter(
        (d) =>
          d.severity === vscode.DiagnosticSeverity.Error || d.severity === vscode.DiagnosticSeverity.Warning,
      );
    assert.deepEqual(
      dd.map((d) => d.message),
      [],
    );
  });

  test('with pantavisor.convert.images set to "skip" no image is imported', async () => {
    const cfg = vscode.workspace.getConfiguration('pantavisor');
    await cfg.update('convert.images', 'skip', vscode.ConfigurationTarget.Global);
    try {
      const r = await vscode.commands.executeCommand<{
        report: { containers: { container: string; import?: unknown }[] };
      }>('pantavisor.convert', vscode.Uri.joinPath(workspaceRoot(), 'balena-compose'), {
        out: join(mkdtempSync(join(tmpdir(), 'pvkit-it-noimg-')), 'out'),
        deviceType: 'raspberrypi4-64',
        configDir: mkdtempSync(join(tmpdir(), 'pvkit-it-pvr-')),
        quiet: true,
      });
      assert.ok(r, 'the command returned no result (see the Pantavisor log)');
      assert.deepEqual(
        r.report.containers.map((c) => [c.container, c.import]),
        [
          ['web', undefined],
          ['db', undefined],
        ],
      );
    } finally {
      await cfg.update('convert.images', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('the compose file offers the conversion as a code action', async () => {
    const doc = await vscode.workspace.openTextDocument(
      vscode.Uri.joinPath(workspaceRoot(), 'balena-compose', 'docker-compose.yml'),
    );
    await vscode.window.showTextDocument(doc);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      new vscode.Range(0, 0, 0, 0),
    );
    const a = actions.find((x) => x.command?.command === 'pantavisor.convert');
    assert.ok(a, `no convert action among ${actions.map((x) => x.title).join(', ')}`);
    assert.equal(a.command?.arguments?.[0]?.toString(), doc.uri.toString());
  });
});
