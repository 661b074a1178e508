import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseForward, parseProfile } from '../../../../src/core/qemu/QemuProfile';
import { ConsoleTail } from '../../../../src/core/qemu/ConsoleTail';
import { CrlfMapper } from '../../../../src/core/qemu/CrlfMapper';

test('parseProfile: defaults for a minimal disk profile', () => {
  const r = parseProfile({ name: 'dev', image: 'pv.img' });
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.profile, {
    name: 'dev',
    arch: 'x86_64',
    image: 'pv.img',
    snapshot: true,
    firmware: 'auto',
    memoryMb: 512,
    cpus: 1,
    accel: 'auto',
    forwards: [
      { guest: 12368, name: 'pvr' },
      { guest: 8222, name: 'ssh' },
    ],
    extraArgs: [],
  });
});

const bad: { name: string; raw: unknown; field: string; canary: string }[] = [
  { name: 'not an object', raw: 'x', field: '', canary: 'must be an object' },
  { name: 'neither image nor kernel', raw: { name: 'a' }, field: 'image', canary: '"image"' },
  {
    name: 'initrd without kernel',
    raw: { image: 'a', initrd: 'i' },
    field: 'initrd',
    canary: 'need "kernel"',
  },
  { name: 'unknown arch', raw: { image: 'a', arch: 'mips' }, field: 'arch', canary: 'x86_64, aarch64, arm' },
  { name: 'bad accel', raw: { image: 'a', accel: 'hvf' }, field: 'accel', canary: 'auto, kvm, tcg' },
  { name: 'bad format', raw: { image: 'a', format: 'vmdk' }, field: 'format', canary: 'raw or qcow2' },
  { name: 'memory not an integer', raw: { image: 'a', memory: '1G' }, field: 'memory', canary: 'integer' },
  {
    name: 'bad forward string',
    raw: { image: 'a', forwards: ['x:y'] },
    field: 'forwards[0]',
    canary: 'HOSTPORT:GUESTPORT',
  },
  {
    name: 'port out of range',
    raw: { image: 'a', forwards: [{ guest: 70000 }] },
    field: 'forwards[0]',
    canary: 'guest',
  },
  {
    name: 'guest port twice',
    raw: { image: 'a', forwards: ['1:22', '2:22'] },
    field: 'forwards',
    canary: 'twice',
  },
  {
    name: 'extraArgs as one string',
    raw: { image: 'a', extraArgs: '-s -S' },
    field: 'extraArgs',
    canary: 'array of strings',
  },
];

for (const c of bad) {
  test(`parseProfile rejects: ${c.name}`, () => {
    const r = parseProfile(c.raw);
    assert.equal(r.profile, undefined);
    const p = r.problems.find((x) => x.field === c.field);
    assert.ok(p, `no problem on ${c.field}: ${JSON.stringify(r.problems)}`);
    assert.equal(p.severity, 'error');
    assert.ok(p.message.includes(c.canary), p.message);
  });
}

test('parseProfile: an unknown key is a warning and the profile stays usable', () => {
  const r = parseProfile({ image: 'a', memmory: 64 });
  assert.ok(r.profile);
  assert.deepEqual(r.problems, [
    { field: 'memmory', message: 'unknown property "memmory"', severity: 'warning' },
  ]);
});

test('parseForward forms', () => {
  assert.deepEqual(parseForward('2222:22'), { guest: 22, host: 2222 });
  assert.deepEqual(parseForward(':12368'), { guest: 12368 });
  assert.deepEqual(parseForward('8222'), { guest: 8222 });
  assert.match(parseForward('0:22') as string, /host port 0/);
  assert.match(parseForward('a:b') as string, /not HOSTPORT:GUESTPORT/);
});

test('CrlfMapper maps lone LF, keeps CRLF, and works across chunks', () => {
  const m = new CrlfMapper();
  assert.equal(m.map('a\nb\r\nc'), 'a\r\nb\r\nc');
  assert.equal(m.map('x\r'), 'x\r');
  assert.equal(m.map('\ny\n'), '\ny\r\n');
  assert.equal(m.map('\x1b[32mgreen\x1b[0m\n'), '\x1b[32mgreen\x1b[0m\r\n');
});

test('ConsoleTail keeps the last lines without escape sequences', () => {
  const t = new ConsoleTail(3);
  t.push('one\r\ntwo\n\x1b[31mthree\x1b[0m\nfo');
  t.push('ur\nfive');
  assert.equal(t.text(), 'three\nfour\nfive');
  // OVMF's private-mode sequences (`ESC [ = 3 h`) go too.
  t.push('\n\x1b[=3h\x1b[2J\x1b[01;01HBdsDxe: failed\r\n');
  assert.equal(t.text(), 'four\nfive\nBdsDxe: failed');
});
