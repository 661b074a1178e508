import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { parseProfile } from '../../../../src/core/qemu/QemuProfile';
import { QemuPreview } from '../../../../src/platform/qemu/QemuPreview';
import { buildTestInitramfs, needsTestGuest, scratchDir, testKernel } from '../../../support/qemuGuest';

/**
 * Real boots under QEMU (TCG where KVM does not work): Debian's cloud kernel with an initramfs
 * built from busybox-static. These take a few seconds each.
 */

const guest = needsTestGuest();
const TIMEOUT = 120_000;

function get(url: string): Promise<{ status: number; body: string }> {
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

function waitFor(pred: () => boolean, what: string, ms = 90_000): Promise<void> {
  const t0 = Date.now();
  return new Promise((res, rej) => {
    const tick = (): void => {
      if (pred()) res();
      else if (Date.now() - t0 > ms) rej(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 100);
    };
    tick();
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test(
  'real boot: marker on the console, HTTP through the forwarded port, input, stop leaves no QEMU',
  { ...guest, timeout: TIMEOUT },
  async () => {
    const k = testKernel()!;
    const dir = scratchDir('pvkit-boot-');
    const initrd = buildTestInitramfs(dir, k, { marker: 'PVKIT-MARKER-1', httpPort: 12368 });
    const { profile } = parseProfile({
      name: 'boot-test',
      kernel: k.vmlinuz,
      initrd,
      append: 'panic=-1 quiet',
      memory: 256,
      // The default forwards: pvr 12368 and SSH 8222, moved to free ports when taken.
    });
    const logs: string[] = [];
    const logger = { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m) };
    const t0 = Date.now();
    const p = await QemuPreview.start(profile!, { logger, readyPollMs: 250 });
    let consoleText = '';
    let firstByte = 0;
    p.onConsole((d) => {
      if (!firstByte) firstByte = Date.now() - t0;
      consoleText += d.toString();
    });
    try {
      assert.ok(p.pid);
      assert.ok(
        logs.some((l) => l.startsWith('$ ') && l.includes('-kernel') && l.includes('hostfwd=tcp:127.0.0.1:')),
      );
      assert.ok(
        logs.some((l) => /acceleration (TCG|KVM): /.test(l)),
        logs.join('\n'),
      );
      assert.ok(p.pvrUrl?.startsWith('http://127.0.0.1:'));

      // The whole marker line: the output may arrive in several chunks.
      const afterMarker = (): string => consoleText.split('PVKIT-MARKER-1 kernel=')[1] ?? '';
      await waitFor(() => afterMarker().includes('\n'), 'the marker line');
      // Colours pass through untouched.
      assert.ok(consoleText.includes('\x1b[32mPVKIT-MARKER-1 kernel='), 'the colour escape is kept');
      assert.ok(afterMarker().split('\n')[0]!.includes('\x1b[0m'), 'the colour reset is kept');
      const tMarker = Date.now() - t0;

      await waitFor(() => p.ready, 'readiness of the pvr endpoint');
      const pvr = p.ports.find((f) => f.guest === 12368)!;
      const home = await get(`http://127.0.0.1:${pvr.host}/`);
      assert.equal(home.status, 200);
      assert.match(home.body, /hello-from-guest PVKIT-MARKER-1/);
      const cgi = await get(p.pvrUrl!);
      assert.match(cgi.body, /"stand-in":"pvr endpoint of the pvkit QEMU test guest"/);

      p.write('ping from host\r');
      await waitFor(() => consoleText.includes('PVKIT-ECHO: ping from host'), 'the echoed input');

      // Resizing: busybox resize in the guest asks the terminal for its size (ESC[6n after moving
      // the cursor to 999;999); answered as a terminal would, the guest's tty takes that size.
      let asked = false;
      p.onConsole(() => {
        if (!asked && consoleText.includes('\x1b[6n')) {
          asked = true;
          p.write('\x1b[40;100R');
        }
      });
      p.write('pvkit-size\r');
      await waitFor(() => consoleText.includes('PVKIT-SIZE: 40 100'), 'the guest to take the terminal size');
      process.stderr.write(
        `boot: first console byte ${firstByte} ms, marker ${tMarker} ms, ready ${Date.now() - t0} ms (${p.accel})\n`,
      );
    } finally {
      const pid = p.pid!;
      const exit = await p.stop();
      assert.equal(exit.stopped, true);
      assert.equal(exit.error, undefined);
      assert.equal(alive(pid), false, `QEMU pid ${pid} is still running`);
    }
  },
);

test(
  'real boot: a guest that powers off before its pvr endpoint answers is an early exit with the console tail',
  { ...guest, timeout: TIMEOUT },
  async () => {
    const k = testKernel()!;
    const dir = scratchDir('pvkit-boot-');
    const initrd = buildTestInitramfs(dir, k, { marker: 'PVKIT-MARKER-2', httpPort: 80, then: 'poweroff' });
    const { profile } = parseProfile({
      name: 'early',
      kernel: k.vmlinuz,
      initrd,
      append: 'panic=-1 quiet',
      memory: 256,
      accel: 'tcg',
    });
    const p = await QemuPreview.start(profile!);
    const exit = await p.exited;
    assert.equal(exit.stopped, false);
    assert.equal(exit.error?.kind, 'early-exit');
    assert.match(exit.error.message, /before the guest's pvr endpoint answered/);
    assert.match(exit.error.message, /Last console lines:[\s\S]*PVKIT-BYE/);
    assert.equal(alive(p.pid!), false);
  },
);
