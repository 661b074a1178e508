// Convert and Push in real VS Code: the fixture's balena project is converted into a new checkout
// and pushed end to end to a local device endpoint (pvkit serve's DeviceEndpoint on 127.0.0.1,
// inside the extension host); the endpoint stores the revision and the Devices view shows it.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { DeviceEndpoint } from '../../src/platform/remote/DeviceEndpoint';
import type { PostResult } from '../../src/platform/remote/postRevision';
import type { Ctx } from '../../src/vscode/ctx';
import type { DevicesTreeProvider } from '../../src/vscode/views/DevicesTreeProvider';
import { activatedCtx, setLocalEndpoint, startLocalEndpoint, until, workspaceRoot } from './util';

suite('Convert and Push', function () {
  this.timeout(180_000);
  let ctx: Ctx;
  let ep: DeviceEndpoint;
  let base: string;

  suiteSetup(async function () {
    ctx = await activatedCtx();
    base = mkdtempSync(join(tmpdir(), 'pvkit-it-convert-push-'));
    ep = await startLocalEndpoint(base);
  });

  suiteTeardown(async function () {
    await setLocalEndpoint(undefined);
    await ep?.stop();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  test('converts the balena project and posts it to the local endpoint; the Devices view shows the revision', async function () {
    const project = vscode.Uri.joinPath(workspaceRoot(), 'balena-compose');
    const out = join(base, 'checkout');
    const before = (await ep.store.revisions()).length;
    const result = await vscode.commands.executeCommand<PostResult | undefined>(
      'pantavisor.convertAndPush',
      project,
      {
        out,
        target: 'local',
        deviceType: 'raspberrypi4-64',
        configDir: join(base, 'pvr-config'),
        message: 'converted and pushed by the integration test',
        skipImages: true,
      },
    );
    assert.ok(result, 'the command returned no result (see the Pantavisor log)');
    assert.ok(existsSync(join(out, '.pvr/json')), 'the checkout was written');
    assert.ok(existsSync(join(out, 'web/run.json')), 'the web container was converted');
    assert.equal(result.rev, String(before + 1));
    assert.deepEqual(
      (await ep.store.revisions()).slice(-1),
      [before + 1],
      'the endpoint stored the next revision',
    );
    assert.equal(await ep.store.commitMsg(before + 1), 'converted and pushed by the integration test');

    await vscode.commands.executeCommand('pantavisor.devices.refresh');
    const view = (ctx as unknown as Record<symbol, DevicesTreeProvider | undefined>)[
      Symbol.for('pvkit.devices.view')
    ];
    assert.ok(view, 'the Devices view is not registered');
    const local = view.getChildren().find((t) => t.id === 'local');
    assert.ok(local, 'the local endpoint is not listed');
    const status = await until(() => {
      const s = view.statusOf('local');
      return s && 'rev' in s && s.rev === result.rev ? s : undefined;
    }, 'the Devices view to show the new revision');
    assert.equal(status.rev, result.rev);
    assert.equal(view.getTreeItem(local).description, `revision ${result.rev}`);

    // Run again on the same output folder (force, as after answering Replace): the next revision.
    const again = await vscode.commands.executeCommand<PostResult | undefined>(
      'pantavisor.convertAndPush',
      project,
      {
        out,
        force: true,
        target: 'local',
        deviceType: 'raspberrypi4-64',
        configDir: join(base, 'pvr-config'),
        skipImages: true,
      },
    );
    assert.ok(again, 'the second run returned no result');
    assert.equal(again.rev, String(before + 2));
  });

  test('the dry run prints the pvkit convert line, then an image import per container, then the push commands', async function () {
    const project = join(workspaceRoot().fsPath, 'balena-compose');
    const out = join(base, 'ci-checkout');
    const lines = await vscode.commands.executeCommand<string[]>(
      'pantavisor.convertAndPush',
      vscode.Uri.file(project),
      { out, target: 'local', message: 'ci push', dryRun: true },
    );
    assert.deepEqual(lines, [
      `pvkit convert ${project} --out ${out} --force --no-images`,
      `cd ${out}`,
      'pvkit app update web',
      'pvkit app update db',
      'pvkit add .',
      "pvkit commit -m 'ci push'",
      `pvkit post -m 'ci push' ${ep.url}`,
    ]);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
