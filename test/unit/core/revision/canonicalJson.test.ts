import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalJson,
  canonicalNumberText,
  compareKeys,
  goFloatText,
  goJson,
  indentJson,
  parseGoJson,
} from '../../../../src/core/revision/canonicalJson';

// Examples from pvr-repo.md §4.1.
const NUMBERS: [string, string][] = [
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
  ['-0', '0'],
  ['0e10', '0'],
  ['1e3', '1000'],
];
for (const [lit, want] of NUMBERS) {
  test(`canonical number ${lit} -> ${want}`, () => assert.equal(canonicalNumberText(lit), want));
}
test('canonical number keeps huge integers whole', () => {
  assert.equal(canonicalNumberText('1e400'), `1${'0'.repeat(400)}`);
});

// Go's float64 text (§4.3).
const FLOATS: [number, string][] = [
  [0.000001, '0.000001'],
  [1e20, '100000000000000000000'],
  [Number('12345678901234567890'), '12345678901234567000'],
  [1e21, '1e+21'],
  [1.2345678901234568e29, '1.2345678901234568e+29'],
  [1e-7, '1e-7'],
  [5e-324, '5e-324'],
  [-0, '-0'],
  [0, '0'],
];
for (const [x, want] of FLOATS) test(`go float ${want}`, () => assert.equal(goFloatText(x), want));

// Go decoder messages (§1.3).
const ERRORS: [string, string][] = [
  ['', 'EOF'],
  [' \n\t', 'EOF'],
  ['{"a":1', 'unexpected EOF'],
  ['{"a":tru}', "invalid character '}' in literal true (expecting 'e')"],
  ["{'a':1}", "invalid character '\\'' looking for beginning of object key string"],
  ['{"a" 1}', "invalid character '1' after object key"],
  ['{"a":1 "b":2}', "invalid character '\"' after object key:value pair"],
  ['[1 2]', "invalid character '2' after array element"],
  ['[1,]', "invalid character ']' looking for beginning of value"],
  ['"\t"', "invalid character '\\t' in string literal"],
  ['"\\x"', "invalid character 'x' in string escape code"],
  ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
  ['-a', "invalid character 'a' in numeric literal"],
  ['1.x', "invalid character 'x' after decimal point in numeric literal"],
  ['1ex', "invalid character 'x' in exponent of numeric literal"],
  ['nul', 'unexpected EOF'],
  ['\u0001', "invalid character '\\x01' looking for beginning of value"],
];
for (const [input, msg] of ERRORS) {
  test(`decoder error for ${JSON.stringify(input)}`, () =>
    assert.throws(() => parseGoJson(input), { message: msg }));
}
test('a UTF-8 BOM is an error naming byte 0xEF as a Latin-1 character', () => {
  assert.throws(() => parseGoJson(Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d])), {
    message: "invalid character 'ï' looking for beginning of value",
  });
});

const ACCEPTED: [string, string][] = [
  ['{"a":1} junk', '{"a":1}'],
  ['{"a":1}{"b":2}', '{"a":1}'],
  ['1 2', '1'],
  ['01', '0'],
  ['{"a":1,"a":2}', '{"a":2}'],
  ['"\\ud83d\\ude00"', '"\u{1F600}"'],
  ['"\\ud800x"', '"\ufffdx"'],
  ['{"b":1,"a":[true,false,null],"__proto__":{}}', '{"__proto__":{},"a":[true,false,null],"b":1}'],
];
for (const [input, want] of ACCEPTED) {
  test(`decoder accepts ${JSON.stringify(input)}`, () =>
    assert.equal(canonicalJson(parseGoJson(input)), want));
}
test('invalid UTF-8 bytes each become U+FFFD', () => {
  const v = parseGoJson(Buffer.from([0x22, 0xe2, 0x82, 0x41, 0xff, 0x22]));
  assert.equal(v, '\ufffd\ufffdA\ufffd');
});

test('canonical strings: minimal escapes, upper-case hex, raw HTML and U+2028', () => {
  assert.equal(
    canonicalJson('a"\\\b\t\n\f\r\u001f\u007f</>&\u2028'),
    '"a\\"\\\\\\b\\t\\n\\f\\r\\u001F\u007f</>&\u2028"',
  );
});
test('Go strings: HTML-safe, lower-case hex', () => {
  assert.equal(goJson('<&>\u0008\u000c\u2028'), '"\\u003c\\u0026\\u003e\\u0008\\u000c\\u2028"');
});
test('keys sort by UTF-8 bytes, not UTF-16 units', () => {
  assert.ok(compareKeys('\u{10000}', '\uffff') > 0);
  assert.equal(canonicalJson(parseGoJson('{"\u{10000}":1,"\uffff":2}')), '{"\uffff":2,"\u{10000}":1}');
});
test('indentation matches Go json.Indent', () => {
  assert.equal(
    indentJson('{"a":[],"b":{},"c":[1,{"d":"x:,{"}]}', '\t'),
    '{\n\t"a": [],\n\t"b": {},\n\t"c": [\n\t\t1,\n\t\t{\n\t\t\t"d": "x:,{"\n\t\t}\n\t]\n}',
  );
});
