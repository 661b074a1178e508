import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/pvkit';
import { validateCompose } from '../../../src/core/compose/validateCompose';
import { fsComposeProject } from '../../../src/platform/compose/fsComposeProject';

async function pvkit(argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd });
  return { code, out, err };
}

const COMPOSE = `version: '2.1'
services:
  web:
    build: ./web
    restart: no
    links:
      - db
    labels:
      io.balena.features.dbus: '1'
  db:
    image: postgres
`;

function project(): string {
  const root = mkdtempSync(join(tmpdir(), 'pvkit-compose-'));
  writeFileSync(join(root, 'docker-compose.yml'), COMPOSE);
  writeFileSync(join(root, 'balena.yml'), 'name: demo\ntype: sw.application\n');
  mkdirSync(join(root, 'web'));
  writeFileSync(
    join(root, 'web/Dockerfile.template'),
    'FROM balenalib/%%BALENA_MACHINE_NAME%%\nRUN echo %%BALENA_NOPE%%\n',
  );
  return root;
}

test('pvkit validate on a balena project folder reports compose diagnostics with positions', async () => {
  const root = project();
  const r = await pvkit(['validate'], root);
  assert.equal(r.code, 1, r.err);
  assert.match(r.out, /^docker-compose\.yml:6:5: error BAL010 balena rejects `services\.web\.links`/m);
  assert.match(r.out, /^docker-compose\.yml:5:14: warning BAL030 /m);
  assert.match(r.out, /^web\/Dockerfile\.template:2:10: warning BAL053 /m);
});

test('pvkit validate names a compose file directly; json output has the same results as the core', async () => {
  const root = project();
  const r = await pvkit(['validate', '--format', 'json', 'docker-compose.yml'], root);
  const arr = JSON.parse(r.out) as { code: string; file: string }[];
  // The editor runs validateCompose with the same project: the CLI must report the same codes.
  const core = validateCompose({
    composePath: join(root, 'docker-compose.yml'),
    composeText: COMPOSE,
    project: fsComposeProject(root),
  }).diagnostics;
  assert.deepEqual(arr.map((d) => d.code).sort(), core.map((d) => d.code).sort());
  const s = await pvkit(['validate', '--format', 'sarif', root], root);
  const sarif = JSON.parse(s.out) as { runs: { results: { ruleId: string }[] }[] };
  assert.ok(sarif.runs[0]?.results.some((x) => x.ruleId === 'BAL010'));
});
