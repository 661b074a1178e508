import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPantavisorService } from '../../../../src/core/service';
import { corpusDir, needsCorpus } from '../../../support/corpus';

/** xorshift32: a small seeded generator so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

const ALPHABET = [
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '"',
  '\\',
  '0',
  '-',
  '1e999',
  'null',
  'true',
  ' ',
  '\n',
  '\u0000',
  '\ud800',
  'é',
  '#spec',
  '/run.json',
  'dm:',
];
const VALUES = [
  'null',
  '[]',
  '{}',
  '0',
  '"x"',
  '"' + 'f'.repeat(64) + '"',
  '[{"name":1}]',
  '{"required":[1,{"name":[]}]}',
  '-1.5e308',
  '"\\u0000"',
];

function mutate(text: string, r: () => number): string {
  const pos = Math.floor(r() * (text.length + 1));
  const len = Math.floor(r() * 40);
  switch (Math.floor(r() * 7)) {
    case 0:
      return text.slice(0, pos) + text.slice(pos + len);
    case 1:
      return text.slice(0, pos) + ALPHABET[Math.floor(r() * ALPHABET.length)] + text.slice(pos);
    case 2:
      return text.slice(0, pos) + text.slice(pos, pos + len) + text.slice(pos);
    case 3:
      return text.slice(0, pos);
    case 4: {
      // Replace the value after a colon with another JSON value of another type.
      const colon = text.indexOf(':', pos);
      if (colon < 0) return text;
      const end = text.slice(colon + 1).search(/[,}\]]/);
      return (
        text.slice(0, colon + 1) +
        VALUES[Math.floor(r() * VALUES.length)] +
        (end < 0 ? '' : text.slice(colon + 1 + end))
      );
    }
    case 5:
      return text.replace(
        /"(group|name|config|root-volume|#spec|persistence|disk)"/,
        `"${ALPHABET[Math.floor(r() * ALPHABET.length)] ?? ''}"`,
      );
    default: {
      const a = Math.floor(r() * text.length);
      return (
        text.slice(0, Math.min(a, pos)) +
        text.slice(Math.max(a, pos)) +
        text.slice(Math.min(a, pos), Math.max(a, pos))
      );
    }
  }
}

test(
  'fuzz: 10,000 seeded mutations of the real states never throw and give sane ranges',
  needsCorpus('pantavisor'),
  () => {
    const dir = corpusDir('pantavisor')!;
    const states = readdirSync(dir)
      .filter((f) => f.startsWith('state.'))
      .map((f) => readFileSync(join(dir, f), 'utf8'));
    const seed = Number(process.env['PVKIT_FUZZ_SEED'] ?? 20261126);
    const r = rng(seed);
    const service = createPantavisorService();
    let diagnostics = 0;
    for (let i = 0; i < 10_000; i++) {
      let text = states[i % states.length]!;
      const rounds = 1 + Math.floor(r() * 4);
      for (let k = 0; k < rounds; k++) text = mutate(text, r);
      let diags;
      try {
        diags = service.validateState('fuzz.json', text);
      } catch (e) {
        assert.fail(`mutation ${i} (seed ${seed}) threw: ${String(e)}\n${text.slice(0, 400)}`);
      }
      for (const d of diags) {
        assert.ok(
          d.start >= 0 && d.start <= d.end && d.end <= text.length,
          `bad range ${d.start}-${d.end} (len ${text.length}) at mutation ${i}`,
        );
        assert.notEqual(d.code, 'PV000', `internal error at mutation ${i} (seed ${seed}): ${d.message}`);
      }
      diagnostics += diags.length;
    }
    assert.ok(diagnostics > 1000, 'the mutations produce diagnostics');
  },
);
