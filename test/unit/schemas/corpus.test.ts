import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorObject } from 'ajv';
import { SchemaSet } from '../../../src/core/schema/schemaSet';
import { corpusDir, needsCorpus } from '../../support/corpus';

/**
 * Real data must fit our schemas: every state and extracted file of Pantavisor's own test data,
 * meta-pantavisor's example JSON, and every pvr-accepted src.json / valid run.json of the pvr
 * template oracle. Warnings are listed explicitly below, each with the reason it is deserved.
 */

const schemas = new SchemaSet();

type Severity = 'error' | 'warning' | 'info';
interface Finding {
  path: string;
  keyword: string;
  severity: Severity;
}

function findings(schema: string, value: unknown): Finding[] {
  return schemas
    .validate(schema, value)
    .filter((e: ErrorObject) => e.keyword !== 'if')
    .map((e) => ({
      path: e.instancePath,
      keyword: e.keyword,
      severity: (e.parentSchema?.['x-severity'] as Severity) ?? 'error',
    }));
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8')) as unknown;
}

/** Schema (and fragment) for a corpus file, worked out from its name. */
function schemaForCorpusFile(name: string): string | undefined {
  if (name.endsWith('.protected-header.decoded.json'))
    return 'pantavisor-signature.schema.json#/definitions/protectedHeader';
  if (name.startsWith('_sigs.')) return 'pantavisor-signature.schema.json';
  if (name === 'bsp.build.json') return 'pantavisor-state.schema.json#/properties/bsp~1build.json';
  if (name.startsWith('bsp.') && name.endsWith('.run.json')) return 'pantavisor-bsp-run.schema.json';
  if (name === 'bsp.run.json') return 'pantavisor-bsp-run.schema.json';
  if (name === 'bsp.src.json') return 'pantavisor-bsp-src.schema.json';
  if (name.endsWith('drivers.json')) return 'pantavisor-drivers.schema.json';
  if (name.startsWith('device') || name.endsWith('.device.json')) return 'pantavisor-device.schema.json';
  if (name.endsWith('disks.json')) return 'pantavisor-disks.schema.json';
  if (name.endsWith('groups.json')) return 'pantavisor-groups.schema.json';
  if (name.includes('._dm.')) return 'pantavisor-dm.schema.json';
  if (name.endsWith('mdev.json')) return 'pantavisor-mdev.schema.json';
  if (name.endsWith('.run.json')) return 'pantavisor-run.schema.json';
  if (name.endsWith('.src.json')) return 'pantavisor-src.schema.json';
  if (name.endsWith('.services.json')) return 'pantavisor-services.schema.json';
  if (name.endsWith('.args.json')) return 'pantavisor-src.schema.json#/definitions/args';
  return undefined;
}

/** Findings real data deserves, by file; anything else (or any error) fails the test. */
const EXPECTED: Record<string, Finding[]> = {
  // The mdev LXC hook of current Pantavisor reads only {"rules": [...]}; this older test state
  // uses the bare-array form, which the hook ignores: an info, not a warning.
  'pantavisor/state.watchdog_pinger.json': [
    { path: '/watchdog_pinger~1mdev.json', keyword: 'maxItems', severity: 'info' },
  ],
  'pantavisor/examples/watchdog_pinger.mdev.json': [{ path: '', keyword: 'maxItems', severity: 'info' }],
};

function check(label: string, schema: string, value: unknown): void {
  const got = findings(schema, value);
  assert.deepEqual(got, EXPECTED[label] ?? [], `${label} against ${schema}`);
}

test('every Pantavisor test state validates against the state schema', needsCorpus('pantavisor'), () => {
  const dir = corpusDir('pantavisor')!;
  const states = readdirSync(dir).filter((f) => f.startsWith('state.') && f.endsWith('.json'));
  assert.ok(states.length >= 7, 'expected the Pantavisor test states');
  for (const f of states) check(`pantavisor/${f}`, 'pantavisor-state.schema.json', readJson(join(dir, f)));
});

test('the built-in default groups validate against the groups schema', needsCorpus('pantavisor'), () => {
  const dir = corpusDir('pantavisor')!;
  check(
    'pantavisor/defaults.groups.json',
    'pantavisor-groups.schema.json',
    readJson(join(dir, 'defaults.groups.json')),
  );
});

for (const sub of ['pantavisor/examples', 'meta-pantavisor', 'meta-pantavisor/pv-examples']) {
  test(`every JSON file in ${sub} validates against the schema of its kind`, needsCorpus(sub), () => {
    const dir = corpusDir(sub)!;
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    assert.ok(files.length > 0);
    const unmatched: string[] = [];
    for (const f of files) {
      const schema = schemaForCorpusFile(f);
      if (!schema) {
        unmatched.push(f);
        continue;
      }
      check(`${sub}/${f}`, schema, readJson(join(dir, f)));
    }
    assert.deepEqual(unmatched, [], 'files whose kind could not be worked out from the name');
  });
}

interface CaseInfo {
  pvr_exit: number;
  has_run_json?: boolean;
  run_json_is_valid_json?: boolean;
}

/**
 * pvr-accepted inputs and pvr outputs that deserve a warning: pvr copies the arg into run.json
 * as it is, and Pantavisor (or its remount hook) then ignores the value.
 */
const PVR_WARNINGS: Record<string, Finding[]> = {
  '053-roles-string/src.json': [{ path: '/args/PV_ROLES', keyword: 'type', severity: 'warning' }],
  '053-roles-string/run.json': [{ path: '/roles', keyword: 'type', severity: 'warning' }],
  '060-automodfw-object/src.json': [{ path: '/args/PV_AUTOMODFW', keyword: 'type', severity: 'warning' }],
  '060-automodfw-object/run.json': [{ path: '/automodfw', keyword: 'type', severity: 'warning' }],
  '062-remount-string/src.json': [{ path: '/args/PV_REMOUNT', keyword: 'type', severity: 'warning' }],
  '062-remount-string/run.json': [{ path: '/remount', keyword: 'type', severity: 'warning' }],
  '168-args-keys-case-sensitive/src.json': [
    { path: '/args/pv_group', keyword: 'not', severity: 'warning' },
    { path: '/args/Pv_Debug_Mode', keyword: 'not', severity: 'warning' },
    { path: '/args/lxc_tty_max', keyword: 'not', severity: 'warning' },
  ],
  '298-unknown-top-keys/src.json': [{ path: '/foo', keyword: 'not', severity: 'warning' }],
  '326-combo-every-run-key/src.json': [
    { path: '/args/PV_REMOUNT/rw/0', keyword: 'type', severity: 'warning' },
  ],
  '348-random-09/src.json': [{ path: '/args/PV_REMOUNT', keyword: 'type', severity: 'warning' }],
  '348-random-09/run.json': [{ path: '/remount', keyword: 'type', severity: 'warning' }],
  '362-random-23/src.json': [{ path: '/args/PV_REMOUNT/ro/0', keyword: 'type', severity: 'warning' }],
  '362-random-23/run.json': [{ path: '/remount/ro/0', keyword: 'type', severity: 'warning' }],
  '367-random-28/src.json': [{ path: '/args/PV_REMOUNT', keyword: 'type', severity: 'warning' }],
  '367-random-28/run.json': [{ path: '/remount', keyword: 'type', severity: 'warning' }],
  '369-random-30/src.json': [{ path: '/args/PV_REMOUNT', keyword: 'type', severity: 'warning' }],
  '369-random-30/run.json': [{ path: '/remount', keyword: 'type', severity: 'warning' }],
};

/** Inputs pvr rejected (nothing written): the schema must report at least one error for them. */
const PVR_REJECTED_MUST_ERROR = [
  '149-cap-keep-number',
  '213-env-number',
  '219-workingdir-bool',
  '296-exports-non-string',
  '299-template-missing',
];

test(
  'pvr template oracle: accepted src.json and valid run.json fit the schemas',
  needsCorpus('pvr-template'),
  () => {
    const dir = corpusDir('pvr-template')!;
    const cases = readdirSync(dir).filter((d) => existsSync(join(dir, d, 'case.json')));
    assert.ok(cases.length > 100);
    let runs = 0;
    let srcs = 0;
    for (const c of cases) {
      const info = readJson(join(dir, c, 'case.json')) as CaseInfo;
      const runFile = join(dir, c, 'expected', 'run.json');
      const accepted = existsSync(runFile);
      if (accepted && info.run_json_is_valid_json !== false) {
        runs++;
        assert.deepEqual(
          findings('pantavisor-run.schema.json', readJson(runFile)),
          PVR_WARNINGS[`${c}/run.json`] ?? [],
          `${c}/expected/run.json`,
        );
      }
      let src: unknown;
      try {
        src = readJson(join(dir, c, 'src.json'));
      } catch {
        assert.ok(!accepted || c.includes('invalid-utf8'), `${c}: src.json is not JSON but pvr accepted it`);
        continue;
      }
      const got = findings('pantavisor-src.schema.json', src);
      if (accepted) {
        srcs++;
        assert.deepEqual(got, PVR_WARNINGS[`${c}/src.json`] ?? [], `${c}/src.json`);
      } else if (PVR_REJECTED_MUST_ERROR.includes(c)) {
        assert.ok(
          got.some((f) => f.severity === 'error'),
          `${c}: pvr rejected this src.json, the schema must too`,
        );
      }
    }
    assert.ok(runs >= 100, `checked ${runs} run.json files`);
    assert.ok(srcs >= 100, `checked ${srcs} src.json files`);
  },
);
