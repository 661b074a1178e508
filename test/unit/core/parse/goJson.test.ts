import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GoJsonSyntaxError, readGoJson } from '../../../../src/core/parse/goJson';
import { GoJsonError, parseGoJson } from '../../../../src/core/revision/canonicalJson';

// Messages as Go 1.20's encoding/json writes them (scanner.go's quoteChar is strconv.Quote of the byte as a rune).
test('syntax errors carry Go wording and the offset where the scanner stopped', () => {
  const cases: [string | Uint8Array, string, number][] = [
    ['{"a":\u0001}', "invalid character '\\x01' looking for beginning of value", 5],
    ['{"a":1 x', "invalid character 'x' after object key:value pair", 7],
    [Uint8Array.of(0x5b, 0x80), "invalid character '\\u0080' looking for beginning of value", 1],
    [Uint8Array.of(0x5b, 0xe9), "invalid character 'é' looking for beginning of value", 1],
    ['"a\\q"', "invalid character 'q' in string escape code", 3],
    ['[1,', 'unexpected end of JSON input', 3],
    ['tru', 'unexpected end of JSON input', 3],
    ['-', 'unexpected end of JSON input', 1],
    ['01', '', -1], // a Decoder stops after `0`; the rest is left unread
  ];
  for (const [input, message, offset] of cases) {
    if (offset < 0) {
      assert.deepEqual(readGoJson(input), { kind: 'number', start: 0, end: 1, text: '0' });
      continue;
    }
    assert.throws(
      () => readGoJson(input),
      (e: unknown) => e instanceof GoJsonSyntaxError && e.message === message && e.offset === offset,
      String(input),
    );
  }
});

test('strings decode as Go does: one U+FFFD per invalid byte, lone surrogate escapes become U+FFFD', () => {
  const str = (bytes: number[]): unknown => {
    const n = readGoJson(Uint8Array.from([0x22, ...bytes, 0x22]));
    return n.kind === 'string' ? n.value : n;
  };
  assert.equal(str([0xe2, 0x82]), '\ufffd\ufffd'); // truncated 3-byte sequence: two bytes, two U+FFFD
  assert.equal(str([0xed, 0xa0, 0x80]), '\ufffd\ufffd\ufffd'); // an encoded surrogate is invalid UTF-8
  assert.equal(str([0xc0, 0xaf]), '\ufffd\ufffd'); // overlong
  assert.equal(str([0xf0, 0x9f, 0x98, 0x80]), '😀');
  assert.equal(str([...Buffer.from('\\ud83d\\ude00')]), '😀');
  assert.equal(str([...Buffer.from('\\ud800x\\udc00')]), '\ufffdx\ufffd');
  assert.equal(str([...Buffer.from('\\ud800\\u0041')]), '\ufffdA');
});

test('the repository decoder speaks as a Go Decoder: EOF, unexpected EOF, last duplicate wins', () => {
  for (const [input, message] of [
    ['', 'EOF'],
    [' \n\t', 'EOF'],
    ['{"a":', 'unexpected EOF'],
    ['{"a" 1}', "invalid character '1' after object key"],
  ]) {
    assert.throws(
      () => parseGoJson(input ?? ''),
      (e: unknown) => e instanceof GoJsonError && e.message === message,
      input,
    );
  }
  const v = parseGoJson('{"a":1,"a":{"__proto__":2}}  trailing');
  assert.equal(JSON.stringify(v), '{"a":{"__proto__":{"text":"2"}}}');
});

test('nesting beyond our limit is a clear error, not a stack overflow', () => {
  const deep = '['.repeat(5000) + ']'.repeat(5000);
  assert.throws(
    () => readGoJson(deep),
    (e: unknown) => e instanceof GoJsonSyntaxError && /nesting deeper than 1000 levels/.test(e.message),
  );
  assert.throws(() => readGoJson('['.repeat(10001)), /exceeded max depth|nesting deeper/);
});
