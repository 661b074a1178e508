import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex } from '../../../../src/core/parse/LineIndex';

const cases: { text: string; offset: number; line: number; character: number }[] = [
  { text: 'ab\ncd', offset: 0, line: 0, character: 0 },
  { text: 'ab\ncd', offset: 3, line: 1, character: 0 },
  { text: 'ab\r\ncd', offset: 4, line: 1, character: 0 },
  { text: 'ab\rcd', offset: 4, line: 1, character: 1 },
  { text: 'ab\ncd', offset: 99, line: 1, character: 2 },
];

for (const c of cases) {
  test(`positionAt(${JSON.stringify(c.text)}, ${c.offset})`, () => {
    assert.deepEqual(new LineIndex(c.text).positionAt(c.offset), { line: c.line, character: c.character });
  });
}
