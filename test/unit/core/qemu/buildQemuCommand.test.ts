import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildQemuCommand,
  kernelCommandLine,
  type ResolvedLaunch,
} from '../../../../src/core/qemu/buildQemuCommand';
import { parseProfile, type QemuProfile } from '../../../../src/core/qemu/QemuProfile';

function profile(raw: Record<string, unknown>): QemuProfile {
  const r = parseProfile({ name: 'p', ...raw });
  assert.ok(r.profile, JSON.stringify(r.problems));
  return r.profile;
}

const PORTS: ResolvedLaunch['ports'] = [
  { guest: 12368, host: 12368, name: 'pvr' },
  { guest: 8222, host: 8222, name: 'ssh' },
];

/** Returns the value following `flag` in args (all occurrences). */
function values(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1] ?? ''] : []));
}

interface Case {
  name: string;
  raw: Record<string, unknown>;
  launch?: Partial<ResolvedLaunch>;
  binary: string;
  /** Flag -> expected values, in order. */
  expect: Record<string, string[]>;
  /** Flags that must not appear. */
  absent?: string[];
  /** Exact tail of the argument list. */
  tail?: string[];
}

const cases: Case[] = [
  {
    name: 'raw disk image, opened with -snapshot by default',
    raw: { image: '/img/pv.img', format: 'raw' },
    binary: 'qemu-system-x86_64',
    expect: {
      '-drive': ['file=/img/pv.img,format=raw,if=virtio'],
      '-machine': ['q35'],
      '-accel': ['tcg'],
      '-m': ['512'],
      '-smp': ['1'],
      '-netdev': ['user,id=net0,hostfwd=tcp:127.0.0.1:12368-:12368,hostfwd=tcp:127.0.0.1:8222-:8222'],
      '-device': ['virtio-net-pci,netdev=net0,romfile='],
      '-serial': ['chardev:console'],
      '-chardev': ['stdio,id=console,signal=off'],
    },
    absent: ['-kernel', '-bios', '-cpu'],
  },
  {
    name: 'qcow2 image detected by the launcher; snapshot off keeps -snapshot away',
    raw: { image: '/img/pv.qcow2', snapshot: false },
    launch: { format: 'qcow2' },
    binary: 'qemu-system-x86_64',
    expect: { '-drive': ['file=/img/pv.qcow2,format=qcow2,if=virtio'] },
    absent: ['-snapshot'],
  },
  {
    name: 'a comma in the image path is doubled for QEMU option syntax',
    raw: { image: '/img/a,b.img' },
    binary: 'qemu-system-x86_64',
    expect: { '-drive': ['file=/img/a,,b.img,format=raw,if=virtio'] },
  },
  {
    name: 'kernel + initrd + append gets a serial console',
    raw: { kernel: '/k/vmlinuz', initrd: '/k/initrd.img', append: 'quiet panic=-1' },
    binary: 'qemu-system-x86_64',
    expect: {
      '-kernel': ['/k/vmlinuz'],
      '-initrd': ['/k/initrd.img'],
      '-append': ['console=ttyS0 quiet panic=-1'],
    },
    absent: ['-drive', '-snapshot'],
  },
  {
    name: 'kernel with a data disk and an explicit console',
    raw: { kernel: '/k/vmlinuz', image: '/d/data.img', append: 'console=hvc0' },
    binary: 'qemu-system-x86_64',
    expect: { '-append': ['console=hvc0'], '-drive': ['file=/d/data.img,format=raw,if=virtio'] },
  },
  {
    name: 'aarch64 virt with cortex-a57 under TCG and UEFI firmware for a disk',
    raw: { arch: 'aarch64', image: '/img/arm64.img', memory: 2048, cpus: 2 },
    launch: { firmwarePath: '/usr/share/qemu-efi-aarch64/QEMU_EFI.fd' },
    binary: 'qemu-system-aarch64',
    expect: {
      '-machine': ['virt'],
      '-cpu': ['cortex-a57'],
      '-bios': ['/usr/share/qemu-efi-aarch64/QEMU_EFI.fd'],
      '-m': ['2048'],
      '-smp': ['2'],
    },
  },
  {
    name: 'arm (32-bit) kernel boot uses ttyAMA0 and cortex-a15',
    raw: { arch: 'arm', kernel: '/k/zImage', initrd: '/k/initrd' },
    binary: 'qemu-system-arm',
    expect: { '-machine': ['virt'], '-cpu': ['cortex-a15'], '-append': ['console=ttyAMA0'], '-m': ['1024'] },
    absent: ['-bios'],
  },
  {
    name: 'x86_64 with OVMF firmware',
    raw: { image: '/img/uefi.img', firmware: 'uefi' },
    launch: { firmwarePath: '/usr/share/ovmf/OVMF.fd' },
    binary: 'qemu-system-x86_64',
    expect: { '-bios': ['/usr/share/ovmf/OVMF.fd'] },
  },
  {
    name: 'KVM uses -cpu host (the CPU the probe tried)',
    raw: { image: '/img/pv.img' },
    launch: { accel: 'kvm' },
    binary: 'qemu-system-x86_64',
    expect: { '-accel': ['kvm'], '-cpu': ['host'] },
  },
  {
    name: 'extra arguments come last, unchanged',
    raw: { image: '/img/pv.img', extraArgs: ['-device', 'virtio-rng-pci', '-no-reboot'] },
    binary: 'qemu-system-x86_64',
    expect: {},
    tail: ['-device', 'virtio-rng-pci', '-no-reboot'],
  },
  {
    name: 'taken ports: the launcher chose other host ports; forwards bind 127.0.0.1 only',
    raw: { image: '/img/pv.img', forwards: ['2222:22', ':12368'] },
    launch: {
      ports: [
        { guest: 22, host: 2222 },
        { guest: 12368, host: 40001 },
      ],
    },
    binary: 'qemu-system-x86_64',
    expect: { '-netdev': ['user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=tcp:127.0.0.1:40001-:12368'] },
  },
  {
    name: 'the qemu.path setting replaces the binary',
    raw: { image: '/img/pv.img' },
    launch: { binary: '/opt/qemu/bin/qemu-system-x86_64' },
    binary: '/opt/qemu/bin/qemu-system-x86_64',
    expect: {},
  },
];

for (const c of cases) {
  test(`buildQemuCommand: ${c.name}`, () => {
    const launch: ResolvedLaunch = { ports: PORTS, accel: 'tcg', ...c.launch };
    const cmd = buildQemuCommand(profile(c.raw), launch);
    assert.equal(cmd.binary, c.binary);
    for (const [flag, want] of Object.entries(c.expect)) assert.deepEqual(values(cmd.args, flag), want, flag);
    for (const flag of c.absent ?? []) assert.ok(!cmd.args.includes(flag), `${flag} must be absent`);
    if (c.tail) assert.deepEqual(cmd.args.slice(-c.tail.length), c.tail);
    // Invariants of every command line: no display, no monitor, no forward on all interfaces.
    assert.deepEqual(values(cmd.args, '-display'), ['none']);
    assert.deepEqual(values(cmd.args, '-monitor'), ['none']);
    assert.ok(!cmd.args.some((a) => /hostfwd=tcp::|hostfwd=tcp:0\.0\.0\.0/.test(a)));
    if (c.raw['image'] && c.raw['snapshot'] !== false) assert.ok(cmd.args.includes('-snapshot'));
  });
}

test('kernelCommandLine keeps an existing console= and adds one otherwise', () => {
  assert.equal(kernelCommandLine(undefined, 'x86_64'), 'console=ttyS0');
  assert.equal(kernelCommandLine('  ', 'aarch64'), 'console=ttyAMA0');
  assert.equal(kernelCommandLine('root=/dev/vda console=tty0', 'x86_64'), 'root=/dev/vda console=tty0');
  assert.equal(kernelCommandLine('xconsole=1', 'arm'), 'console=ttyAMA0 xconsole=1');
});
