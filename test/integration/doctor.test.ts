// Pantavisor: Doctor in real VS Code: the same checks as `pvkit doctor`, each line that is not ok
// with its fix, and the "Copy report" entry puts the report on the clipboard.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

interface CheckResult {
  id: string;
  title: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
  fix?: string;
}

suite('doctor', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension('pvkit.pvkit')!.activate();
  });

  test('every check is listed; each one that is not ok has its fix; Copy report copies it', async () => {
    await vscode.env.clipboard.writeText('before');
    const results = await vscode.commands.executeCommand<CheckResult[]>('pantavisor.doctor');
    assert.deepEqual(
      results.map((r) => r.id),
      ['pvr', 'engine', 'mksquashfs', 'qemu', 'kvm', 'target', 'pantahub'],
    );
    for (const r of results) {
      if (r.status !== 'ok')
        assert.ok(r.fix && r.fix.length > 20, `${r.id} has no fix: ${JSON.stringify(r)}`);
    }
    // mksquashfs and QEMU are installed where the tests run (scripts/setup-test-env.sh).
    assert.equal(results.find((r) => r.id === 'mksquashfs')?.status, 'ok');
    assert.equal(results.find((r) => r.id === 'qemu')?.status, 'ok');
    // The quick pick is open with "Copy report" first and active: accept it.
    await new Promise((r) => setTimeout(r, 300));
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    let copied = '';
    const deadline = Date.now() + 20_000;
    while (!copied.startsWith('pvkit doctor\n')) {
      assert.ok(
        Date.now() < deadline,
        `timed out waiting for the report on the clipboard (it holds: ${copied})`,
      );
      await new Promise((r) => setTimeout(r, 100));
      copied = await vscode.env.clipboard.readText();
    }
    for (const r of results) assert.ok(copied.includes(`${r.title}: ${r.detail}`), r.id);
    assert.ok(copied.includes('fix: '));
  });
});
