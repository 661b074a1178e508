import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARCH_INFO } from '../../../../src/core/qemu/buildQemuCommand';
import { parseProfile, type QemuArch } from '../../../../src/core/qemu/QemuProfile';
import { QemuPreview } from '../../../../src/platform/qemu/QemuPreview';
import { scratchDir, testKernel } from '../../../support/qemuGuest';

/**
 * Each profile kind's command line is started by the real QEMU of its architecture, paused (`-S`)
 * so nothing boots: QEMU rejects unknown options, wrong machine or CPU names and bad -drive or
 * -netdev syntax at start-up, so still running after a moment means the command line is accepted.
 */

const dir = scratchDir('pvkit-qemu-accept-');
const mbr = Buffer.alloc(1024 * 1024);
mbr[510] = 0x55;
mbr[511] = 0xaa;
const RAW = join(dir, 'disk.img');
writeFileSync(RAW, mbr);
const BLOB = join(dir, 'Image');
writeFileSync(BLOB, Buffer.alloc(64 * 1024, 0));
const QCOW2 = join(dir, 'disk.qcow2');
const hasQemuImg = spawnSync('qemu-img', ['create', '-q', '-f', 'qcow2', QCOW2, '16M']).status === 0;
const has = (arch: QemuArch): boolean => spawnSync(ARCH_INFO[arch].binary, ['--version']).status === 0;
const x86Kernel = testKernel()?.vmlinuz;

const cases: { name: string; arch: QemuArch; raw: Record<string, unknown>; skip?: string | false }[] = [
  { name: 'x86_64 raw disk with -snapshot', arch: 'x86_64', raw: { image: RAW } },
  {
    name: 'x86_64 qcow2 disk',
    arch: 'x86_64',
    raw: { image: QCOW2 },
    skip: !hasQemuImg && 'qemu-img missing',
  },
  {
    name: 'x86_64 kernel + initrd + append with a data disk',
    arch: 'x86_64',
    raw: { kernel: x86Kernel, initrd: BLOB, append: 'quiet', image: RAW },
    skip: !x86Kernel && 'test kernel missing (scripts/setup-test-env.sh)',
  },
  { name: 'aarch64 virt kernel boot', arch: 'aarch64', raw: { kernel: BLOB, initrd: BLOB, append: 'quiet' } },
  { name: 'arm virt kernel boot with a data disk', arch: 'arm', raw: { kernel: BLOB, image: RAW } },
  { name: 'extra arguments', arch: 'x86_64', raw: { image: RAW, extraArgs: ['-device', 'virtio-rng-pci'] } },
];

for (const c of cases) {
  const skip =
    c.skip ||
    (!has(c.arch) && `${ARCH_INFO[c.arch].binary} not installed (${ARCH_INFO[c.arch].debianPackage})`);
  test(`real QEMU accepts the command line: ${c.name}`, { skip, timeout: 30_000 }, async () => {
    const extra = (c.raw['extraArgs'] as string[] | undefined) ?? [];
    const r = parseProfile({
      name: 'accept',
      arch: c.arch,
      accel: 'tcg',
      ...c.raw,
      extraArgs: [...extra, '-S'],
    });
    assert.ok(r.profile, JSON.stringify(r.problems));
    const p = await QemuPreview.start(r.profile);
    let stderr = '';
    p.onStderr((t) => (stderr += t));
    const early = await Promise.race([
      p.exited,
      new Promise<undefined>((res) => setTimeout(() => res(undefined), 1500)),
    ]);
    assert.equal(early, undefined, `QEMU exited at once: ${stderr}\n${p.commandLine}`);
    const exit = await p.stop();
    assert.equal(exit.stopped, true);
  });
}
