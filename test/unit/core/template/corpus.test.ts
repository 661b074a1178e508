import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir, needsCorpus } from '../../../support/corpus';
import { renderContainerFiles, type RenderResult } from '../../../../src/core/template/renderContainerFiles';
import { isValidGoJson, nodeToGoValue, parseGoJson } from '../../../../src/core/template/goJsonDecode';
import { goJson } from '../../../../src/core/template/goFormat';
import { toGoValue } from '../../../../src/core/template/goValue';
import { foldFieldName } from '../../../../src/core/template/decodeSrcJson';

interface CaseJson {
  app: string;
  note: string;
  pvr_exit: number;
  has_conf: boolean;
  has_run_json: boolean;
  run_json_is_valid_json: boolean;
  base_app_stub?: string;
}

interface Case {
  id: string;
  dir: string;
  meta: CaseJson;
  src: Buffer;
  groups: unknown;
  run: string | undefined;
  conf: string | undefined;
}

const root = corpusDir('pvr-template');

function loadCases(): Case[] {
  if (!root) return [];
  return readdirSync(root)
    .filter((d) => existsSync(join(root, d, 'case.json')))
    .sort()
    .map((id) => {
      const dir = join(root, id);
      const opt = (p: string): string | undefined =>
        existsSync(join(dir, p)) ? readFileSync(join(dir, p), 'utf8') : undefined;
      const groupsText = opt('groups.json');
      return {
        id,
        dir,
        meta: JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as CaseJson,
        src: readFileSync(join(dir, 'src.json')),
        groups: groupsText === undefined ? undefined : (JSON.parse(groupsText) as unknown),
        run: opt('expected/run.json'),
        conf: opt('expected/lxc.container.conf'),
      };
    });
}

/** The first differing line of two texts, shown with escapes, for a readable failure. */
function firstDiff(what: string, expected: string | undefined, actual: string | undefined): string {
  if (expected === undefined || actual === undefined) {
    return `${what}: expected ${expected === undefined ? 'no file' : 'a file'}, got ${actual === undefined ? 'no file' : 'a file'}`;
  }
  const e = expected.split('\n');
  const a = actual.split('\n');
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] !== a[i]) {
      return `${what} line ${i + 1}:\n  expected ${JSON.stringify(e[i])}\n  actual   ${JSON.stringify(a[i])}`;
    }
  }
  return `${what}: identical lines but different bytes`;
}

function render(c: Case, compat: 'pvr037' | 'fixed'): RenderResult {
  return renderContainerFiles(c.src, { name: c.meta.app, compat, groups: c.groups, baseStatus: 'ok' });
}

const cases = loadCases();

test('the corpus has cases', needsCorpus('pvr-template'), () => {
  assert.ok(cases.length >= 100, `only ${cases.length} cases found in ${root}`);
});

for (const c of cases) {
  test(`pvr037 ${c.id}: ${c.meta.note}`, () => {
    const r = render(c, 'pvr037');
    const problems: string[] = [];
    if (r.runJson !== c.run) problems.push(firstDiff('run.json', c.run, r.runJson));
    if (r.lxcConf !== c.conf) problems.push(firstDiff('lxc.container.conf', c.conf, r.lxcConf));
    if (c.run === undefined) {
      // Nothing written: our failure must carry pvr's exit status.
      if (r.error?.exitCode !== c.meta.pvr_exit) {
        problems.push(`exit: expected ${c.meta.pvr_exit}, got ${r.error?.exitCode} (${r.error?.message})`);
      }
    } else if (r.error) problems.push(`unexpected error: ${r.error.message}`);
    assert.equal(problems.length, 0, `${c.id}\n${problems.join('\n')}`);
  });

  test(`fixed ${c.id}: valid JSON, same bytes wherever pvr's are valid`, () => {
    const r = render(c, 'fixed');
    const pvr = render(c, 'pvr037');
    assert.equal(r.lxcConf, pvr.lxcConf, 'lxc.container.conf does not depend on the mode');
    if (c.run === undefined) {
      assert.equal(r.runJson, undefined);
      return;
    }
    assert.ok(r.runJson !== undefined);
    assert.ok(isValidGoJson(r.runJson), `fixed run.json is not valid JSON:\n${r.runJson}`);
    if (c.meta.run_json_is_valid_json) {
      assert.equal(r.runJson, c.run, firstDiff('run.json', c.run, r.runJson));
    } else {
      assert.notEqual(r.runJson, c.run);
      assert.ok(r.warnings.length > 0, 'a correction must be reported');
      assert.ok(pvr.warnings.length > 0, 'pvr037 mode must say that run.json is invalid');
    }
  });
}

test('fixed mode: two volumes give valid JSON and a warning', needsCorpus('pvr-template'), () => {
  const c = cases.find((x) => x.id.endsWith('-volume-mounts-two'));
  assert.ok(c, 'case volume-mounts-two missing');
  const r = render(c, 'fixed');
  const parsed = JSON.parse(r.runJson ?? '') as { volumes: string[] };
  assert.deepEqual(parsed.volumes, ['a.data', 'b.data']);
  assert.deepEqual(
    r.warnings.map((w) => w.code),
    ['run-json-volumes-join'],
  );
  const pvr = render(c, 'pvr037');
  assert.throws(() => JSON.parse(pvr.runJson ?? ''));
  assert.deepEqual(
    pvr.warnings.map((w) => w.code),
    ['run-json-volumes-join'],
  );
});

test('the default mode is fixed', needsCorpus('pvr-template'), () => {
  const c = cases.find((x) => x.id.endsWith('-volume-mounts-two'));
  assert.ok(c);
  const r = renderContainerFiles(c.src, { name: c.meta.app });
  assert.equal(r.runJson, render(c, 'fixed').runJson);
});

test(
  'an already-parsed src.json renders like its file when numbers are plain',
  needsCorpus('pvr-template'),
  () => {
    let compared = 0;
    for (const c of cases) {
      let obj: unknown;
      try {
        obj = JSON.parse(c.src.toString('utf8'));
      } catch {
        continue;
      }
      const node = parseGoJson(c.src);
      if (node.kind !== 'object') continue;
      // Skip files whose numbers or strings JSON.parse changes, and files with repeated top-level members.
      if (goJson(nodeToGoValue(node)) !== goJson(toGoValue(obj))) continue;
      const keys = node.members.map((m) => foldFieldName(m.key));
      if (new Set(keys).size !== keys.length) continue;
      const a = renderContainerFiles(obj as Record<string, unknown>, {
        name: c.meta.app,
        compat: 'pvr037',
        groups: c.groups,
      });
      const b = render(c, 'pvr037');
      assert.equal(a.runJson, b.runJson, c.id);
      assert.equal(a.lxcConf, b.lxcConf, c.id);
      assert.equal(a.error?.exitCode, b.error?.exitCode, c.id);
      compared++;
    }
    assert.ok(compared > 80, `only ${compared} cases compared`);
  },
);
