// The status bar item in real VS Code: push target and checkout state, redrawn from the SCM
// provider's own refreshes (file watcher) and not by the test calling refresh.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { ROOT, until, workspaceRoot } from './util';

interface Status {
  root?: string;
  state?: { kind: string; text: string; details: string[] };
  text: string;
}
interface Api {
  scm: { refresh(arg?: unknown): Promise<void> };
  status: { current(): Status };
}

const pvkit = (cwd: string, ...args: string[]): string =>
  execFileSync('node', [join(ROOT, 'dist', 'cli.js'), ...args], { cwd, encoding: 'utf8' });

suite('status bar: push target and checkout state', () => {
  let api: Api;
  let root: string;
  const stateOf = (kind: string) => () => {
    const s = api.status.current();
    return s.root === root && s.state?.kind === kind ? s : undefined;
  };

  suiteSetup(async () => {
    process.env['PVR_CONFIG_DIR'] = mkdtempSync(join(tmpdir(), 'pvkit-status-config-'));
    root = join(workspaceRoot().fsPath, 'status-demo');
    mkdirSync(join(root, 'web'), { recursive: true });
    writeFileSync(join(root, 'web', 'run.json'), '{"name":"web","group":"app"}\n');
    pvkit(root, 'init');
    pvkit(root, 'add', '.');
    pvkit(root, 'commit', '-m', 'first');
    api = (await vscode.extensions.getExtension('pvkit.pvkit')!.activate()) as Api;
    await api.scm.refresh(); // finds the new checkout (a new folder is not watched for .pvr/)
    // The item follows the active editor's checkout.
    await vscode.window.showTextDocument(vscode.Uri.file(join(root, 'web', 'run.json')));
  });

  test('a committed checkout shows clean, with the push target', async () => {
    const s = await until(stateOf('clean'), 'the status bar to show status-demo clean');
    assert.match(s.text, /\$\(cloud-upload\) .+ {2}\$\(pass\) status-demo: clean$/);
    assert.ok(s.state?.details.includes('no uncommitted changes'), s.state?.details.join('; '));
  });

  test('editing a file shows modified', async () => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(join(root, 'web', 'run.json')));
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), '{"name":"web","group":"root"}\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await doc.save(); // false when auto-save got there first; the state below is the check
    const s = await until(stateOf('modified'), 'the status bar to show modified after a save');
    assert.match(s.text, /\$\(diff-modified\) status-demo: modified \(1\)$/);
    assert.ok(
      s.state?.details.some((d) => d.startsWith('1 change against .pvr/json')),
      s.state?.details.join('; '),
    );
  });

  test('committing with the pvkit engine (outside VS Code) shows clean again', async () => {
    pvkit(root, 'commit', '-m', 'second');
    const s = await until(stateOf('clean'), 'the status bar to show clean after pvkit commit');
    assert.match(s.text, /status-demo: clean$/);
  });

  test('the item offers the actions through its command', async () => {
    const all = await vscode.commands.getCommands(true);
    assert.ok(all.includes('pantavisor.checkout.actions'));
    // Opening and closing the quick pick must not throw.
    const shown = vscode.commands.executeCommand('pantavisor.checkout.actions');
    await new Promise((r) => setTimeout(r, 300));
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await shown;
  });
});
