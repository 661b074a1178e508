import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GoJsonSyntaxError,
  decodeRune,
  isValidGoJson,
  nodeToGoValue,
  parseGoJson,
} from '../../../../src/core/template/goJsonDecode';
import { decodeSrcJson, foldFieldName } from '../../../../src/core/template/decodeSrcJson';
import { goJson } from '../../../../src/core/template/goFormat';

const bytes = (...b: number[]) => new Uint8Array(b);
const str = (input: string | Uint8Array): string => {
  const n = parseGoJson(input);
  assert.equal(n.kind, 'string');
  return n.kind === 'string' ? n.value : '';
};

test('strings: one U+FFFD per invalid UTF-8 byte (Go DecodeRune), surrogate escapes', () => {
  const cases: [Uint8Array | string, string][] = [
    [bytes(0x22, 0xe3, 0x81, 0x78, 0x22), '\ufffd\ufffdx'],
    [bytes(0x22, 0xed, 0xa0, 0x80, 0x22), '\ufffd\ufffd\ufffd'],
    [bytes(0x22, 0xc0, 0xaf, 0x22), '\ufffd\ufffd'],
    [bytes(0x22, 0xf0, 0x9f, 0x98, 0x80, 0x22), '😀'],
    ['"\\ud800x"', '\ufffdx'],
    ['"\\ud83d\\ude00"', '😀'],
    ['"\\ud800\\u0041"', '\ufffdA'],
    ['"\\udc00"', '\ufffd'],
    ['"\\u00e9\\/\\b\\f"', 'é/\b\f'],
  ];
  for (const [input, out] of cases) assert.equal(str(input), out, String(input));
  assert.deepEqual(decodeRune(bytes(0xe3, 0x81), 0), [0xfffd, 1]);
});

test('only the first value is read; a BOM and bad syntax are errors with Go wording', () => {
  assert.equal(goJson(nodeToGoValue(parseGoJson('{"a":1} trailing garbage {'))), '{"a":1}');
  const errors: [string | Uint8Array, string][] = [
    [bytes(0xef, 0xbb, 0xbf, 0x7b, 0x7d), "invalid character 'ï' looking for beginning of value"],
    ['{"a":1,}', "invalid character '}' looking for beginning of object key string"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['[1 2]', "invalid character '2' after array element"],
    ['01', "invalid character '1' after top-level value"],
    ['"a\tb"', "invalid character '\\t' in string literal"],
    ['tru', 'unexpected end of JSON input'],
    ['nul!', "invalid character '!' in literal null (expecting 'l')"],
    ['-x', "invalid character 'x' in numeric literal"],
    ['"\\x"', "invalid character 'x' in string escape code"],
  ];
  for (const [input, message] of errors) {
    assert.throws(
      () => parseGoJson(input, true),
      (e: unknown) => e instanceof GoJsonSyntaxError && e.message === message,
      String(input),
    );
  }
  assert.equal(isValidGoJson('{"a":[1.5e3,-0]}'), true);
  assert.equal(isValidGoJson('{"a":1}x'), false);
});

test('numbers keep their spelling', () => {
  assert.equal(
    goJson(nodeToGoValue(parseGoJson('[4.0,1e3,-0,12345678901234567890123,1E-2]'))),
    '[4.0,1e3,-0,12345678901234567890123,1E-2]',
  );
});

test('field names fold like Go 1.20 encoding/json', () => {
  assert.equal(foldFieldName('Docker_Config'), 'docker_config');
  assert.equal(foldFieldName('ARGſ'), 'args');
  assert.equal(foldFieldName('doc\u212aer_name'), 'docker_name');
  assert.equal(foldFieldName('ÀRGS'), 'Àrgs');
});

const decode = (text: string) => decodeSrcJson(parseGoJson(text));

test('decodeSrcJson: case-insensitive fields, merged objects, later strings win, null keeps strings', () => {
  const { source, error } = decode(
    '{"ARGS":{"A":1,"B":2},"args":{"B":3},"Template":"x","TEMPLATE":"builtin-lxc-docker","base":"b","base":null,"unknown":[1]}',
  );
  assert.equal(error, undefined);
  assert.equal(goJson(source.args), '{"A":1,"B":3}');
  assert.equal(source.template, 'builtin-lxc-docker');
  assert.equal(source.base, 'b');
  assert.equal(decode('{"args":{"A":1},"args":null}').source.args, null);
});

test('decodeSrcJson: repeated arrays reuse the earlier slice like Go', () => {
  const cases: [string, string][] = [
    [
      '{"logs":[{"file":"/a","maxsize":"1"},{"file":"/c"}],"logs":[{"name":"b"}]}',
      '[{"file":"/a","maxsize":"1","name":"b"}]',
    ],
    // The shorter array leaves stale elements in capacity; a longer one exposes (and merges into) them.
    [
      '{"logs":[{"a":"1"},{"b":"2"}],"logs":[{"c":"3"}],"logs":[{},{"d":"4"}]}',
      '[{"a":"1","c":"3"},{"b":"2","d":"4"}]',
    ],
    ['{"logs":[{"a":"1"}],"logs":[],"logs":[{}]}', '[{}]'],
    ['{"logs":[{"a":"1"},null]}', '[{"a":"1"},null]'],
  ];
  for (const [text, logs] of cases) assert.equal(goJson(decode(text).source.logs), logs, text);
  assert.deepEqual(decode('{"exports":["a","b"],"exports":[null,"c"]}').source.exports, ['a', 'c']);
  assert.deepEqual(decode('{"exports":[null]}').source.exports, ['']);
});

test('decodeSrcJson: wrong types are reported (first one), nulls in typed maps become zero values', () => {
  const errs: [string, RegExp][] = [
    [
      '{"persistence":{"/a":1}}',
      /cannot unmarshal number into Go struct field Source.persistence of type string/,
    ],
    ['{"exports":[1]}', /cannot unmarshal number .* of type string/],
    ['{"dm_enabled":{"x":"yes"}}', /of type bool/],
    ['{"args":[]}', /cannot unmarshal array .*args of type map/],
    ['[]', /cannot unmarshal array into Go value of type libpvr.Source/],
    ['{"base":1,"args":"x"}', /number .*Source.base/],
  ];
  for (const [text, re] of errs) assert.match(decode(text).error?.message ?? '', re, text);
  const ok = decode('{"persistence":{"/a":null},"dm_enabled":{"x":null}}');
  assert.equal(ok.error, undefined);
  assert.equal(ok.source.persistence?.get('/a'), '');
  assert.equal(ok.source.dmEnabled?.get('x'), false);
});
