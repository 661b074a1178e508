import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseProfile, type QemuProfile } from '../../../../src/core/qemu/QemuProfile';
import { allocatePorts } from '../../../../src/platform/qemu/allocatePorts';
import { inspectDiskImage } from '../../../../src/platform/qemu/inspectDiskImage';
import { PreviewError, type PreviewErrorKind } from '../../../../src/platform/qemu/PreviewError';
import { probeKvm } from '../../../../src/platform/qemu/probeKvm';
import { scratchDir } from '../../../support/qemuGuest';
import { QemuPreview } from '../../../../src/platform/qemu/QemuPreview';

const dir = scratchDir('pvkit-qemu-unit-');
const file = (name: string, data: string | Buffer): string => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};

const mbr = Buffer.alloc(1024 * 1024);
mbr[510] = 0x55;
mbr[511] = 0xaa;
const RAW = file('disk.img', mbr);
const KERNEL = file('vmlinuz', Buffer.alloc(4096, 1));

function profile(raw: Record<string, unknown>): QemuProfile {
  const r = parseProfile({ name: 't', accel: 'tcg', forwards: [], ...raw });
  assert.ok(r.profile, JSON.stringify(r.problems));
  return r.profile;
}

async function rejectsWith(p: Promise<unknown>, kind: PreviewErrorKind, canary: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof PreviewError, String(e));
    assert.equal(e.kind, kind, e.message);
    assert.match(e.message, canary);
    return true;
  });
}

function listen(port = 0): Promise<Server & { port: number }> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(port, '127.0.0.1', () => {
      const a = s.address();
      res(Object.assign(s, { port: typeof a === 'object' && a ? a.port : 0 }));
    });
  });
}

const hasQemuImg = spawnSync('qemu-img', ['--version']).status === 0;

test(
  'inspectDiskImage: qcow2 by magic (made by the real qemu-img)',
  { skip: !hasQemuImg && 'qemu-utils not installed' },
  async () => {
    const q = join(dir, 'disk.qcow2');
    assert.equal(spawnSync('qemu-img', ['create', '-q', '-f', 'qcow2', q, '16M']).status, 0);
    assert.equal(await inspectDiskImage(q), 'qcow2');
    await rejectsWith(
      inspectDiskImage(q, 'raw'),
      'not-a-disk-image',
      /qcow2 image but the profile says "format": "raw"/,
    );
  },
);

test('inspectDiskImage: raw with a partition table; sector-sized binary data', async () => {
  assert.equal(await inspectDiskImage(RAW), 'raw');
  assert.equal(await inspectDiskImage(file('blank.img', Buffer.alloc(4096, 0xaa))), 'raw');
});

const notDisks: { name: string; data: string | Buffer; canary: RegExp }[] = [
  { name: 'text', data: 'this is a README, not a disk\n', canary: /not a disk image.*looks like text/ },
  { name: 'empty', data: '', canary: /not a disk image/ },
  { name: 'gzip', data: gzipSync(mbr), canary: /gzip-compressed.*gunzip -k/ },
  {
    name: 'xz',
    data: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2]),
    canary: /xz-compressed.*xz -dk/,
  },
  {
    name: 'odd size binary',
    data: Buffer.alloc(1000, 0x90),
    canary: /no partition table or filesystem, 1000 bytes/,
  },
];
for (const c of notDisks) {
  test(`inspectDiskImage refuses ${c.name}`, async () => {
    await rejectsWith(inspectDiskImage(file(`${c.name}.img`, c.data)), 'not-a-disk-image', c.canary);
  });
}

test('start: an image that does not exist names the setting and the flag', async () => {
  await rejectsWith(
    QemuPreview.start(profile({ image: join(dir, 'nope.img') })),
    'image-missing',
    /nope\.img does not exist.*pantavisor\.qemu\.profiles.*--image/,
  );
});

test('start: a missing initrd is named', async () => {
  await rejectsWith(
    QemuPreview.start(profile({ kernel: KERNEL, initrd: 'missing-initrd.img' }), { cwd: dir }),
    'file-missing',
    /initrd .*missing-initrd\.img does not exist/,
  );
});

const missingQemu: { arch: string; pkg: string }[] = [
  { arch: 'x86_64', pkg: 'qemu-system-x86' },
  { arch: 'aarch64', pkg: 'qemu-system-arm' },
  { arch: 'arm', pkg: 'qemu-system-arm' },
];
for (const c of missingQemu) {
  test(`start: QEMU not installed for ${c.arch} names the Debian package ${c.pkg}`, async () => {
    await rejectsWith(
      QemuPreview.start(profile({ arch: c.arch, kernel: KERNEL }), { qemuPath: join(dir, 'no-such-qemu') }),
      'qemu-not-found',
      new RegExp(`Install the Debian package ${c.pkg} .*pantavisor\\.qemu\\.path`),
    );
  });
}

test('start: a firmware file that does not exist', async () => {
  await rejectsWith(
    QemuPreview.start(profile({ image: RAW, firmware: join(dir, 'OVMF.fd') })),
    'firmware-missing',
    /OVMF\.fd does not exist.*"firmware"/,
  );
});

test(
  'start: an aarch64 disk needs UEFI; without qemu-efi-aarch64 the package is named',
  {
    skip: existsSync('/usr/share/qemu-efi-aarch64/QEMU_EFI.fd') && 'qemu-efi-aarch64 is installed here',
  },
  async () => {
    await rejectsWith(
      QemuPreview.start(profile({ arch: 'aarch64', image: RAW })),
      'firmware-missing',
      /qemu-efi-aarch64/,
    );
  },
);

test('allocatePorts: a taken default port moves to a free one; an explicit taken port is an error', async () => {
  const busy = await listen();
  try {
    const [auto] = await allocatePorts([{ guest: busy.port, name: 'pvr' }]);
    assert.ok(auto);
    assert.equal(auto.guest, busy.port);
    assert.notEqual(auto.host, busy.port);
    assert.equal(auto.name, 'pvr');
    // The chosen port is really free on 127.0.0.1.
    (await listen(auto.host)).close();

    await rejectsWith(
      allocatePorts([{ guest: 22, host: busy.port }]),
      'port-in-use',
      new RegExp(`127\\.0\\.0\\.1:${busy.port}.*in use`),
    );
    await rejectsWith(
      QemuPreview.start(profile({ kernel: KERNEL, forwards: [`${busy.port}:12368`] })),
      'port-in-use',
      /cannot be bound/,
    );
  } finally {
    busy.close();
  }
});

test('allocatePorts: an explicit port is not given away to an automatic forward', async () => {
  const free = await listen();
  const port = free.port;
  free.close();
  const r = await allocatePorts([{ guest: port }, { guest: 22, host: port }]);
  assert.equal(r[1]?.host, port);
  assert.notEqual(r[0]?.host, port);
});

test(
  'probeKvm: an aarch64 guest cannot use KVM on this host',
  { skip: process.arch === 'arm64' && 'arm64 host' },
  async () => {
    const r = await probeKvm('qemu-system-aarch64', 'aarch64');
    assert.equal(r.usable, false);
    assert.match(r.reason, /cannot run aarch64 guests/);
  },
);

test('KVM unavailable: a QEMU that aborts under KVM is detected; accel "kvm" is refused with the fix', async () => {
  // A stand-in QEMU that fails the way QEMU does on a host with broken KVM (see test-environment.md §3).
  const fake = join(dir, 'qemu-aborts');
  writeFileSync(fake, '#!/bin/sh\necho "qemu: error: failed to set MSR 0x10a to 0x69" >&2\nkill -ABRT $$\n');
  chmodSync(fake, 0o755);
  const r = await probeKvm(fake, 'x86_64');
  assert.equal(r.usable, false);
  await rejectsWith(
    QemuPreview.start(profile({ kernel: KERNEL, accel: 'kvm' }), { qemuPath: fake }),
    'kvm-unavailable',
    /KVM is unavailable: .*Set "accel" to "auto" or "tcg".*--accel tcg/,
  );
});

test(
  'a port taken between allocation and QEMU start is reported as port-in-use',
  { skip: spawnSync('qemu-system-x86_64', ['--version']).status !== 0 && 'qemu-system-x86 not installed' },
  async () => {
    const busy = await listen();
    try {
      // QEMU itself fails to bind the busy port (as when another program takes it in between).
      const extra = ['-netdev', `user,id=late,hostfwd=tcp:127.0.0.1:${busy.port}-:22`];
      const p = await QemuPreview.start(profile({ image: RAW, extraArgs: extra }));
      const exit = await p.exited;
      assert.equal(exit.error?.kind, 'port-in-use', exit.error?.message);
      assert.match(exit.error.message, /could not bind a forwarded port on 127\.0\.0\.1/);
    } finally {
      busy.close();
    }
  },
);

test('probeKvm does not remember a binary that could not start', async (t) => {
  const path = join(dir, 'qemu-installed-later');
  const first = await probeKvm(path, 'x86_64');
  assert.equal(first.usable, false);
  if (!/could not start/.test(first.reason)) {
    t.skip(`the probe never started the binary here: ${first.reason}`);
    return;
  }
  writeFileSync(path, '#!/bin/sh\necho "installed now" >&2\nexit 3\n');
  chmodSync(path, 0o755);
  const second = await probeKvm(path, 'x86_64');
  assert.match(second.reason, /KVM probe exited \(code 3\): installed now/);
});

test(
  'QEMU ends when the process that started it is killed outright (SIGKILL: no exit hook runs)',
  {
    timeout: 60_000,
    skip: spawnSync('qemu-system-x86_64', ['--version']).status !== 0 && 'qemu-system-x86 not installed',
  },
  async () => {
    // A Node process starts a paused QEMU (-S: the fake kernel never runs) and prints its pid.
    const code = `
      const { parseProfile } = require(${JSON.stringify(join(__dirname, '../../../../src/core/qemu/QemuProfile.ts'))});
      const { QemuPreview } = require(${JSON.stringify(join(__dirname, '../../../../src/platform/qemu/QemuPreview.ts'))});
      const { profile } = parseProfile({ name: 'orphan', kernel: ${JSON.stringify(KERNEL)}, accel: 'tcg', forwards: [], extraArgs: ['-S'] });
      QemuPreview.start(profile).then((p) => console.log('QEMU-PID ' + p.pid));
      setInterval(() => undefined, 1000);
    `;
    const parent = spawn(process.execPath, ['--import', 'tsx', '-e', code], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    parent.stdout.on('data', (d: Buffer) => (out += d.toString()));
    parent.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!/QEMU-PID (\d+)/.test(out)) {
      if (Date.now() > deadline || parent.exitCode !== null) throw new Error(`no QEMU started:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const pid = Number(/QEMU-PID (\d+)/.exec(out)![1]);
    const alive = (): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    assert.ok(alive(), 'QEMU is not running');
    parent.kill('SIGKILL');
    const gone = Date.now() + 10_000;
    while (alive() && Date.now() < gone) await new Promise((r) => setTimeout(r, 100));
    const left = alive();
    if (left) process.kill(pid, 'SIGKILL');
    assert.equal(left, false, `QEMU pid ${pid} outlived the process that started it`);
  },
);
