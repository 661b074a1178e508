// The pvr source control provider in real VS Code, on a checkout made by pvkit during the test:
// status groups, stage, quick diff against the committed revision, commit from the input box.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { ROOT, workspaceRoot } from './util';

interface Api {
  scm: {
    refresh(arg?: unknown): Promise<void>;
    repositories(): {
      root: string;
      changes: readonly vscode.SourceControlResourceState[];
      untracked: readonly vscode.SourceControlResourceState[];
      sc: vscode.SourceControl;
    }[];
  };
}

const pvkit = (cwd: string, ...args: string[]): string =>
  execFileSync('node', [join(ROOT, 'dist', 'cli.js'), ...args], { cwd, encoding: 'utf8' });

suite('pvr source control', () => {
  let api: Api;
  let root: string;
  const repo = () => api.scm.repositories().find((r) => r.root === root)!;
  const paths = (states: readonly vscode.SourceControlResourceState[]) =>
    states.map((s) => s.resourceUri.fsPath.slice(root.length + 1)).sort();

  suiteSetup(async () => {
    // The extension host is this process: objects go to a private config dir, not ~/.pvr.
    process.env['PVR_CONFIG_DIR'] = mkdtempSync(join(tmpdir(), 'pvkit-scm-config-'));
    root = join(workspaceRoot().fsPath, 'scm-demo');
    mkdirSync(join(root, 'web'), { recursive: true });
    writeFileSync(join(root, 'web', 'run.json'), '{"name":"web","group":"app"}');
    writeFileSync(join(root, 'web', 'root.squashfs'), 'not really squashfs');
    pvkit(root, 'init');
    pvkit(root, 'add', '.');
    pvkit(root, 'commit', '-m', 'first');
    api = (await vscode.extensions.getExtension('pvkit.pvkit')!.activate()) as Api;
    await api.scm.refresh();
    assert.ok(
      repo(),
      `the checkout is not listed: ${api.scm
        .repositories()
        .map((r) => r.root)
        .join(', ')}`,
    );
  });

  test('a clean checkout has no changes', () => {
    assert.deepEqual(paths(repo().changes), []);
    assert.deepEqual(paths(repo().untracked), []);
  });

  test('a modified file is a change, a new file is untracked; staging moves it to the changes', async () => {
    writeFileSync(join(root, 'web', 'run.json'), '{"name":"web","group":"root"}');
    writeFileSync(join(root, 'notes.txt'), 'hello');
    await api.scm.refresh();
    assert.deepEqual(paths(repo().changes), ['web/run.json']);
    assert.deepEqual(paths(repo().untracked), ['notes.txt']);
    await vscode.commands.executeCommand('pantavisor.pvr.stage', repo().untracked[0]);
    await api.scm.refresh();
    assert.deepEqual(paths(repo().changes), ['notes.txt', 'web/run.json']);
  });

  test('quick diff shows the committed revision of a file', async () => {
    const original = await repo().sc.quickDiffProvider!.provideOriginalResource!(
      vscode.Uri.file(join(root, 'web', 'run.json')),
      new vscode.CancellationTokenSource().token,
    );
    assert.ok(original);
    const doc = await vscode.workspace.openTextDocument(original);
    assert.deepEqual(JSON.parse(doc.getText()), { name: 'web', group: 'app' });
  });

  test('committing from the input box records the message and clears the changes', async () => {
    repo().sc.inputBox.value = 'second from VS Code';
    await vscode.commands.executeCommand('pantavisor.pvr.commit', repo().sc);
    await api.scm.refresh();
    assert.deepEqual(paths(repo().changes), []);
    assert.equal(readFileSync(join(root, '.pvr', 'commitmsg'), 'utf8'), 'second from VS Code');
    const committed = JSON.parse(readFileSync(join(root, '.pvr', 'json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(committed['web/run.json'], { name: 'web', group: 'root' });
    assert.ok('notes.txt' in committed);
  });
});
