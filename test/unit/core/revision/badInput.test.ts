import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPantavisorService } from '../../../../src/core/service';
import { generateState } from '../../../../bench/validate';

const service = createPantavisorService();
const SPEC = '{"#spec":"pantavisor-service-system@1",';

const cases: { name: string; text: () => string; expect: (codes: string[]) => void }[] = [
  {
    name: 'deeply nested valid value (100,000 levels)',
    text: () => `${SPEC}"x.json":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    expect: (c) => assert.deepEqual(c, []),
  },
  {
    name: 'deeply nested broken value (100,000 levels)',
    text: () => `${SPEC}"x.json":${'['.repeat(100_000)}}`,
    expect: (c) => assert.ok(c.includes('PV001')),
  },
  {
    name: 'binary garbage',
    text: () => {
      const b = Buffer.alloc(1_000_000);
      for (let i = 0; i < b.length; i++) b[i] = (i * 7919) % 256;
      return b.toString('latin1');
    },
    expect: (c) => {
      assert.ok(c.includes('PV001'));
      assert.ok(c.length <= 101, `at most 100 syntax errors, got ${c.length}`);
    },
  },
  { name: 'empty file', text: () => '', expect: (c) => assert.ok(c.includes('PV001')) },
  {
    name: 'BOM before a valid state',
    text: () => `\ufeff${SPEC}"a.txt":"${'0'.repeat(64)}"}`,
    expect: (c) => assert.ok(c.includes('PV001')),
  },
  {
    name: 'lone surrogates and NULs in keys',
    text: () => `${SPEC}"\\ud800/run.json":{"name":"\\u0000"}}`,
    expect: (c) => assert.ok(c.includes('PV100')),
  },
  {
    name: 'huge numbers',
    text: () => `${SPEC}"a/run.json":{"name":"a","group":1e999}}`,
    expect: (c) => assert.ok(c.length > 0),
  },
];

for (const c of cases) {
  test(`bad input: ${c.name} is reported, never thrown`, () => {
    const diags = service.validateState('bad.json', c.text());
    c.expect(diags.map((d) => d.code));
  });
}

test('bad input: a 20 MB state validates (clean and with one error located)', () => {
  let text = generateState(14_000);
  assert.ok(text.length > 20_000_000, `state is ${text.length} chars`);
  assert.deepEqual(
    service.validateState('big.json', text).filter((d) => d.severity !== 'info'),
    [],
  );
  const at = text.lastIndexOf('"group": "app"');
  text = text.slice(0, at) + '"group": "nope"' + text.slice(at + '"group": "app"'.length);
  const diags = service.validateState('big.json', text);
  const d = diags.find((x) => x.code === 'PV101');
  assert.ok(d, 'the error in the last container is found');
  assert.equal(text.slice(d.start, d.end), '"nope"');
});
