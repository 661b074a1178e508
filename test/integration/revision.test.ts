// Revision language features in real VS Code: diagnostics at exact ranges, none on valid files or
// on a run.json that is not part of a revision, completion and hover from the schemas.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { openFixture, waitForDiagnostics, workspaceRoot } from './util';

const ours = (d: vscode.Diagnostic): boolean =>
  typeof d.source === 'string' && d.source.startsWith('pantavisor');
const codeOf = (d: vscode.Diagnostic): string => String(typeof d.code === 'object' ? d.code.value : d.code);

suite('revision diagnostics', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension('pvkit.pvkit')!.activate();
  });

  test('a checkout error shows at the exact range, with code and source', async () => {
    const doc = await openFixture('revision-errors/web/run.json');
    const diags = await waitForDiagnostics(doc.uri, (ds) => ds.some((d) => codeOf(d) === 'PV101'));
    const d = diags.find((x) => codeOf(x) === 'PV101')!;
    assert.deepEqual(
      [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character],
      [3, 13, 3, 19],
    );
    assert.equal(doc.getText(d.range), '"nope"');
    assert.equal(d.source, 'pantavisor-rules');
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.match(d.message, /Group "nope" is not defined/);
  });

  test('a state file with an unknown #spec shows PV011 on the value', async () => {
    const doc = await openFixture('states/state.json');
    const diags = await waitForDiagnostics(doc.uri, (ds) => ds.some((d) => codeOf(d) === 'PV011'));
    const d = diags.find((x) => codeOf(x) === 'PV011')!;
    assert.equal(doc.getText(d.range), '"pantavisor-service-system@2"');
    assert.equal(d.range.start.line, 1);
  });

  test('a quick fix sets the #spec', async () => {
    const doc = await openFixture('states/state.json');
    const [d] = await waitForDiagnostics(doc.uri, (ds) => ds.some((x) => codeOf(x) === 'PV011'));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      d!.range,
    );
    const fix = actions.find((a) => a.title.includes('pantavisor-service-system@1'));
    assert.ok(fix?.edit, `no #spec fix among ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    await waitForDiagnostics(doc.uri, (ds) => !ds.some((x) => codeOf(x) === 'PV011'));
    await vscode.commands.executeCommand('undo');
  });

  test('a valid revision file shows none: an edit that breaks it is flagged, undoing it clears it', async () => {
    const doc = await openFixture('revision/webapp/run.json');
    const editor = await vscode.window.showTextDocument(doc);
    const at = doc.getText().indexOf('"app"');
    await editor.edit((e) =>
      e.replace(new vscode.Range(doc.positionAt(at), doc.positionAt(at + 5)), '"apps"'),
    );
    await waitForDiagnostics(doc.uri, (ds) => ds.some((d) => codeOf(d) === 'PV101'));
    await vscode.commands.executeCommand('undo');
    const after = await waitForDiagnostics(doc.uri, (ds) => ds.filter(ours).length === 0);
    assert.deepEqual(after.filter(ours), []);
  });

  test('a run.json outside any revision does not light up', async () => {
    const outside = await openFixture('not-a-revision/app/run.json');
    // Opening a revision file after it: both are validated in open order, so once the revision's
    // diagnostics are there the outside file has been considered too.
    const inside = await openFixture('revision-errors/web/run.json');
    await waitForDiagnostics(inside.uri, (ds) => ds.some((d) => codeOf(d) === 'PV101'));
    assert.deepEqual(vscode.languages.getDiagnostics(outside.uri).filter(ours), []);
    const items = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      outside.uri,
      new vscode.Position(1, 2),
    );
    assert.ok(
      !items.items.some((i) =>
        String(typeof i.label === 'string' ? i.label : i.label.label).includes('status_goal'),
      ),
    );
  });

  test('completion and hover come from the schemas', async () => {
    const doc = await openFixture('revision/webapp/run.json');
    const text = doc.getText();
    const goal = text.indexOf('"group"');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      doc.uri,
      doc.positionAt(goal + 2),
    );
    const hoverText = hovers
      .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)))
      .join('\n');
    assert.match(hoverText, /start order/, hoverText);
    const value = text.indexOf('"app"');
    const list = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      doc.uri,
      doc.positionAt(value + 1),
    );
    assert.ok(list.items.length > 0);
    assert.ok(workspaceRoot());
  });
});
