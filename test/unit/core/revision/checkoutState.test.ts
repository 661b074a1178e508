import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkoutState, containersOf, type CheckoutFacts } from '../../../../src/core/revision/checkoutState';

const sigs = (over: Partial<NonNullable<CheckoutFacts['signatures']>> = {}): CheckoutFacts['signatures'] => ({
  count: 1,
  uncovered: [],
  broken: [],
  trustConfigured: false,
  ...over,
});

const CASES: { name: string; facts: CheckoutFacts; kind: string; text: string; unsigned?: string[] }[] = [
  {
    name: 'nothing changed, signatures not checked yet',
    facts: { changed: 0, untracked: 0 },
    kind: 'clean',
    text: 'clean',
  },
  { name: 'a changed file', facts: { changed: 1, untracked: 0 }, kind: 'modified', text: 'modified (1)' },
  {
    name: 'only untracked files (a conversion report): not part of the revision',
    facts: { changed: 0, untracked: 2 },
    kind: 'clean',
    text: 'clean',
  },
  {
    name: 'no _sigs and no trusted keys: signing is not in use',
    facts: { changed: 0, untracked: 0, signatures: sigs({ count: 0 }) },
    kind: 'clean',
    text: 'clean',
  },
  {
    name: 'no _sigs but trusted keys configured',
    facts: { changed: 0, untracked: 0, signatures: sigs({ count: 0, trustConfigured: true }) },
    kind: 'unsigned',
    text: 'unsigned',
  },
  {
    name: 'signatures in use, one container not covered',
    facts: {
      changed: 0,
      untracked: 0,
      signatures: sigs({ uncovered: ['web/run.json', 'web/root.squashfs', 'bsp/kernel.img', 'device.json'] }),
    },
    kind: 'unsigned',
    text: 'unsigned',
    unsigned: ['web'],
  },
  {
    name: 'signatures in use, only non-container files uncovered',
    facts: { changed: 0, untracked: 0, signatures: sigs({ uncovered: ['device.json', '_config/web/x'] }) },
    kind: 'clean',
    text: 'clean',
  },
  {
    name: 'a stale signature',
    facts: { changed: 0, untracked: 0, signatures: sigs({ broken: ['bsp'] }) },
    kind: 'unsigned',
    text: 'unsigned',
  },
  {
    name: 'modified wins over unsigned',
    facts: { changed: 3, untracked: 0, signatures: sigs({ broken: ['bsp'] }) },
    kind: 'modified',
    text: 'modified (3)',
  },
];

for (const c of CASES) {
  test(`checkoutState: ${c.name}`, () => {
    const s = checkoutState(c.facts);
    assert.deepEqual([s.kind, s.text], [c.kind, c.text]);
    assert.deepEqual(s.unsignedContainers, c.unsigned ?? []);
    assert.ok(s.details.length >= 2, 'the tooltip says both the changes and the signatures');
  });
}

test('containersOf leaves out bsp and the _ folders', () => {
  assert.deepEqual(
    containersOf(['b/run.json', 'a/x', 'bsp/run.json', '_sigs/a.json', '_dm/x', 'device.json']),
    ['a', 'b'],
  );
});
