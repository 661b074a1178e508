// QEMU preview in real VS Code: the start command boots Debian's cloud kernel with a busybox
// initramfs under TCG, the serial console appears in a terminal, input typed into the terminal
// reaches the guest, the guest learns the terminal's size (also after a resize), the forwarded port
// answers from 127.0.0.1, and Stop / closing the terminal leave no QEMU behind.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';
import { activatedCtx } from './util';
import type { Ctx } from '../../src/vscode/ctx';
import { parseProfile } from '../../src/core/qemu/QemuProfile';
import { getPreviewManager, PreviewManager, type PreviewInfo } from '../../src/vscode/qemu/PreviewManager';
import { buildTestInitramfs, needsTestGuest, testKernel } from '../support/qemuGuest';

const NAME = 'it-boot';
// This file is bundled to <root>/out/test/integration/qemu.test.js (as util.ts's ROOT says).
const ROOT = resolve(__dirname, '../../..');
const ENV_DIR = process.env['PVKIT_TEST_ENV_DIR'] ?? join(ROOT, '.test-env');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `pred` every 100 ms until it holds; the failure says what was awaited and what was seen. */
async function until(pred: () => boolean, what: string, seen: () => string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; seen:\n${seen()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const req = request(url, { timeout: 5000 }, (r) => {
      let body = '';
      r.on('data', (d: Buffer) => (body += d.toString()));
      r.on('end', () => res({ status: r.statusCode ?? 0, body }));
    });
    req.on('error', rej);
    req.end();
  });
}

suite('QEMU preview', function () {
  this.timeout(240_000);
  let manager: PreviewManager;
  let ctx: Ctx;
  let scratch: string | undefined;

  suiteSetup(async function () {
    const skip = needsTestGuest(ENV_DIR);
    if (skip.skip) {
      console.log(
        `!!! QEMU preview integration test SKIPPED: ${skip.skip} (run scripts/setup-test-env.sh) !!!`,
      );
      this.skip();
    }
    ctx = await activatedCtx();
    manager = getPreviewManager(ctx);

    const kernel = testKernel(ENV_DIR)!;
    scratch = mkdtempSync(join(tmpdir(), 'pvkit-it-qemu-'));
    const initrd = buildTestInitramfs(scratch, kernel, {
      marker: 'PVKIT-IT-MARKER',
      httpPort: 12368,
    });
    const profile = {
      name: NAME,
      kernel: kernel.vmlinuz,
      initrd,
      append: 'panic=-1 quiet',
      memory: 256,
      accel: 'auto',
    };
    await vscode.workspace
      .getConfiguration('pantavisor')
      .update('qemu.profiles', [profile], vscode.ConfigurationTarget.Global);
    await until(
      () => ctx.config.qemuProfiles.length === 1,
      'the profile setting to reach the extension',
      () => JSON.stringify(ctx.config.qemuProfiles),
    );
  });

  suiteTeardown(async () => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    if (!manager) return;
    for (const n of manager.running()) await manager.stop(n);
    await vscode.workspace
      .getConfiguration('pantavisor')
      .update('qemu.profiles', undefined, vscode.ConfigurationTarget.Global);
  });

  test('Start: console in a terminal, input to the guest, its size, ready on the forwarded pvr port, Stop kills QEMU', async () => {
    const events: PreviewInfo[][] = [];
    const sub = manager.onDidChangePreviews((list) => events.push([...list]));
    try {
      await vscode.commands.executeCommand('pantavisor.qemu.start', NAME);
      const info = manager.info(NAME);
      assert.ok(info, 'no preview after the start command');
      assert.ok(info.pid, `QEMU did not start: ${info.error ?? ''}`);
      const pid = info.pid;
      assert.match(info.commandLine ?? '', /-kernel .*hostfwd=tcp:127\.0\.0\.1:\d+-:12368/);

      const terminal = vscode.window.terminals.find((t) => t.name === `QEMU: ${NAME}`);
      assert.ok(terminal, 'no "QEMU: it-boot" terminal');
      const transcript = (): string => manager.transcript(NAME);
      await until(
        () => transcript().includes('PVKIT-IT-MARKER kernel='),
        'the marker in the terminal',
        transcript,
      );
      // The terminal received the colour escape and CRLF line ends.
      assert.ok(transcript().includes('\x1b[32mPVKIT-IT-MARKER kernel='));

      terminal.sendText('typed in vscode');
      await until(
        () => transcript().includes('PVKIT-ECHO: typed in vscode'),
        'the guest echoing terminal input',
        transcript,
      );

      // Resizing: the guest asks the terminal for its size over the serial line (what `resize`
      // does); VS Code's terminal answers through the Pseudoterminal's input, with the size it
      // gave the Pseudoterminal.
      const sized = /PVKIT-SIZE: (\d+) (\d+)/;
      terminal.sendText('pvkit-size');
      await until(() => sized.test(transcript()), 'the guest to learn the terminal size', transcript);
      const [, rows, cols] = sized.exec(transcript())!;
      const dims = manager.terminalDimensions(NAME);
      assert.ok(dims, 'VS Code gave the terminal no dimensions');
      assert.deepEqual([Number(rows), Number(cols)], [dims.rows, dims.columns]);
      // After the panel grows, VS Code calls setDimensions and the guest learns the new size.
      await vscode.commands.executeCommand('workbench.action.toggleMaximizedPanel');
      try {
        await until(
          () => manager.terminalDimensions(NAME)!.rows > dims.rows,
          'the terminal to grow',
          () => JSON.stringify(manager.terminalDimensions(NAME)),
          20_000,
        );
        const grown = manager.terminalDimensions(NAME)!;
        const before = transcript().length;
        terminal.sendText('pvkit-size');
        const after = (): string => transcript().slice(before);
        await until(() => sized.test(after()), 'the guest to learn the new size', after);
        const [, rows2, cols2] = sized.exec(after())!;
        assert.deepEqual([Number(rows2), Number(cols2)], [grown.rows, grown.columns]);
      } finally {
        await vscode.commands.executeCommand('workbench.action.toggleMaximizedPanel');
      }

      await until(
        () => manager.info(NAME)?.ready === true,
        'readiness',
        () => JSON.stringify(manager.info(NAME)),
      );
      const ready = manager.info(NAME)!;
      assert.match(ready.pvrUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+\/cgi-bin\/pvr$/);
      assert.ok(
        events.some((l) => l.some((p) => p.name === NAME && p.ready)),
        'onDidChangePreviews never said ready',
      );
      const pvrPort = ready.ports.find((p) => p.guest === 12368)!.host;
      const home = await httpGet(`http://127.0.0.1:${pvrPort}/`);
      assert.equal(home.status, 200);
      assert.match(home.body, /hello-from-guest PVKIT-IT-MARKER/);

      await vscode.commands.executeCommand('pantavisor.qemu.stop', NAME);
      assert.equal(manager.info(NAME)?.state, 'stopped');
      assert.equal(alive(pid), false, `QEMU pid ${pid} still runs after Stop`);
    } finally {
      sub.dispose();
    }
  });

  test('Restart boots again; closing the terminal kills QEMU', async () => {
    const transcript = (): string => manager.transcript(NAME);
    const markers = (): number => transcript().split('PVKIT-IT-MARKER kernel=').length - 1;
    const before = markers();
    await vscode.commands.executeCommand('pantavisor.qemu.restart', NAME);
    const pid = manager.info(NAME)?.pid;
    assert.ok(pid, `no QEMU after restart: ${manager.info(NAME)?.error ?? ''}`);
    await until(() => markers() > before, 'the marker after restart', transcript);

    const terminal = vscode.window.terminals.find((t) => t.name === `QEMU: ${NAME}`);
    assert.ok(terminal);
    terminal.dispose();
    await until(
      () => !alive(pid),
      `QEMU pid ${pid} to end after its terminal closed`,
      () => JSON.stringify(manager.info(NAME)),
    );
  });

  test('disposing the manager (what deactivate does) kills its QEMU', async () => {
    // A second manager, so the extension's own one stays usable for other suites.
    const own = new PreviewManager({ qemuPath: () => '', cwd: () => undefined });
    const kernel = testKernel(ENV_DIR)!;
    const { profile } = parseProfile({
      name: 'it-dispose',
      kernel: kernel.vmlinuz,
      accel: 'tcg',
      forwards: [],
    });
    const info = await own.start(profile!);
    assert.ok(info.pid);
    own.dispose();
    await until(
      () => !alive(info.pid!),
      `QEMU pid ${info.pid} to end on dispose`,
      () => '',
    );
    await until(
      () => !vscode.window.terminals.some((t) => t.name === 'QEMU: it-dispose'),
      'the terminal to close on dispose',
      () => vscode.window.terminals.map((t) => t.name).join(', '),
      10_000,
    );
  });
});
