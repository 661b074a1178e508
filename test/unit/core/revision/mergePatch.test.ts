import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalJson,
  goJson,
  parseGoJson,
  type JsonObject,
} from '../../../../src/core/revision/canonicalJson';
import { applyMergePatch, createMergePatch, toDoubles } from '../../../../src/core/revision/mergePatch';
import { exportPartMatches, getPartMatches } from '../../../../src/core/revision/partFilter';
import { goGlobMatch } from '../../../../src/core/revision/goGlob';

const obj = (s: string): JsonObject => toDoubles(parseGoJson(s)) as JsonObject;

const PATCHES: [string, string, string, string][] = [
  ['equal numbers as doubles', '{"a":1}', '{"a":1.0e0}', '{}'],
  ['big integers compare as doubles', '{"a":9007199254740993}', '{"a":9007199254740992}', '{}'],
  ['nested change', '{"a":{"x":1,"y":2}}', '{"a":{"x":1,"y":3}}', '{"a":{"y":3}}'],
  ['removed key is null', '{"a":1,"b":2}', '{"a":1}', '{"b":null}'],
  ['arrays replaced whole', '{"a":[1,2]}', '{"a":[1,3]}', '{"a":[1,3]}'],
  ['null never equals null in an array', '{"a":[null]}', '{"a":[null]}', '{"a":[null]}'],
  ['null members of objects are equal', '{"a":{"b":null}}', '{"a":{"b":null}}', '{}'],
  ['type change', '{"a":"1"}', '{"a":1}', '{"a":1}'],
];
for (const [name, from, to, want] of PATCHES) {
  test(`merge patch: ${name}`, () => assert.equal(goJson(createMergePatch(obj(from), obj(to))), want));
}

test('apply prunes nulls from patch values and keeps untouched pristine text', () => {
  const pristine = parseGoJson('{"keep":1.50,"a":{"x":1,"y":2},"gone":1}') as JsonObject;
  const patch = obj('{"a":{"y":null,"z":{"n":null,"m":[1,null]}},"gone":null,"new":12345678901234567890}');
  assert.equal(
    canonicalJson(applyMergePatch(pristine, patch)),
    '{"a":{"x":1,"z":{"m":[1]}},"keep":1.5E0,"new":12345678901234567000}',
  );
});

test('a number outside the double range fails as pvr does', () => {
  assert.throws(() => toDoubles(parseGoJson('{"a":1e400}')), { message: 'Invalid JSON Document' });
});

const EXPORT: [string, string[], boolean][] = [
  ['app/x', ['app'], true],
  ['app2/x', ['app'], false],
  ['app', ['app'], true],
  ['#spec', ['bsp'], true],
  ['anything', [], true],
  ['app/x', ['app/'], true],
];
for (const [key, parts, want] of EXPORT) {
  test(`export parts ${parts.join(',')} ${want ? 'keeps' : 'drops'} ${key}`, () =>
    assert.equal(exportPartMatches(key, parts), want));
}
const GET: [string, string[], boolean][] = [
  ['app2/x', ['app'], true],
  ['apple.json', ['app'], true],
  ['app2/x', ['app/'], false],
  ['#spec', ['app'], false],
  ['#spec', ['-bsp'], true],
  ['bsp2/x', ['-bsp'], false],
];
for (const [key, parts, want] of GET) {
  test(`get parts ${parts.join(',')} ${want ? 'keeps' : 'drops'} ${key}`, () =>
    assert.equal(getPartMatches(key, parts), want));
}

const GLOBS: [string, string, boolean | 'error'][] = [
  ['/r/*.json', '/r/a.json', true],
  ['/r/*.json', '/r/d/a.json', false],
  ['/r/**', '/r/d/a', false],
  ['/r/q?.txt', '/r/qX.txt', true],
  ['/r/[a-c].txt', '/r/b.txt', true],
  ['/r/[^a-c].txt', '/r/b.txt', false],
  ['/r/star\\*.txt', '/r/star*.txt', true],
  ['/r/a-b(1).txt', '/r/a-b(1).txt', true],
  ['/r/[', '/r/[', 'error'],
  ['/r/\\', '/r/x', 'error'],
];
for (const [pattern, name, want] of GLOBS) {
  test(`glob ${pattern} vs ${name}`, () => {
    if (want === 'error')
      assert.throws(() => goGlobMatch(pattern, name), { message: 'syntax error in pattern' });
    else assert.equal(goGlobMatch(pattern, name), want);
  });
}
