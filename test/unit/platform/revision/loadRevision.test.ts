import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  discoverTargets,
  findCheckoutRoot,
  kindFromPath,
  loadCheckout,
} from '../../../../src/platform/revision/loadRevision';
import { createPantavisorService } from '../../../../src/core/service';

function makeCheckout(containers: number, objectsPer: number): string {
  const root = mkdtempSync(join(tmpdir(), 'pvkit-co-'));
  mkdirSync(join(root, '.pvr'));
  writeFileSync(join(root, '.pvr/json'), '{"#spec":"pantavisor-service-system@1"}');
  for (let i = 0; i < containers; i++) {
    const d = join(root, `c${i}`);
    mkdirSync(d);
    writeFileSync(
      join(d, 'run.json'),
      JSON.stringify({
        name: `c${i}`,
        'root-volume': 'root.squashfs',
        config: 'lxc.container.conf',
        group: 'app',
      }),
    );
    writeFileSync(join(d, 'root.squashfs'), 'x');
    writeFileSync(join(d, 'lxc.container.conf'), 'lxc.tty.max = 8\n');
    for (let j = 0; j < objectsPer; j++) writeFileSync(join(d, `f${j}.bin`), String(j));
  }
  return root;
}

test('a checkout with thousands of files loads and validates', async () => {
  const root = makeCheckout(100, 30);
  const co = await loadCheckout(root);
  assert.equal(co.files.length, 100 * 33);
  const diags = createPantavisorService().validateCheckout(root, co.files, co.pristine);
  assert.deepEqual(
    diags.filter((d) => d.severity === 'error'),
    [],
  );
});

test('the walk skips .pvr, .pv and .git; symlinks are listed, not followed into', async () => {
  const root = makeCheckout(1, 0);
  mkdirSync(join(root, '.pv'));
  writeFileSync(join(root, '.pv/x.json'), '{');
  mkdirSync(join(root, '.git'));
  writeFileSync(join(root, '.git/config'), '');
  symlinkSync('/etc', join(root, 'c0/etc-link'));
  const co = await loadCheckout(root);
  const keys = co.files.map((f) => f.key).sort();
  assert.deepEqual(keys, ['c0/etc-link', 'c0/lxc.container.conf', 'c0/root.squashfs', 'c0/run.json']);
});

test('findCheckoutRoot walks up; discoverTargets finds checkouts below a folder', async () => {
  const root = makeCheckout(1, 0);
  assert.equal(findCheckoutRoot(join(root, 'c0', 'run.json')), root);
  const parent = join(root, '..');
  const targets = await discoverTargets([join(root, 'c0', 'run.json')]);
  assert.deepEqual(targets, [{ type: 'checkout', root, only: [join(root, 'c0', 'run.json')] }]);
  assert.ok((await discoverTargets([parent])).some((t) => t.type === 'checkout' && t.root === root));
});

const kinds: [string, string][] = [
  ['/x/web/run.json', 'run'],
  ['/x/bsp/run.json', 'bsp-run'],
  ['/x/_sigs/web.json', 'signature'],
  ['/x/web/_dm/root.squashfs.json', 'dm'],
  ['/x/device.json', 'device'],
  ['/x/state.json', 'state'],
  ['/x/.pvr/json', 'state'],
];
for (const [p, k] of kinds) test(`kindFromPath(${p}) = ${k}`, () => assert.equal(kindFromPath(p), k));
