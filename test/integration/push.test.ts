// Push in real VS Code: a checkout is pushed with the Push command to a local device endpoint
// (pvkit serve's DeviceEndpoint, on 127.0.0.1 inside the extension host), the Devices view then
// shows the new revision, and the dry run prints the commands a CI script would run.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { activatedCtx, newCheckout, setLocalEndpoint, startLocalEndpoint, until } from './util';
import type { DeviceEndpoint } from '../../src/platform/remote/DeviceEndpoint';
import type { PostResult } from '../../src/platform/remote/postRevision';
import type { Ctx } from '../../src/vscode/ctx';
import type { DevicesTreeProvider } from '../../src/vscode/views/DevicesTreeProvider';

suite('Push', function () {
  this.timeout(120_000);
  let ctx: Ctx;
  let ep: DeviceEndpoint;
  let base: string;
  let checkout: string;

  suiteSetup(async function () {
    ctx = await activatedCtx();
    base = mkdtempSync(join(tmpdir(), 'pvkit-it-push-'));
    ep = await startLocalEndpoint(base);
    checkout = await newCheckout(base, {
      'app/run.json': '{"name":"app","type":"lxc","root-volume":"root.squashfs"}',
      'app/root.squashfs': Buffer.alloc(200_000, 7),
      'app/lxc.container.conf': 'lxc.uts.name = app\n',
    });
  });

  suiteTeardown(async function () {
    await setLocalEndpoint(undefined);
    await ep?.stop();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  test('Push commits the checkout, posts it to the local endpoint, and the Devices view shows the revision', async function () {
    const result = await vscode.commands.executeCommand<PostResult | undefined>('pantavisor.push', {
      checkout,
      target: 'local',
      message: 'pushed by the integration test',
    });
    assert.ok(result, 'the push returned no result');
    assert.equal(result.rev, '1');
    assert.equal(result.uploaded, 2);
    assert.deepEqual(await ep.store.revisions(), [1]);
    assert.equal(await ep.store.commitMsg(1), 'pushed by the integration test');

    await vscode.commands.executeCommand('pantavisor.devices.refresh');
    const view = (ctx as unknown as Record<symbol, DevicesTreeProvider | undefined>)[
      Symbol.for('pvkit.devices.view')
    ];
    assert.ok(view, 'the Devices view is not registered');
    const local = view.getChildren().find((t) => t.id === 'local');
    assert.ok(local, 'the local endpoint is not listed');
    const status = await until(() => {
      const s = view.statusOf('local');
      return s && 'rev' in s ? s : undefined;
    }, 'the Devices view to show the revision');
    assert.equal(status.rev, '1');
    assert.equal(view.getTreeItem(local).description, 'revision 1');
  });

  test('Dry run prints the exact commands a CI script would run', async function () {
    const lines = await vscode.commands.executeCommand<string[]>('pantavisor.push.dryRun', {
      checkout,
      target: 'local',
      message: 'ci push',
    });
    assert.deepEqual(lines.slice(1), [
      'pvkit add .',
      "pvkit commit -m 'ci push'",
      `pvkit post -m 'ci push' ${ep.url}`,
    ]);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
