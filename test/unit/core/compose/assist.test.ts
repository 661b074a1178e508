import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeHover } from '../../../../src/core/compose/composeHover';
import { composeCompletion } from '../../../../src/core/compose/composeCompletion';
import { buildComposeSchema } from '../../../../src/core/compose/buildComposeSchema';
import { COMPOSE_FIELDS, BALENA_LABELS } from '../../../../src/core/compose/mapping';
import { ROOT, corpusDir, needsCorpus } from '../../../support/corpus';

const DOC = `services:
  web:
    image: alpine
    restart: always
    devices:
      - /dev/i2c-1:/dev/i2c-1
    labels:
      io.balena.features.dbus: '1'
      io.resin.features.kernel-modules: '1'
volumes:
  data:
    driver: local
`;

const HOVERS: { at: string; canary: string }[] = [
  { at: 'restart', canary: 'PV_AUTO_RECOVERY' },
  { at: 'devices', canary: 'PVR_LXC_CGROUP_DEVICES_WHITE' },
  { at: 'image', canary: 'docker_name' },
  { at: 'io.balena.features.dbus', canary: 'pv-xconnect' },
  { at: 'io.resin.features.kernel-modules', canary: 'Legacy name' },
  { at: 'driver', canary: 'local' },
];

for (const h of HOVERS) {
  test(`hover on ${h.at}`, () => {
    const start = DOC.indexOf(h.at);
    const r = composeHover(DOC, start + 1);
    assert.ok(r, 'no hover');
    assert.deepEqual([r.start, r.end], [start, start + h.at.length]);
    assert.ok(r.markdown.includes(h.canary), r.markdown);
  });
}

test('no hover on values', () => {
  assert.equal(composeHover(DOC, DOC.indexOf('alpine') + 1), undefined);
});

const COMPLETIONS: { text: string; expect: string[]; absent?: string[] }[] = [
  { text: 'services:\n  web:\n    image: a\n    re|\n', expect: ['restart', 'read_only'], absent: ['image'] },
  { text: 'services:\n  web:\n    restart: |\n', expect: ['"no"', 'always', 'unless-stopped'] },
  {
    text: 'services:\n  web:\n    labels:\n      io.balena.features.d|\n',
    expect: ['io.balena.features.dbus'],
  },
  { text: 'services:\n  web:\n    labels:\n      io.balena.update.strategy: |\n', expect: ["'hand-over'"] },
  { text: 'services:\n  web:\n    build:\n      con|\n', expect: ['context'] },
  { text: 'serv|\n', expect: ['services'] },
];

for (const c of COMPLETIONS) {
  test(`completion: ${JSON.stringify(c.text)}`, () => {
    const offset = c.text.indexOf('|');
    const text = c.text.replace('|', '');
    const labels = composeCompletion(text, offset).map((i) => i.label);
    for (const e of c.expect) assert.ok(labels.includes(e), `${e} missing from ${labels.join(', ')}`);
    for (const a of c.absent ?? []) assert.ok(!labels.includes(a), `${a} should not be offered`);
  });
}

test('schemas/balena-compose.schema.json is generated from the mapping table (run scripts/genComposeSchema.ts)', () => {
  const file = JSON.parse(readFileSync(join(ROOT, 'schemas/balena-compose.schema.json'), 'utf8')) as unknown;
  assert.deepEqual(file, buildComposeSchema());
});

test('every row of the mapping table is complete', () => {
  for (const f of COMPOSE_FIELDS) {
    assert.ok(f.balena && f.rationale, f.key);
    if (f.pantavisor.kind === 'dropped') assert.ok(f.pantavisor.why && f.pantavisor.instead, f.key);
    if (f.status !== 'supported' && f.status !== 'rejected')
      assert.ok(f.statusReason, `${f.key} needs a reason`);
  }
  for (const l of BALENA_LABELS) assert.ok(l.balena && l.rationale, l.label);
  assert.equal(new Set(COMPOSE_FIELDS.map((f) => f.key)).size, COMPOSE_FIELDS.length, 'duplicate keys');
});

test(
  'the table knows every service field of compose 2.4 and of the compose spec',
  needsCorpus('schemas'),
  () => {
    const dir = corpusDir('schemas') ?? '';
    const known = new Set(
      COMPOSE_FIELDS.filter((f) => f.key.startsWith('service.')).map((f) => f.key.slice(8)),
    );
    const v24 = JSON.parse(readFileSync(join(dir, 'compose-v2.4/config_schema_v2.4.json'), 'utf8')) as {
      definitions: { service: { properties: Record<string, unknown> } };
    };
    const spec = JSON.parse(readFileSync(join(dir, 'compose-spec/compose-spec.json'), 'utf8')) as {
      definitions: { service: { properties: Record<string, unknown> } };
    };
    const missing = [
      ...Object.keys(v24.definitions.service.properties),
      ...Object.keys(spec.definitions.service.properties),
    ].filter((k) => !known.has(k));
    console.log(`fields not in the table: ${[...new Set(missing)].join(', ') || 'none'}`);
    assert.ok(missing.length <= 8, `too many unknown fields: ${missing.join(', ')}`);
  },
);
