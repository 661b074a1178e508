// Signatures in real VS Code (wiring only, house style 20): diagnostics on a stale signature and on
// the changed file, the hover on _sigs/*.json, the Re-sign quick fix, and Re-sign itself with a key
// from the setting. The checkout is written into the workspace copy at run time.
import * as assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { canonicalFromValue } from '../../src/core/signature/canonicalValue';
import { indexState } from '../../src/core/signature/payload';
import { signState } from '../../src/platform/signature/sign';

function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder open; run through scripts/run-integration.mjs');
  return folder.uri.fsPath;
}

/** Polls the diagnostics of `uri` (and listens for changes) until `ok` accepts them. */
function waitFor(
  uri: vscode.Uri,
  ok: (d: readonly vscode.Diagnostic[]) => boolean,
  ms = 20_000,
): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + ms;
    const check = (): void => {
      const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'pantavisor-signatures');
      if (ok(d)) {
        done();
        resolve(d);
      } else if (Date.now() > deadline) {
        done();
        reject(
          new Error(
            `signature diagnostics of ${uri.fsPath}: ${d.map((x) => `${typeof x.code === 'object' ? String(x.code.value) : String(x.code)} ${x.message}`).join('; ') || '(none)'}`,
          ),
        );
      }
    };
    const sub = vscode.languages.onDidChangeDiagnostics(check);
    const timer = setInterval(check, 100);
    const done = (): void => {
      clearInterval(timer);
      sub.dispose();
    };
    check();
  });
}

const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });

function write(dir: string, files: Record<string, string>): void {
  const state: Record<string, unknown> = { '#spec': 'pantavisor-service-system@1' };
  for (const [k, v] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, k)), { recursive: true });
    writeFileSync(join(dir, k), v);
    state[k] = k.endsWith('.json') ? JSON.parse(v) : createHash('sha256').update(v).digest('hex');
  }
  mkdirSync(join(dir, '.pvr'), { recursive: true });
  writeFileSync(join(dir, '.pvr', 'json'), canonicalFromValue(state));
}

suite('signatures', () => {
  const dir = (): string => join(workspaceDir(), 'signed-revision');
  const files: Record<string, string> = {
    'app/run.json': '{"#spec":"service-manifest-run@1","name":"app"}',
    'app/root.squashfs': 'rootfs bytes',
  };

  suiteSetup(() => {
    write(dir(), files);
    const state = indexState(readFileSync(join(dir(), '.pvr', 'json'), 'utf8'));
    const sig = signState({
      state,
      match: { include: ['app/**'], exclude: ['_sigs/app.json'] },
      key: keys.privateKey,
    });
    write(dir(), { ...files, '_sigs/app.json': sig.fileText });
  });

  test('a changed covered file: errors on the file and on the signature, Re-sign offered', async () => {
    writeFileSync(join(dir(), 'app/root.squashfs'), 'changed bytes');
    const sigUri = vscode.Uri.file(join(dir(), '_sigs/app.json'));
    const fileUri = vscode.Uri.file(join(dir(), 'app/root.squashfs'));
    const onSig = await waitFor(sigUri, (d) => d.some((x) => x.code === 'PVS011'));
    assert.match(onSig.find((x) => x.code === 'PVS011')?.message ?? '', /app\/root\.squashfs/);
    await waitFor(fileUri, (d) => d.some((x) => x.code === 'PVS012'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(sigUri));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      sigUri,
      onSig[0]?.range ?? new vscode.Range(0, 0, 0, 1),
    );
    assert.ok(
      actions.some((a) => a.title.startsWith('Re-sign _sigs/app.json')),
      actions.map((a) => a.title).join(', '),
    );
  });

  test('hover on _sigs/*.json decodes the protected header', async () => {
    const uri = vscode.Uri.file(join(dir(), '_sigs/app.json'));
    await vscode.workspace.openTextDocument(uri);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      uri,
      new vscode.Position(0, 5),
    );
    const text = hovers
      .flatMap((h) => h.contents)
      .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
      .join('\n');
    assert.match(text, /Pantavisor signature/);
    assert.match(text, /ES256/);
    assert.match(text, /EC P-256/);
    assert.match(text, /app\/\*\*/);
  });

  test('commit, then Re-sign with the key from the setting clears the diagnostics', async () => {
    const keyPath = join(dir(), '..', 'signing-key.pem');
    writeFileSync(keyPath, keys.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    await vscode.workspace
      .getConfiguration('pantavisor')
      .update('signatures.keyPath', keyPath, vscode.ConfigurationTarget.Global);
    const old = readFileSync(join(dir(), '_sigs/app.json'), 'utf8');
    // Stand-in for `pvr add . && pvr commit` (pvr is not installed here).
    write(dir(), { ...files, 'app/root.squashfs': 'changed bytes', '_sigs/app.json': old });
    const sigUri = vscode.Uri.file(join(dir(), '_sigs/app.json'));
    await waitFor(sigUri, (d) => d.some((x) => x.code === 'PVS010'));
    await vscode.commands.executeCommand('pantavisor.sig.update', { dir: dir(), name: 'app' });
    assert.notEqual(readFileSync(join(dir(), '_sigs/app.json'), 'utf8'), old);
    await waitFor(sigUri, (d) => d.length === 0);
    await vscode.workspace
      .getConfiguration('pantavisor')
      .update('signatures.keyPath', undefined, vscode.ConfigurationTarget.Global);
  });
});
