import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import { validateCompose } from '../../../../src/core/compose/validateCompose';
import { fastParseYaml } from '../../../../src/core/parse/fastYaml';
import { corpusDir, needsCorpus } from '../../../support/corpus';

/** A small deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SNIPPETS = [
  ' ',
  '\n',
  ':',
  '- ',
  '#',
  '"',
  "'",
  '[',
  ']',
  '{',
  '}',
  ',',
  '  ',
  'x',
  '&a',
  '*a',
  '|',
  '\t',
  '~',
];

function mutate(text: string, r: () => number): string {
  const at = Math.floor(r() * (text.length + 1));
  switch (Math.floor(r() * 3)) {
    case 0:
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(r() * 3));
    case 1:
      return text.slice(0, at) + (SNIPPETS[Math.floor(r() * SNIPPETS.length)] ?? '') + text.slice(at);
    default: {
      const nl = text.indexOf('\n', at);
      return nl < 0 ? text : text.slice(0, nl + 1) + '  ' + text.slice(nl + 1);
    }
  }
}

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

test(
  '3000 mutated corpus compose files: no crash, ranges inside the text, fast YAML path exact or declining',
  needsCorpus('balena'),
  () => {
    const root = corpusDir('balena') ?? '';
    const files = readdirSync(root)
      .filter((p) => !p.includes('.'))
      .slice(0, 30)
      .map((p) => {
        try {
          return readFileSync(join(root, p, 'docker-compose.yml'), 'utf8');
        } catch {
          return undefined;
        }
      })
      .filter((t): t is string => t !== undefined);
    const r = rng(Number(process.env['PVKIT_FUZZ_SEED'] ?? 42));
    let fast = 0;
    let runs = 0;
    for (const original of files) {
      for (let i = 0; i < 100; i++) {
        let text = original;
        for (let k = 0; k < 1 + Math.floor(r() * 3); k++) text = mutate(text, r);
        runs++;
        const result = validateCompose({ composePath: 'c.yml', composeText: text, mode: 'balena' });
        for (const d of result.diagnostics) {
          assert.ok(
            d.start >= 0 && d.end >= d.start && d.end <= text.length,
            `range ${d.start}-${d.end} in ${JSON.stringify(text)}`,
          );
        }
        const f = fastParseYaml(text);
        if (!f) continue;
        fast++;
        const ref = parseDocument(text, { uniqueKeys: true });
        assert.deepEqual(
          ref.errors.map((e) => e.code),
          [],
          `fast path accepted invalid YAML: ${JSON.stringify(text)}`,
        );
        assert.deepEqual(f.toJS(), ref.toJS(), JSON.stringify(text));
        assert.deepEqual(shape(f.contents), shape(ref.contents), JSON.stringify(text));
      }
    }
    console.log(`mutations: ${runs} validated, ${fast} taken by the fast YAML path and identical to yaml`);
  },
);
