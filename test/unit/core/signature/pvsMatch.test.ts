import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goPathJoin, matchForAdd, sigKeyFor } from '../../../../src/core/signature/pvsMatch';
import { formatSummary, mergeSummaries } from '../../../../src/core/signature/lsSummary';
import { selectKeys } from '../../../../src/core/signature/payload';

test('sig add --part builds the globs pvr wrote into the corpus awconnect signature', () => {
  assert.deepEqual(matchForAdd({ part: 'awconnect' }), {
    name: 'awconnect',
    match: {
      include: ['awconnect/**', '_config/awconnect/**'],
      exclude: ['awconnect/src.json', '_sigs/awconnect.json'],
    },
  });
});

test('sig add --part --noconfig and custom globs', () => {
  assert.deepEqual(matchForAdd({ part: 'nginx', noconfig: true }).match, {
    include: ['nginx/**'],
    exclude: ['nginx/src.json', '_sigs/nginx.json'],
  });
  assert.deepEqual(matchForAdd({ part: 'p', include: ['./x/', 'y'], exclude: ['z'] }).match, {
    include: ['p/x', 'p/y', '_config/p/**'],
    exclude: ['p/z', '_sigs/p.json'],
  });
});

test("sig add --raw keeps globs verbatim and adds pvr's literal _sigs/.json exclude", () => {
  // Same globs as the real bsp signature in Pantavisor's test state.
  assert.deepEqual(
    matchForAdd({
      raw: 'bsp',
      include: ['bsp/**', '#spec', 'device.json'],
      exclude: ['bsp/build.json', 'bsp/src.json', '_sigs/bsp.json'],
    }).match,
    {
      include: ['bsp/**', '#spec', 'device.json'],
      exclude: ['bsp/build.json', 'bsp/src.json', '_sigs/bsp.json', '_sigs/.json'],
    },
  );
  assert.deepEqual(matchForAdd({ raw: 'all' }).match, {
    include: ['**'],
    exclude: ['src.json', '_sigs/.json'],
  });
});

test('sig add usage errors', () => {
  assert.throws(() => matchForAdd({}), /no part nor raw/);
  assert.throws(() => matchForAdd({ part: 'a', raw: 'b' }), /same time/);
});

test('goPathJoin and sigKeyFor', () => {
  assert.equal(goPathJoin('a', 'b/'), 'a/b');
  assert.equal(goPathJoin('_sigs', '.json'), '_sigs/.json');
  assert.equal(sigKeyFor('bsp'), '_sigs/bsp.json');
  assert.equal(sigKeyFor('other/x.json'), 'other/x.json');
});

test('selectKeys splits keys as pvr does: exclude wins, unmatched includes reported', () => {
  const keys = ['#spec', 'a/run.json', 'a/src.json', 'b/run.json', '_sigs/a.json'];
  const s = selectKeys(keys, ['a/**', 'c/**'], ['a/src.json', '_sigs/a.json']);
  assert.deepEqual(s.protected, ['a/run.json']);
  assert.deepEqual(s.excluded, ['_sigs/a.json', 'a/src.json']);
  assert.deepEqual(s.notSeen, ['#spec', 'b/run.json']);
  assert.deepEqual(s.unmatchedIncludes, ['c/**']);
});

test('sig ls summary merges and prints like pvr (MarshalIndent, omitempty)', () => {
  const merged = mergeSummaries([
    {
      protected: ['a/x', 'a/y'],
      excluded: ['a/src.json', 'b/x'],
      notSeen: ['c', 'b/y'],
      sigs: [{ protected: 'P1', signature: 'S1' }],
    },
    {
      protected: ['b/x'],
      excluded: ['a/x'],
      notSeen: ['c', 'a/src.json'],
      sigs: [{ protected: 'P2', signature: 'S2' }],
    },
  ]);
  assert.deepEqual(merged.protected, ['a/x', 'a/y', 'b/x']);
  assert.deepEqual(merged.excluded, ['a/src.json']);
  assert.deepEqual(merged.notSeen, ['b/y', 'c']);
  assert.equal(
    formatSummary(merged, false),
    '{\n    "protected": [\n        "a/x",\n        "a/y",\n        "b/x"\n    ],\n    "excluded": [\n        "a/src.json"\n    ],\n    "notseen": [\n        "b/y",\n        "c"\n    ]\n}\n',
  );
  assert.ok(formatSummary(merged, true).includes('"sigs": [\n        {\n            "protected": "P1",'));
  assert.equal(formatSummary(mergeSummaries([]), false), '{}\n');
});
