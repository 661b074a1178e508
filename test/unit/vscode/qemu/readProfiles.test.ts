import { test } from 'node:test';
import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { nameOf, readProfiles } from '../../../../src/vscode/qemu/readProfiles';

test('readProfiles substitutes ${workspaceFolder} and ${userHome} in paths and arguments', () => {
  const r = readProfiles(
    [
      {
        name: 'dev',
        image: '${workspaceFolder}/out/pv.img',
        firmware: '${userHome}/fw/OVMF.fd',
        extraArgs: ['-drive', 'file=${workspaceFolder}/data.img,if=virtio'],
      },
    ],
    '/ws',
  );
  assert.deepEqual(r.problems, []);
  assert.equal(r.profiles[0]?.image, '/ws/out/pv.img');
  assert.equal(r.profiles[0]?.firmware, `${homedir()}/fw/OVMF.fd`);
  assert.deepEqual(r.profiles[0]?.extraArgs, ['-drive', 'file=/ws/data.img,if=virtio']);
});

test('readProfiles names the setting, index, profile and field of each problem; duplicates are refused', () => {
  const r = readProfiles(
    [{ name: 'a', image: 'x.img', memmory: 1 }, { name: 'b' }, { name: 'a', kernel: 'k' }, 42],
    undefined,
  );
  assert.deepEqual(
    r.profiles.map((p) => p.name),
    ['a'],
  );
  assert.deepEqual(
    r.problems.map((p) => [p.severity, p.message]),
    [
      ['warning', 'pantavisor.qemu.profiles[0] ("a").memmory: unknown property "memmory"'],
      [
        'error',
        'pantavisor.qemu.profiles[1].image: a profile needs "image" (a disk image) or "kernel" (with "initrd")',
      ],
      ['error', 'pantavisor.qemu.profiles[2] ("a"): the name "a" is used twice; names must be unique'],
      ['error', 'pantavisor.qemu.profiles[3]: a profile must be an object'],
    ],
  );
});

test('nameOf takes a profile name, an object with a name, or a Devices view item', () => {
  assert.equal(nameOf('dev'), 'dev');
  assert.equal(nameOf({ name: 'dev', ready: true }), 'dev');
  assert.equal(nameOf({ label: 'dev' }), undefined);
  assert.equal(nameOf({ id: 'qemu:dev', kind: 'qemu', label: 'QEMU preview dev' }), 'dev');
  assert.equal(nameOf({ id: 'local', kind: 'local' }), undefined);
  assert.equal(nameOf(undefined), undefined);
  assert.equal(nameOf(null), undefined);
});
