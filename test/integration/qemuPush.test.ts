// "Push to QEMU Preview" in real VS Code: the preview boots Debian's kernel with the test
// initramfs, whose port 12368 runs the STAND-IN of a device's pvr endpoint
// (test/support/pvr-endpoint-standin.sh: shell over busybox nc, objects checked with busybox
// sha256sum, revisions kept in the guest's RAM; a real Pantavisor device cannot run here). The
// Devices view shows the preview ready once the endpoint answers on its forwarded port, the push
// posts a checkout the test creates, a GET through that port shows the guest holds it, and Stop
// leaves no QEMU behind.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';
import { activatedCtx, newCheckout, until } from './util';
import type { PostResult } from '../../src/platform/remote/postRevision';
import type { Ctx } from '../../src/vscode/ctx';
import { getDeviceTargets } from '../../src/vscode/devices/DeviceTargets';
import { getPreviewManager, type PreviewManager } from '../../src/vscode/qemu/PreviewManager';
import type { DevicesTreeProvider } from '../../src/vscode/views/DevicesTreeProvider';
import { buildTestInitramfs, needsTestGuest, testKernel } from '../support/qemuGuest';

const NAME = 'it-push';
const ROOT = resolve(__dirname, '../../..');
const ENV_DIR = process.env['PVKIT_TEST_ENV_DIR'] ?? join(ROOT, '.test-env');

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const req = request(url, { timeout: 10_000 }, (r) => {
      let body = '';
      r.on('data', (d: Buffer) => (body += d.toString()));
      r.on('end', () => res({ status: r.statusCode ?? 0, body }));
    });
    req.on('error', rej);
    req.end();
  });
}

/** Pids of processes whose command line mentions `needle` (a QEMU started with our initrd). */
function processesWith(needle: string): number[] {
  const found: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(needle)) found.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

suite('Push to QEMU preview', function () {
  this.timeout(300_000);
  let ctx: Ctx;
  let manager: PreviewManager;
  let base: string | undefined;
  let initrd: string;
  let checkout: string;
  const blob = Buffer.alloc(120_000);
  for (let i = 0; i < blob.length; i++) blob[i] = (i * 31) % 253;

  suiteSetup(async function () {
    const skip = needsTestGuest(ENV_DIR);
    if (skip.skip) {
      console.log(`!!! Push to QEMU preview SKIPPED: ${skip.skip} (run scripts/setup-test-env.sh) !!!`);
      this.skip();
    }
    ctx = await activatedCtx();
    manager = getPreviewManager(ctx);

    base = mkdtempSync(join(tmpdir(), 'pvkit-it-qemu-push-'));
    const kernel = testKernel(ENV_DIR)!;
    initrd = buildTestInitramfs(base, kernel, { marker: 'PVKIT-IT-PUSH', httpPort: 12368 });
    await vscode.workspace.getConfiguration('pantavisor').update(
      'qemu.profiles',
      // The default forwards: pvr 12368 and SSH 8222, each to a free port on 127.0.0.1.
      [{ name: NAME, kernel: kernel.vmlinuz, initrd, append: 'panic=-1 quiet', memory: 256 }],
      vscode.ConfigurationTarget.Global,
    );
    await until(
      () => (ctx.config.qemuProfiles.length === 1 ? true : undefined),
      'the profile setting to reach the extension',
    );

    checkout = await newCheckout(base, {
      'app/run.json': '{"name":"app","root-volume":"root.squashfs","type":"lxc"}',
      'app/root.squashfs': blob,
    });
  });

  suiteTeardown(async () => {
    if (manager) for (const n of manager.running()) await manager.stop(n);
    await vscode.workspace
      .getConfiguration('pantavisor')
      .update('qemu.profiles', undefined, vscode.ConfigurationTarget.Global);
    if (base) rmSync(base, { recursive: true, force: true });
  });

  test('the preview shows as ready in the Devices view, Push to QEMU Preview posts the checkout into the guest, Stop kills QEMU', async () => {
    await vscode.commands.executeCommand('pantavisor.qemu.start', NAME);
    const started = manager.info(NAME);
    assert.ok(started?.pid, `QEMU did not start: ${started?.error ?? ''}`);
    const pid = started.pid;

    // The Devices view lists the preview as a target, "starting…" until its endpoint answers.
    const view = (ctx as unknown as Record<symbol, DevicesTreeProvider | undefined>)[
      Symbol.for('pvkit.devices.view')
    ];
    assert.ok(view, 'the Devices view is not registered');
    const target = await until(
      () =>
        getDeviceTargets(ctx)
          .list()
          .find((t) => t.id === `qemu:${NAME}`),
      'the preview in the Devices view',
    );
    assert.equal(target.kind, 'qemu');
    const readyTarget = await until(
      () => view.getChildren().find((t) => t.id === `qemu:${NAME}` && t.ready),
      'the Devices view to show the preview ready',
      180_000,
    );
    assert.equal(manager.info(NAME)?.state, 'ready');
    assert.match(readyTarget.url, /^http:\/\/127\.0\.0\.1:\d+\/cgi-bin\/pvr$/);
    assert.equal(readyTarget.url, manager.info(NAME)?.pvrUrl);
    // Its inline actions: Push to QEMU Preview (when ready) and Stop.
    assert.match(view.getTreeItem(readyTarget).contextValue ?? '', /qemu ready/);

    const result = await vscode.commands.executeCommand<PostResult | undefined>('pantavisor.qemu.push', {
      name: NAME,
      checkout,
      message: 'pushed to the preview by the integration test',
    });
    assert.ok(result, 'the push returned no result (see the Pantavisor log)');
    assert.equal(result.rev, '1');
    assert.equal(result.uploaded, 1);
    assert.equal(result.trailId, 'qemu-preview-standin');

    // Read back through the forwarded port: the guest holds the committed state and the object.
    const pristine = JSON.parse(readFileSync(join(checkout, '.pvr/json'), 'utf8')) as Record<string, unknown>;
    assert.equal(pristine['app/root.squashfs'], sha256(blob));
    const state = await get(`${readyTarget.url}/json`);
    assert.equal(state.status, 200);
    assert.deepEqual(JSON.parse(state.body), pristine);
    assert.equal(result.stateSha, sha256(state.body.trimEnd()));
    const record = await get(`${readyTarget.url}/objects/${sha256(blob)}`);
    assert.equal(record.status, 200, record.body);
    assert.equal((JSON.parse(record.body) as { sha256sum?: string }).sha256sum, sha256(blob));

    // The Devices view shows the revision the preview now runs.
    await vscode.commands.executeCommand('pantavisor.devices.refresh');
    const item = view.getChildren().find((t) => t.id === `qemu:${NAME}`);
    assert.ok(item, 'the preview left the Devices view');
    const status = await until(
      () => view.statusOf(`qemu:${NAME}`),
      'the Devices view to fetch the preview status',
    );
    assert.ok('rev' in status, JSON.stringify(status));
    assert.equal(status.rev, '1');
    assert.equal(view.getTreeItem(item).description, 'revision 1');

    // Stop from the Devices view item (the argument a context menu passes).
    await vscode.commands.executeCommand('pantavisor.qemu.stop', item);
    assert.equal(manager.info(NAME)?.state, 'stopped');
    assert.deepEqual(processesWith(initrd), [], `a QEMU with ${initrd} is still running (pid ${pid})`);
    assert.equal(
      getDeviceTargets(ctx)
        .list()
        .some((t) => t.id === `qemu:${NAME}`),
      false,
      'a stopped preview is no push target',
    );
  });
});
