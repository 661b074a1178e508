import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGlob, globMatch, GlobError } from '../../../../src/core/signature/globMatch';

// Expected values follow doublestar v1 (used by pvr 037) semantics.
const cases: [pattern: string, name: string, expected: boolean][] = [
  ['**', 'bsp/run.json', true],
  ['**', '#spec', true],
  ['bsp/**', 'bsp/run.json', true],
  ['bsp/**', 'bsp/firmware/a/b.bin', true],
  ['bsp/**', 'bsp', false],
  ['bsp/**', 'bsp/', true],
  ['**', '', true],
  ['a/b/**', 'a/b/c/d', true],
  ['a/b/**', 'a/bc/d', false],
  ['a/b?/**', 'a/bc/d', true],
  ['bsp/**', 'bspx/run.json', false],
  ['bsp/**', '_config/bsp/x', false],
  ['**/src.json', 'src.json', true],
  ['**/src.json', 'app/src.json', true],
  ['**/src.json', 'a/b/src.json', true],
  ['**/src.json', 'a/src.jsonx', false],
  ['src.json', 'app/src.json', false],
  ['a/**/z', 'a/z', true],
  ['a/**/z', 'a/b/c/z', true],
  ['a/**/z', 'a/b/c/y', false],
  ['*', 'device.json', true],
  ['*', 'bsp/run.json', false],
  ['*.json', 'device.json', true],
  ['bsp/*.json', 'bsp/run.json', true],
  ['bsp/*.json', 'bsp/sub/run.json', false],
  ['a**b/x', 'aXYb/x', true],
  ['a?c', 'abc', true],
  ['a?c', 'ac', false],
  ['a?c', 'a/c', false],
  ['[ab]x', 'bx', true],
  ['[a-c]x', 'cx', true],
  ['[^a-c]x', 'cx', false],
  ['[^a-c]x', 'dx', true],
  ['{bsp,app}/run.json', 'app/run.json', true],
  ['{bsp,app}/run.json', 'web/run.json', false],
  ['x.{json,conf}', 'x.conf', true],
  ['\\*', '*', true],
  ['\\*', 'a', false],
  ['#spec', '#spec', true],
  ['_sigs/.json', '_sigs/.json', true],
  ['_sigs/.json', '_sigs/bsp.json', false],
  ['héllo/*', 'héllo/ü', true],
  ['a/😀?', 'a/😀x', true],
];

for (const [pattern, name, expected] of cases) {
  test(`globMatch(${JSON.stringify(pattern)}, ${JSON.stringify(name)}) = ${expected}`, () => {
    assert.equal(globMatch(pattern, name), expected);
  });
}

const bad = ['[abc', 'a{b,c', 'abc\\', '[]', '[a-]', '[-a]'];
for (const pattern of bad) {
  test(`malformed glob ${JSON.stringify(pattern)} is a clear error`, () => {
    assert.throws(() => checkGlob(pattern), GlobError);
    assert.throws(
      () => globMatch(pattern, 'abc'),
      (e: unknown) => e instanceof GlobError && e.message.includes(pattern),
    );
  });
}
