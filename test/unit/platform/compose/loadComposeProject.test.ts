import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findComposeFile,
  isComposeFileName,
  loadComposeProject,
  validateComposePath,
} from '../../../../src/platform/compose/loadComposeProject';
import { fsComposeProject } from '../../../../src/platform/compose/fsComposeProject';

function folder(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pvkit-compose-load-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

test('a folder is searched for docker-compose.yml, then .yaml', () => {
  const a = folder({ 'docker-compose.yaml': 'services: {}\n' });
  assert.equal(findComposeFile(a), join(a, 'docker-compose.yaml'));
  const b = folder({ 'docker-compose.yml': 'services: {}\n', 'docker-compose.yaml': '' });
  assert.equal(findComposeFile(b), join(b, 'docker-compose.yml'));
  assert.equal(findComposeFile(folder({})), undefined);
});

const NAMES: [string, boolean][] = [
  ['docker-compose.yml', true],
  ['docker-compose.yaml', true],
  ['compose.yml', true],
  ['docker-compose.override.yml', true],
  ['balena.yml', false],
  ['compose.json', false],
];
for (const [name, want] of NAMES) {
  test(`isComposeFileName(${name}) = ${want}`, () => assert.equal(isComposeFileName(name), want));
}

test('a missing path is one error naming the path and the fix', () => {
  const r = loadComposeProject('/nonexistent/pvkit/project');
  assert.equal(r.composePath, undefined);
  assert.equal(r.diagnostics.length, 1);
  assert.match(
    r.diagnostics[0]?.message ?? '',
    /No compose file at \/nonexistent\/pvkit\/project: expected a docker-compose\.yml/,
  );
});

test(
  'an unreadable compose file is reported, not thrown',
  { skip: process.getuid?.() === 0 ? 'root reads everything' : false },
  () => {
    const root = folder({ 'docker-compose.yml': 'services: {}\n' });
    chmodSync(join(root, 'docker-compose.yml'), 0o000);
    const r = loadComposeProject(join(root, 'docker-compose.yml'));
    assert.match(r.diagnostics[0]?.message ?? '', /Cannot read/);
  },
);

test('the file system project answers stat, list and read', () => {
  const root = folder({ 'web/Dockerfile.template': 'FROM x\n', 'balena.yml': 'type: sw.block\n' });
  const p = fsComposeProject(root);
  assert.equal(p.stat('web'), 'dir');
  assert.equal(p.stat('web/Dockerfile.template'), 'file');
  assert.equal(p.stat('nope'), undefined);
  assert.deepEqual(p.list('web'), ['Dockerfile.template']);
  assert.equal(p.list('nope'), undefined);
  assert.equal(p.read('balena.yml'), 'type: sw.block\n');
  assert.equal(p.read('web'), undefined);
});

test('validateComposePath reads the project and returns the texts of every file it reports on', () => {
  const root = folder({
    'docker-compose.yml':
      "services:\n  web:\n    build: ./web\n    labels:\n      io.balena.features.dbus: '1'\n",
    'web/Dockerfile.template': 'FROM %%BALENA_NOPE%%\n',
    'balena.yml': 'name: x\n',
  });
  const r = validateComposePath(root);
  assert.equal(r.balena, true);
  const tmpl = r.diagnostics.find((d) => d.code === 'BAL053');
  assert.equal(tmpl?.file, join(root, 'web/Dockerfile.template'));
  assert.equal(r.files.get(join(root, 'web/Dockerfile.template')), 'FROM %%BALENA_NOPE%%\n');
  const yml = r.diagnostics.find((d) => d.code === 'BAL071');
  assert.equal(yml?.file, join(root, 'balena.yml'));
  assert.equal(r.files.get(join(root, 'balena.yml')), 'name: x\n');
});
