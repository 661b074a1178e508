// Wiring of the balena compose language features in real VS Code (house style 20): diagnostics
// at exact ranges on a fixture project, a quick fix that applies, and hover text.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { copyFixtureToTemp, waitForDiagnostics, workspaceRoot } from './util';

const EXTENSION_ID = 'pvkit.pvkit';

function rangeOf(d: vscode.Diagnostic): string {
  const r = d.range;
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

suite('balena compose', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
  });

  test('diagnostics appear at exact ranges', async () => {
    const uri = vscode.Uri.joinPath(workspaceRoot(), 'balena-compose/docker-compose.yml');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const diags = await waitForDiagnostics(uri, (ds) => ds.some((d) => codeOf(d) === 'BAL010'), 20_000);
    const links = diags.find((d) => codeOf(d) === 'BAL010');
    assert.ok(links);
    assert.equal(rangeOf(links), '5:4-5:9', 'BAL010 on `links`');
    assert.equal(links.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(links.source, 'balena-compose');
    assert.match(links.message, /balena rejects `services\.web\.links`/);
    const restart = diags.find((d) => codeOf(d) === 'BAL030');
    assert.ok(restart, 'unquoted restart: no is reported');
    assert.equal(rangeOf(restart), '4:13-4:15');
    assert.equal(restart.severity, vscode.DiagnosticSeverity.Warning);
  });

  test('the quick fix quotes restart: "no"', async () => {
    const dir = copyFixtureToTemp('integration-workspace/balena-compose');
    const uri = vscode.Uri.file(join(dir, 'docker-compose.yml'));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const diags = await waitForDiagnostics(uri, (ds) => ds.some((d) => codeOf(d) === 'BAL030'), 20_000);
    const restart = diags.find((d) => codeOf(d) === 'BAL030');
    assert.ok(restart);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      restart.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix = actions.find((a) => a.title === 'Quote as "no"');
    assert.ok(fix?.edit, `no quote fix among: ${actions.map((a) => a.title).join(', ')}`);
    assert.equal(await vscode.workspace.applyEdit(fix.edit), true);
    assert.equal(doc.lineAt(4).text, '    restart: "no"');
    await waitForDiagnostics(uri, (ds) => ds.length > 0 && !ds.some((d) => codeOf(d) === 'BAL030'), 20_000);
  });

  test('hover explains the field on balena and on Pantavisor', async () => {
    const uri = vscode.Uri.joinPath(workspaceRoot(), 'balena-compose/docker-compose.yml');
    const doc = await vscode.workspace.openTextDocument(uri);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      uri,
      new vscode.Position(4, 6),
    );
    const text = hovers
      .flatMap((h) => h.contents)
      .map((c) => (typeof c === 'string' ? c : c.value))
      .join('\n');
    assert.match(text, /\*\*restart\*\*/);
    assert.match(text, /PV_AUTO_RECOVERY/);
    assert.ok(doc.getText().includes('restart: no'), 'the workspace fixture is unchanged');
  });
});
