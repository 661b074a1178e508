import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../../src/cli/pvkit';
import {
  buildTestInitramfs,
  hasQemu,
  needsTestGuest,
  scratchDir,
  testKernel,
} from '../../../support/qemuGuest';

async function pvkit(argv: string[], cwd?: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    ...(cwd ? { cwd } : {}),
    signal: new AbortController().signal,
  });
  return { code, out, err };
}

const guest = needsTestGuest();

test(
  'pvkit preview: real headless boot, console on stdout, exit code from QEMU',
  { ...guest, timeout: 120_000 },
  async () => {
    const k = testKernel()!;
    const dir = scratchDir('pvkit-cli-preview-');
    const initrd = buildTestInitramfs(dir, k, { marker: 'PVKIT-CLI-MARKER', httpPort: 80, then: 'poweroff' });
    const r = await pvkit([
      'preview',
      '--kernel',
      k.vmlinuz,
      '--initrd',
      initrd,
      '--append',
      'panic=-1 quiet',
      '--accel',
      'tcg',
      '--forward',
      ':80',
      '--memory',
      '256',
    ]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /PVKIT-CLI-MARKER kernel=/);
    assert.match(r.out, /PVKIT-BYE/);
    assert.match(
      r.err,
      /pvkit preview: \$ qemu-system-x86_64 .*-accel tcg .*hostfwd=tcp:127\.0\.0\.1:\d+-:80/,
    );
    assert.match(r.err, /acceleration TCG: TCG requested/);
  },
);

test(
  "pvkit preview: QEMU failing on an extra argument gives QEMU's exit code and message",
  { timeout: 30_000, skip: !hasQemu() && 'qemu-system-x86 not installed' },
  async () => {
    const dir = scratchDir('pvkit-cli-preview-');
    const kernel = join(dir, 'vmlinuz');
    writeFileSync(kernel, Buffer.alloc(4096, 1));
    const r = await pvkit([
      'preview',
      '--kernel',
      kernel,
      '--accel',
      'tcg',
      '--forward',
      ':80',
      '--',
      '-no-such-qemu-option',
    ]);
    assert.equal(r.code, 1);
    assert.match(r.err, /-no-such-qemu-option/);
    assert.match(r.err, /QEMU exited with code 1/);
  },
);

test(
  'pvkit preview --timeout stops QEMU and exits with 124',
  { timeout: 30_000, skip: !hasQemu() && 'qemu-system-x86 not installed' },
  async () => {
    const dir = scratchDir('pvkit-cli-preview-');
    const kernel = join(dir, 'vmlinuz');
    writeFileSync(kernel, Buffer.alloc(4096, 1));
    // -S keeps the (fake) guest paused forever: only the timeout ends it.
    const r = await pvkit([
      'preview',
      '--kernel',
      kernel,
      '--accel',
      'tcg',
      '--forward',
      ':80',
      '--timeout',
      '1',
      '--',
      '-S',
    ]);
    assert.equal(r.code, 124, r.err);
    assert.match(r.err, /--timeout 1: stopping QEMU/);
    const pid = Number(/QEMU \(pid (\d+)\) exited/.exec(r.err)?.[1]);
    assert.ok(pid > 0, r.err);
    assert.throws(() => process.kill(pid, 0), 'QEMU still runs');
  },
);

test('pvkit preview --profile reads .vscode/settings.json (with comments); flags override it', async () => {
  const ws = scratchDir('pvkit-cli-ws-');
  mkdirSync(join(ws, '.vscode'));
  writeFileSync(
    join(ws, '.vscode/settings.json'),
    `{
  // profiles for the QEMU preview
  "pantavisor.qemu.profiles": [
    { "name": "dev", "image": "out/pv.img", "memory": 1024, },
  ],
}`,
  );
  const r = await pvkit(['preview', '--profile', 'dev', '--accel', 'tcg'], ws);
  assert.equal(r.code, 1);
  assert.match(r.err, new RegExp(`The disk image ${ws}/out/pv\\.img does not exist`));

  const missing = await pvkit(['preview', '--profile', 'prod'], ws);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /no profile "prod" .*\(there are: dev\)/);
});

const usage: { argv: string[]; canary: RegExp }[] = [
  { argv: ['preview'], canary: /"image" \(a disk image\) or "kernel"/ },
  {
    argv: ['preview', '--image', 'a.img', '--arch', 'mips'],
    canary: /arch: "arch" must be one of x86_64, aarch64, arm/,
  },
  {
    argv: ['preview', '--image', 'a.img', '--forward', '22:x'],
    canary: /--forward: "22:x" is not HOSTPORT:GUESTPORT/,
  },
  { argv: ['preview', '--image', 'a.img', '--memory', '1G'], canary: /--memory must be a whole number/ },
  { argv: ['preview', 'a.img'], canary: /unexpected argument "a\.img"/ },
];
for (const c of usage) {
  test(`pvkit ${c.argv.join(' ')}: usage error`, async () => {
    const r = await pvkit(c.argv);
    assert.equal(r.code, 2);
    assert.match(r.err, c.canary);
  });
}
