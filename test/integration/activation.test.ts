// Wiring only (house style 20): the extension activates in real VS Code and registers its commands.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'pvkit.pvkit';

suite('activation', () => {
  test(`${EXTENSION_ID} is installed and activates`, async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not among the loaded extensions`);
    await ext.activate();
    assert.equal(ext.isActive, true);
    // activate() returns { ctx } on success and undefined when activation failed inside.
    assert.ok(ext.exports, 'activate() returned nothing: activation failed, see the Pantavisor log');
    // Reported for the performance notes (not a timed assertion).
    console.log(`    activation took ${(ext.exports as { activationMs: number }).activationMs} ms`);
  });

  test('the workspace is the integration fixture', () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.equal(folders.length, 1);
    assert.equal(folders[0]!.uri.fsPath, process.env['PVKIT_IT_WORKSPACE']);
  });

  test('every command declared in package.json is registered', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    await ext.activate();
    const declared = (
      ext.packageJSON as { contributes: { commands: { command: string }[] } }
    ).contributes.commands.map((c) => c.command);
    assert.ok(declared.includes('pantavisor.showLog'));
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(
      declared.filter((c) => !registered.has(c)),
      [],
      'declared in package.json but not registered',
    );
  });

  test('pantavisor.showLog runs', async () => {
    await vscode.commands.executeCommand('pantavisor.showLog');
  });
});
