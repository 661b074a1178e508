import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import { fastParseYaml } from '../../../../src/core/parse/fastYaml';
import { corpusDir, needsCorpus } from '../../../support/corpus';

/** Every node with its class, `[start, end]` and scalar type, in document order. */
function shape(n: unknown, out: string[] = []): string[] {
  if (isPair(n)) {
    shape(n.key, out);
    shape(n.value, out);
  } else if (isScalar(n) || isMap(n) || isSeq(n)) {
    out.push(
      `${n.constructor.name}${JSON.stringify(n.range?.slice(0, 2))}${isScalar(n) ? (n.type ?? '') : ''}`,
    );
    if (!isScalar(n)) for (const i of n.items) shape(i, out);
  } else out.push(String(n));
  return out;
}

/** The fast path must agree exactly with `yaml`, or decline. */
function agrees(text: string): 'fast' | 'declined' {
  const fast = fastParseYaml(text);
  if (!fast) return 'declined';
  const ref = parseDocument(text, { uniqueKeys: true });
  assert.deepEqual(ref.errors, [], `fast path accepted text yaml rejects: ${JSON.stringify(text)}`);
  assert.deepEqual(fast.toJS(), ref.toJS(), JSON.stringify(text));
  assert.deepEqual(shape(fast.contents), shape(ref.contents), JSON.stringify(text));
  return 'fast';
}

const CASES: [string, 'fast' | 'declined'][] = [
  ["a: 1\nb: two\nc: \"three\"\nd: 'fo''ur'\n", 'fast'],
  ['a:\n  - x\n  - y: 1\n    z: [1, "2", c]\n  - {}\n', 'fast'],
  ['a:\n- x\n- y\n', 'fast'],
  ['a: 0x1F\nb: 0o17\nc: 1.5e3\nd: .inf\ne: ~\nf: True\ng: no\nh: 08\n', 'fast'],
  ['a: b # comment\n# full line\nc:\n  d: 1 # x\n', 'fast'],
  ['a: "esc \\" \\\\ \\n"\n', 'fast'],
  ['a: {b: 1, c: [x, y]}\n', 'declined'],
  ['a: 1', 'fast'],
  ['a: &x 1\nb: *x\n', 'declined'],
  ['a: |\n  text\n', 'declined'],
  ['a: b\n  c\n', 'declined'],
  ['a: 1\na: 2\n', 'declined'],
  ['a:\tb\n', 'declined'],
  ['---\na: 1\n', 'declined'],
  ['a: [1,\n  2]\n', 'declined'],
  ['a: !tag x\n', 'declined'],
  ['a: b: c\n', 'declined'],
  ['', 'declined'],
];

for (const [text, want] of CASES) {
  test(`fast YAML path on ${JSON.stringify(text)}: ${want}`, () => {
    assert.equal(agrees(text), want);
  });
}

test('fast YAML path agrees with yaml on every compose file of the corpus', needsCorpus('balena'), () => {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(f)) files.push(p);
    }
  };
  walk(corpusDir('balena') ?? '');
  const fixtures = corpusDir('balena-fixtures');
  if (fixtures) walk(fixtures);
  let fast = 0;
  for (const f of files) if (agrees(readFileSync(f, 'utf8')) === 'fast') fast++;
  console.log(`fast YAML path: ${fast}/${files.length} corpus files, all identical to yaml`);
  assert.ok(fast > files.length / 2, 'the fast path should cover most real compose files');
});
