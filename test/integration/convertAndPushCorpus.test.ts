// Convert and Push of a REAL balena project from the shared corpus, end to end from VS Code: the
// project (three `image:` services, so the conversion needs no build; the image import step is
// skipped because this machine has no registry access) is converted, committed and posted to a
// `pvkit serve` the test starts as its own process on 127.0.0.1. The Devices view must show the
// new revision, and the revision stored on the endpoint must equal the checkout: the same state,
// and every object present with the sha256 it is named by, which is also the working file's.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { isObjectEntry } from '../../src/platform/repo/Repository';
import type { PostResult } from '../../src/platform/remote/postRevision';
import type { Ctx } from '../../src/vscode/ctx';
import type { DevicesTreeProvider } from '../../src/vscode/views/DevicesTreeProvider';
import { corpusDir } from '../support/corpus';
import { activatedCtx, ROOT, setLocalEndpoint, until } from './util';

const PROJECT = 'balena/balena-io-experimental__balena-fleet-data-analytics__sensor-demo';
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Starts `pvkit serve DIR --port 0` (the built CLI) and resolves with its URL. */
function pvkitServe(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'dist/cli.js'), 'serve', dir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  let log = '';
  child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /Serving .* at (http:\S+)/.exec(out);
      if (m?.[1]) resolve({ child, url: m[1] });
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`pvkit serve exited (${String(code)}): ${log}`)));
  });
}

suite('Convert and Push (corpus project)', function () {
  this.timeout(180_000);
  let ctx: Ctx;
  let base: string;
  let serve: { child: ChildProcess; url: string } | undefined;

  suiteSetup(async function () {
    ctx = await activatedCtx();
    base = mkdtempSync(join(tmpdir(), 'pvkit-it-corpus-push-'));
  });

  suiteTeardown(async function () {
    await setLocalEndpoint(undefined);
    if (serve && serve.child.exitCode === null) {
      const exited = new Promise((r) => serve?.child.once('exit', r));
      serve.child.kill('SIGTERM');
      await exited;
    }
    if (base) rmSync(base, { recursive: true, force: true });
  });

  test('a revision converted from a corpus project is pushed from VS Code; the Devices view shows it and the endpoint stores the checkout', async function () {
    const project = corpusDir(PROJECT);
    if (!project) this.skip();
    const device = join(base, 'device');
    serve = await pvkitServe(device);
    assert.match(serve.url, /^http:\/\/127\.0\.0\.1:\d+\/cgi-bin\/pvr$/);
    await setLocalEndpoint(serve.url);
    const out = join(base, 'sensor-demo-pantavisor');
    const configDir = join(base, 'pvr-config');

    const result = await vscode.commands.executeCommand<PostResult | undefined>(
      'pantavisor.convertAndPush',
      vscode.Uri.file(join(project, 'docker-compose.yml')),
      {
        out,
        target: 'local',
        deviceType: 'raspberrypi4-64',
        configDir,
        skipImages: true,
        message: 'sensor-demo from the corpus',
      },
    );
    assert.ok(result, 'the command returned no result (see the Pantavisor log)');
    assert.equal(result.rev, '1', 'the first revision on a fresh endpoint');

    // The Devices view shows the new revision of the local endpoint.
    await vscode.commands.executeCommand('pantavisor.devices.refresh');
    const view = (ctx as unknown as Record<symbol, DevicesTreeProvider | undefined>)[
      Symbol.for('pvkit.devices.view')
    ];
    assert.ok(view, 'the Devices view is not registered');
    const local = view.getChildren().find((t) => t.id === 'local');
    assert.ok(local, 'the local endpoint is not listed');
    await until(() => {
      const s = view.statusOf('local');
      return s && 'rev' in s && s.rev === result.rev ? s : undefined;
    }, 'the Devices view to show the new revision');
    assert.equal(view.getTreeItem(local).description, `revision ${result.rev}`);

    // The stored revision equals the checkout, object by object.
    const checkoutState = readFileSync(join(out, '.pvr/json'));
    const stored = readFileSync(join(device, 'trails', result.rev, '.pvr/json'));
    assert.deepEqual(JSON.parse(stored.toString()), JSON.parse(checkoutState.toString()));
    assert.equal(result.stateSha, sha256(stored));
    assert.equal(
      readFileSync(join(device, 'trails', result.rev, '.pvr/commitmsg'), 'utf8'),
      'sensor-demo from the corpus',
    );
    const state = JSON.parse(checkoutState.toString()) as Record<string, unknown>;
    const containers = ['sensor', 'log-transporter', 'connector'];
    for (const c of containers) assert.ok(`${c}/run.json` in state, `${c} was converted`);
    let objects = 0;
    for (const [k, v] of Object.entries(state)) {
      if (k.startsWith('#spec') || typeof v !== 'string' || !isObjectEntry(k, v)) continue;
      objects++;
      assert.equal(sha256(readFileSync(join(device, 'objects', v))), v, `stored object of ${k}`);
      assert.equal(sha256(readFileSync(join(out, k))), v, `checkout file ${k}`);
    }
    assert.ok(objects > 0, 'the revision has objects to compare');
  });
});
