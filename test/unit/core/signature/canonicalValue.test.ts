import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalFromNode,
  canonicalNumber,
  canonicalString,
  compareCodePoints,
} from '../../../../src/core/signature/canonicalValue';
import { parseJson } from '../../../../src/core/parse/parseJson';

// Examples from shared/docs/pvr-repo.md §4.1.
const numbers: [string, string][] = [
  ['0', '0'],
  ['-0', '0'],
  ['0.000', '0'],
  ['1.0', '1'],
  ['100e-2', '1'],
  ['1200e-2', '12'],
  ['2.5e+3', '2500'],
  ['-12.5e3', '-12500'],
  ['1.5', '1.5E0'],
  ['0.1', '1.0E-1'],
  ['12345e-3', '1.2345E1'],
  ['-0.000125', '-1.25E-4'],
  ['4.9e-324', '4.9E-324'],
  ['3.14159265358979323846', '3.14159265358979323846E0'],
  ['123456789012345678901234567890.5', '1.234567890123456789012345678905E29'],
  ['12345678901234567890', '12345678901234567890'],
  ['1e3', '1000'],
];
for (const [lit, want] of numbers) {
  test(`canonicalNumber(${lit}) = ${want}`, () => assert.equal(canonicalNumber(lit), want));
}

const strings: [string, string][] = [
  ['a"b\\c', '"a\\"b\\\\c"'],
  ['\n\t\r\b\f', '"\\n\\t\\r\\b\\f"'],
  ['\u0001\u001f', '"\\u0001\\u001F"'],
  ['</>&\u2028\u007f', '"</>&\u2028\u007f"'],
  ['é😀', '"é😀"'],
];
for (const [s, want] of strings) {
  test(`canonicalString(${JSON.stringify(s)})`, () => assert.equal(canonicalString(s), want));
}

test('keys sort by code point, not UTF-16 unit', () => {
  // U+FF5E (BMP, above the surrogates) sorts before U+1F600 in code point order.
  const keys = ['😀', '～', 'a', 'Z'];
  assert.deepEqual([...keys].sort(compareCodePoints), ['Z', 'a', '～', '😀']);
  assert.notDeepEqual([...keys].sort(), ['Z', 'a', '～', '😀']);
});

test('canonicalFromNode reorders, strips whitespace and keeps number text exact', () => {
  const text = '{ "b": [1.50, true, null], "a": {"y": "x", "x": 12345678901234567890} }';
  const root = parseJson(text).root;
  assert.ok(root);
  assert.equal(
    canonicalFromNode(root, text),
    '{"a":{"x":12345678901234567890,"y":"x"},"b":[1.5E0,true,null]}',
  );
});
