// QEMU preview errors in real VS Code: each start that cannot work ends in a failed preview whose
// message says what to fix, written in red in the preview's terminal (and shown as an error
// message with "Open Settings"): a disk image that does not exist, a file that is not a disk
// image, a forwarded port that is taken, QEMU not installed (naming the Debian package), KVM
// required but unavailable, and a guest that powers off before its pvr endpoint answers (with the
// last console lines).
import * as assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../../src/vscode/ctx';
import { getPreviewManager, type PreviewManager } from '../../src/vscode/qemu/PreviewManager';
import { activatedCtx, until } from './util';
import { buildTestInitramfs, needsTestGuest, testKernel } from '../support/qemuGuest';

const ROOT = resolve(__dirname, '../../..');
const ENV_DIR = process.env['PVKIT_TEST_ENV_DIR'] ?? join(ROOT, '.test-env');

suite('QEMU preview errors', function () {
  this.timeout(180_000);
  let ctx: Ctx;
  let manager: PreviewManager;
  let base: string | undefined;
  let busy: Server | undefined;
  const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('pantavisor');

  suiteSetup(async function () {
    const skip = needsTestGuest(ENV_DIR);
    if (skip.skip) {
      console.log(`!!! QEMU preview error tests SKIPPED: ${skip.skip} (run scripts/setup-test-env.sh) !!!`);
      this.skip();
    }
    ctx = await activatedCtx();
    manager = getPreviewManager(ctx);
    base = mkdtempSync(join(tmpdir(), 'pvkit-it-qemu-errors-'));
    const kernel = testKernel(ENV_DIR)!;
    const notADisk = join(base, 'notes.img');
    writeFileSync(notADisk, 'these are notes, not a disk image\n'.repeat(40));
    // A guest that prints its marker and powers off: its pvr endpoint never answers.
    const early = buildTestInitramfs(base, kernel, {
      marker: 'PVKIT-IT-EARLY',
      httpPort: 80,
      then: 'poweroff',
    });
    // A port another program holds, named explicitly by a profile: it cannot be moved.
    busy = createServer();
    await new Promise<void>((r) => busy!.listen(0, '127.0.0.1', r));
    const busyPort = (busy.address() as { port: number }).port;
    await config().update(
      'qemu.profiles',
      [
        { name: 'it-port', kernel: kernel.vmlinuz, forwards: [`${busyPort}:12368`] },
        { name: 'it-kvm', kernel: kernel.vmlinuz, accel: 'kvm' },
        { name: 'it-no-image', image: join(base, 'missing.img') },
        { name: 'it-not-a-disk', image: notADisk },
        { name: 'it-early', kernel: kernel.vmlinuz, initrd: early, append: 'panic=-1 quiet', accel: 'tcg' },
      ],
      vscode.ConfigurationTarget.Global,
    );
    await until(
      () => ctx.config.qemuProfiles.length === 5 || undefined,
      'the profiles to reach the extension',
      120_000,
    );
  });

  suiteTeardown(async () => {
    if (manager) for (const n of manager.running()) await manager.stop(n);
    await config().update('qemu.profiles', undefined, vscode.ConfigurationTarget.Global);
    await config().update('qemu.path', undefined, vscode.ConfigurationTarget.Global);
    for (const t of vscode.window.terminals) if (t.name.startsWith('QEMU: it-')) t.dispose();
    busy?.close();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  const cases: { name: string; canary: RegExp }[] = [
    { name: 'it-no-image', canary: /missing\.img does not exist.*pantavisor\.qemu\.profiles/ },
    { name: 'it-not-a-disk', canary: /notes\.img is not a disk image/ },
    {
      name: 'it-port',
      canary: /Host port 127\.0\.0\.1:\d+ \(forwarded to guest port 12368\) cannot be bound: it is in use/,
    },
  ];
  for (const c of cases) {
    test(`${c.name}: the start fails with what to fix, in red in the terminal`, async () => {
      const r = await vscode.commands.executeCommand('pantavisor.qemu.start', c.name);
      assert.equal(r, undefined);
      const info = manager.info(c.name);
      assert.equal(info?.state, 'failed');
      assert.match(info.error ?? '', c.canary);
      assert.equal(info.pid, undefined);
      assert.ok(manager.transcript(c.name).includes('\x1b[31m'), 'the error is not in red');
      assert.match(manager.transcript(c.name), c.canary);
    });
  }

  test('QEMU not installed: the error names the Debian package and the setting', async () => {
    await config().update('qemu.path', join(base!, 'no-qemu-here'), vscode.ConfigurationTarget.Global);
    await until(
      () => ctx.config.qemuPath.endsWith('no-qemu-here') || undefined,
      'the qemu.path setting to reach the extension',
      120_000,
    );
    try {
      await vscode.commands.executeCommand('pantavisor.qemu.start', 'it-early');
      const info = manager.info('it-early');
      assert.equal(info?.state, 'failed');
      assert.match(info.error ?? '', /is not installed\. Install the Debian package qemu-system-x86/);
      assert.match(info.error ?? '', /"pantavisor\.qemu\.path"/);
    } finally {
      await config().update('qemu.path', undefined, vscode.ConfigurationTarget.Global);
      await until(
        () => ctx.config.qemuPath === '' || undefined,
        'the qemu.path setting to be cleared',
        120_000,
      );
    }
  });

  test('KVM required but unavailable: the error says to use "auto" or "tcg"', async () => {
    // A stand-in QEMU that aborts the way QEMU does on a host whose KVM is broken (the KVM probe
    // tries it); KVM may well work on the machine running this test.
    const fake = join(base!, 'qemu-kvm-broken');
    writeFileSync(
      fake,
      '#!/bin/sh\necho "qemu: error: failed to set MSR 0x10a to 0x69" >&2\nkill -ABRT $$\n',
    );
    chmodSync(fake, 0o755);
    await config().update('qemu.path', fake, vscode.ConfigurationTarget.Global);
    await until(
      () => ctx.config.qemuPath === fake || undefined,
      'the qemu.path setting to reach the extension',
      120_000,
    );
    try {
      await vscode.commands.executeCommand('pantavisor.qemu.start', 'it-kvm');
      const info = manager.info('it-kvm');
      assert.equal(info?.state, 'failed');
      assert.match(
        info.error ?? '',
        /KVM is unavailable: .*Set "accel" to "auto" or "tcg" in profile "it-kvm"/,
      );
    } finally {
      await config().update('qemu.path', undefined, vscode.ConfigurationTarget.Global);
      await until(
        () => ctx.config.qemuPath === '' || undefined,
        'the qemu.path setting to be cleared',
        120_000,
      );
    }
  });

  test('a guest that exits before its pvr endpoint answers: failed, with the last console lines', async () => {
    await vscode.commands.executeCommand('pantavisor.qemu.start', 'it-early');
    const pid = manager.info('it-early')?.pid;
    assert.ok(pid, manager.info('it-early')?.error);
    await until(() => manager.info('it-early')?.state === 'failed' || undefined, 'the early exit', 120_000);
    const error = manager.info('it-early')?.error ?? '';
    assert.match(error, /QEMU exited with code 0 before the guest's pvr endpoint answered/);
    assert.match(error, /Last console lines:[\s\S]*PVKIT-IT-EARLY[\s\S]*PVKIT-BYE/);
    assert.ok(manager.transcript('it-early').includes('\x1b[31mQEMU exited with code 0'));
  });
});
