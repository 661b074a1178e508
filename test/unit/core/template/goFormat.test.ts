import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goJson, goJsonString, goLower, goPrettyJson, goQuote } from '../../../../src/core/template/goFormat';
import {
  compareGoStrings,
  goText,
  toGoValue,
  truthy,
  JsonNumber,
} from '../../../../src/core/template/goValue';

const g = (v: unknown) => toGoValue(v);

test('goText prints like Go templates (pvr-template.md §2.4)', () => {
  const cases: [unknown, string][] = [
    [['lxc.a = 1', 'lxc.b = 2'], '[lxc.a = 1 lxc.b = 2]'],
    [{ b: 1, a: 'x' }, 'map[a:x b:1]'],
    [[null, 1, true, { k: null }], '[<nil> 1 true map[k:<nil>]]'],
    [{ z: [], a: {} }, 'map[a:map[] z:[]]'],
    [null, '<no value>'],
    [false, 'false'],
  ];
  for (const [v, text] of cases) assert.equal(goText(g(v)), text, JSON.stringify(v));
  assert.equal(goText(undefined), '<no value>');
  assert.equal(goText(new JsonNumber('4.0')), '4.0');
});

test('truthy: numbers (even 0) and "false" are true; empty things are false', () => {
  const cases: [unknown, boolean][] = [
    [0, true],
    ['0', true],
    ['false', true],
    [false, false],
    ['', false],
    [[], false],
    [{}, false],
    [null, false],
    [[0], true],
  ];
  for (const [v, t] of cases) assert.equal(truthy(g(v)), t, JSON.stringify(v));
  assert.equal(truthy(undefined), false);
});

test('compareGoStrings orders by UTF-8 bytes, not UTF-16 units', () => {
  const keys = [
    '/データ',
    '/zeta',
    '/données',
    '/data',
    '/😀',
    '/\uffff',
    'lxc-overlay',
    '/etc/dropbear',
    '/etc-volume',
    '/A',
    '/a',
  ];
  assert.deepEqual([...keys].sort(compareGoStrings), [
    '/A',
    '/a',
    '/data',
    '/donn\u00e9es',
    '/etc-volume',
    '/etc/dropbear',
    '/zeta',
    '/データ',
    '/\uffff',
    '/😀',
    'lxc-overlay',
  ]);
});

test('goJsonString escapes like encoding/json of Go 1.20', () => {
  const cases: [string, string][] = [
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['\n\r\t', '"\\n\\r\\t"'],
    ['\b\f\u0001', '"\\u0008\\u000c\\u0001"'],
    ['<>&', '"\\u003c\\u003e\\u0026"'],
    ['\u2028\u2029', '"\\u2028\\u2029"'],
    ['/\u007f\u00a0😀', '"/\u007f\u00a0😀"'],
    // Go's decoder has already made a lone surrogate U+FFFD; that is what gets written.
    ['\ud800x\udc00', '"\ufffdx\ufffd"'],
  ];
  for (const [s, out] of cases) assert.equal(goJsonString(s), out, JSON.stringify(s));
});

test('goJson and goPrettyJson: sorted keys, literal numbers, MarshalIndent layout', () => {
  const v = toGoValue({ rw: ['/etc'], a: { b: new JsonNumber('1.0') }, e: [], o: {} });
  assert.equal(goJson(v), '{"a":{"b":1.0},"e":[],"o":{},"rw":["/etc"]}');
  assert.equal(
    goPrettyJson(v),
    '{\n  "a": {\n    "b": 1.0\n  },\n  "e": [],\n  "o": {},\n  "rw": [\n    "/etc"\n  ]\n}',
  );
  assert.equal(goPrettyJson(toGoValue('x')), '"x"');
});

test('goQuote is strconv.Quote; the JSON-safe variant only changes the four Go-only escapes', () => {
  const s = 'c\x01\x7f\u00a0\u2028\u200b😀é\n\r\v\x07\b\f"\\';
  assert.equal(goQuote(s), '"c\\x01\\x7f\\u00a0\\u2028\\u200b😀é\\n\\r\\v\\a\\b\\f\\"\\\\"');
  assert.equal(
    goQuote(s, true),
    '"c\\u0001\\u007f\\u00a0\\u2028\\u200b😀é\\n\\r\\u000b\\u0007\\b\\f\\"\\\\"',
  );
  assert.equal(goQuote('\u{e0001}'), '"\\U000e0001"');
  assert.equal(goQuote('\u{e0001}', true), '"\\udb40\\udc01"');
  assert.equal(JSON.parse(goQuote('\u{e0001}', true)), '\u{e0001}');
});

test('goLower maps one character at a time like strings.ToLower', () => {
  const cases: [string, string][] = [
    ['NET_ADMIN net_raw', 'net_admin net_raw'],
    ['\u0130', 'i'],
    ['ΟΔΟΣ', 'οδοσ'],
    ['SYS_TIME', 'sys_time'],
  ];
  for (const [s, out] of cases) assert.equal(goLower(s), out);
});
