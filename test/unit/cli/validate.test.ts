import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/pvkit';

const SHA = 'b'.repeat(64);

async function pvkit(argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd });
  return { code, out, err };
}

function checkout(): string {
  const root = mkdtempSync(join(tmpdir(), 'pvkit-validate-'));
  mkdirSync(join(root, '.pvr'));
  writeFileSync(join(root, '.pvr/json'), '{"#spec":"pantavisor-service-system@1"}');
  mkdirSync(join(root, 'web'));
  writeFileSync(
    join(root, 'web/run.json'),
    '{\n  "name": "web",\n  "group": "nope",\n  "root-volume": "root.squashfs"\n}\n',
  );
  writeFileSync(join(root, 'web/root.squashfs'), 'x');
  return root;
}

test('text output: file:line:col: severity code message, exit 1 on errors', async () => {
  const root = checkout();
  const r = await pvkit(['validate'], root);
  assert.equal(r.code, 1, r.err);
  assert.match(r.out, /^web\/run\.json:3:12: error PV101 Group "nope" is not defined/m);
});

test('json output has 1-based positions and the documented fields', async () => {
  const root = checkout();
  const r = await pvkit(['validate', '--format', 'json', root], root);
  const arr = JSON.parse(r.out) as Record<string, unknown>[];
  const d = arr.find((x) => x['code'] === 'PV101');
  assert.deepEqual(d, {
    file: 'web/run.json',
    line: 3,
    column: 12,
    endLine: 3,
    endColumn: 18,
    severity: 'error',
    code: 'PV101',
    message: d?.['message'],
  });
});

test('sarif output is SARIF 2.1.0 with rules and results', async () => {
  const root = checkout();
  const r = await pvkit(['validate', '--format=sarif'], root);
  const s = JSON.parse(r.out);
  assert.equal(s.version, '2.1.0');
  assert.equal(s.runs[0].tool.driver.name, 'pvkit');
  assert.ok(s.runs[0].results.some((x: { ruleId: string }) => x.ruleId === 'PV101'));
});

test('a valid state exits 0; a file named on the command line is validated even with a broken #spec', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pvkit-validate-'));
  writeFileSync(join(dir, 'ok.json'), `{"#spec":"pantavisor-service-system@1","README.md":"${SHA}"}`);
  writeFileSync(join(dir, 'bad.json'), `{"#spec":"nonsense","README.md":"${SHA}"}`);
  assert.equal((await pvkit(['validate', 'ok.json'], dir)).code, 0);
  const bad = await pvkit(['validate', 'bad.json'], dir);
  assert.equal(bad.code, 1);
  assert.match(bad.out, /bad\.json:1:10: error PV011/);
});

test('--kind forces the schema of a lone file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pvkit-validate-'));
  writeFileSync(join(dir, 'x.json'), '{"name": 5}');
  const r = await pvkit(['validate', '--kind', 'run', 'x.json'], dir);
  assert.equal(r.code, 1);
  assert.match(r.out, /x\.json:1:10: error schema\.type/);
});

test('bad usage exits 2', async () => {
  assert.equal((await pvkit(['validate', '--format', 'yaml'], tmpdir())).code, 2);
  assert.equal((await pvkit(['validate', '--bogus'], tmpdir())).code, 2);
  assert.equal((await pvkit(['nosuchcommand'], tmpdir())).code, 2);
});

test('a file inside a checkout gets the cross-file rules, reported for that file only', async () => {
  const root = checkout();
  writeFileSync(join(root, 'other.json'), '{');
  const r = await pvkit(['validate', 'web/run.json'], root);
  assert.match(r.out, /PV101/);
  assert.doesNotMatch(r.out, /other\.json/);
});
