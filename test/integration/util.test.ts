// The helpers other integration tests rely on, checked against VS Code itself with a private
// diagnostic collection (no pvkit rule involved).
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { copyFixtureToTemp, openFixture, waitForDiagnostics } from './util';

suite('integration helpers', () => {
  let collection: vscode.DiagnosticCollection;
  setup(() => (collection = vscode.languages.createDiagnosticCollection('pvkit-itest')));
  teardown(() => collection.dispose());

  test('openFixture opens a workspace file in an editor', async () => {
    const doc = await openFixture('revision/device.json');
    assert.equal(doc.languageId, 'json');
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), doc.uri.toString());
    assert.match(doc.getText(), /"groups"/);
  });

  test('waitForDiagnostics resolves once diagnostics published later match', async () => {
    const doc = await openFixture('revision/webapp/run.json');
    const marker = new vscode.Diagnostic(new vscode.Range(1, 4, 1, 11), 'itest marker');
    setTimeout(() => collection.set(doc.uri, [marker]), 300);
    const found = await waitForDiagnostics(
      doc.uri,
      (ds) => ds.some((d) => d.message === 'itest marker'),
      10_000,
    );
    const hit = found.find((d) => d.message === 'itest marker')!;
    assert.deepEqual([hit.range.start.line, hit.range.start.character], [1, 4]);
  });

  test('waitForDiagnostics rejects at the deadline and names what it saw', async () => {
    const doc = await openFixture('revision/webapp/src.json');
    collection.set(doc.uri, [new vscode.Diagnostic(new vscode.Range(0, 0, 0, 1), 'something else')]);
    await assert.rejects(
      waitForDiagnostics(doc.uri, (ds) => ds.some((d) => d.message === 'never published'), 500),
      /did not match within 500 ms[\s\S]*1:1 something else/,
    );
  });

  test('copyFixtureToTemp copies a fixture folder', () => {
    const dir = copyFixtureToTemp('integration-workspace');
    assert.ok(existsSync(join(dir, 'revision/.pvr/json')));
    assert.ok(existsSync(join(dir, 'balena-project/docker-compose.yml')));
  });
});
