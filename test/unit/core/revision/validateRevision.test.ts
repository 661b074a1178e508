import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPantavisorService } from '../../../../src/core/service';
import type { CheckoutFile } from '../../../../src/core/revision/RevisionModel';
import { RULES } from '../../../../src/core/revision/validateRevision';
import { corpusDir, needsCorpus } from '../../../support/corpus';

const service = createPantavisorService();
const SHA = 'a'.repeat(64);

/** Strips the markers ⟦ ⟧ from `marked` and returns the text and the marked range. */
function marked(src: string): { text: string; start: number; end: number } {
  const start = src.indexOf('⟦');
  const end = src.indexOf('⟧') - 1;
  assert.ok(start >= 0 && end >= start, 'case needs ⟦ ⟧ markers');
  return { text: src.replace('⟦', '').replace('⟧', ''), start, end };
}

const run = (name: string, extra = ''): string =>
  `"${name}/run.json": {"#spec":"service-manifest-run@1","name":"${name}","config":"lxc.container.conf","root-volume":"root.squashfs","type":"lxc","volumes":[]${extra}}, "${name}/lxc.container.conf": "${SHA}", "${name}/root.squashfs": "${SHA}"`;

/** Each case: a state with one expected diagnostic at the marked range. */
const stateCases: { name: string; state: string; code: string; canary: string }[] = [
  {
    name: 'missing #spec',
    state: `⟦{⟧${run('a').replace(/^/, '')}}`,
    code: 'PV010',
    canary: 'Missing "#spec"',
  },
  {
    name: 'unknown #spec',
    state: `{"#spec": ⟦"pantavisor-service-system@2"⟧, ${run('a')}}`,
    code: 'PV011',
    canary: 'Unknown "#spec"',
  },
  {
    name: 'legacy #spec',
    state: `{"#spec": ⟦"pantavisor-multi-platform@1"⟧}`,
    code: 'PV012',
    canary: 'legacy',
  },
  {
    name: 'name vs folder',
    state: `{"#spec":"pantavisor-service-system@1", "a/run.json": {"name": ⟦"b"⟧, "config":"c.conf"}, "a/c.conf":"${SHA}"}`,
    code: 'PV100',
    canary: 'folder is "a"',
  },
  {
    name: 'unknown group (defaults)',
    state: `{"#spec":"pantavisor-service-system@1", ${run('a', ',"group":⟦"apps"⟧')}}`,
    code: 'PV101',
    canary: 'Group "apps" is not defined',
  },
  {
    name: 'unknown group (device.json)',
    state: `{"#spec":"pantavisor-service-system@1","device.json":{"groups":[{"name":"base"}]}, ${run('a', ',"group":⟦"app"⟧')}}`,
    code: 'PV101',
    canary: 'device.json',
  },
  {
    name: 'ungrouped with custom groups',
    state: `{"#spec":"pantavisor-service-system@1","groups.json":[{"name":"base"}], ⟦"a/run.json"⟧: {"name":"a"}}`,
    code: 'PV102',
    canary: 'no "group"',
  },
  {
    name: 'config missing',
    state: `{"#spec":"pantavisor-service-system@1","a/run.json":{"name":"a","config":⟦"lxc.container.conf"⟧}}`,
    code: 'PV110',
    canary: 'a/lxc.container.conf',
  },
  {
    name: 'root-volume missing',
    state: `{"#spec":"pantavisor-service-system@1","a/run.json":{"name":"a","root-volume":⟦"root.squashfs"⟧}}`,
    code: 'PV111',
    canary: 'a/root.squashfs',
  },
  {
    name: 'dm root-volume without manifest',
    state: `{"#spec":"pantavisor-service-system@1","a/root.squashfs":"${SHA}","a/run.json":{"name":"a","root-volume":⟦"dm:root.squashfs"⟧}}`,
    code: 'PV113',
    canary: '_dm/root.squashfs.json',
  },
  {
    name: 'volume missing',
    state: `{"#spec":"pantavisor-service-system@1","a/run.json":{"name":"a","volumes":["x.squashfs", ⟦"y.squashfs"⟧]},"a/x.squashfs":"${SHA}"}`,
    code: 'PV112',
    canary: 'a/y.squashfs',
  },
  {
    name: 'required driver missing',
    state: `{"#spec":"pantavisor-service-system@1","bsp/drivers.json":{"#spec":"driver-aliases@1","all":{"wifi":["x"]}}, ${run('a', ',"drivers":{"required":["wifi", ⟦"usbnet"⟧]}')}}`,
    code: 'PV120',
    canary: 'Driver "usbnet" is required',
  },
  {
    name: 'required service not exported',
    state: `{"#spec":"pantavisor-service-system@1", ${run('a', ',"services":{"required":[{"name": ⟦"dbus-x"⟧, "target":"/run/x"}]}')}}`,
    code: 'PV130',
    canary: 'Service "dbus-x" is required',
  },
  {
    name: 'storage disk unknown',
    state: `{"#spec":"pantavisor-service-system@1","device.json":{"groups":[{"name":"app"}],"disks":[{"name":"d1","type":"volume-disk"}]}, ${run('a', ',"group":"app","storage":{"docker--data":{"persistence":"permanent","disk":⟦"d2"⟧}}')}}`,
    code: 'PV140',
    canary: 'disk "d2"',
  },
  {
    name: 'duplicate disk alias',
    state: `{"#spec":"pantavisor-service-system@1","device.json":{"groups":[{"name":"app"}],"disks":[{"name":"d1","type":"volume-disk","aliases":["x"]},{"name":"d2","type":"volume-disk","aliases":[⟦"x"⟧]}]}}`,
    code: 'PV141',
    canary: '"x" is used twice',
  },
  {
    name: 'duplicate group',
    state: `{"#spec":"pantavisor-service-system@1","device.json":{"groups":[{"name":"app"},{"name":⟦"app"⟧}]}}`,
    code: 'PV142',
    canary: 'Duplicate group name',
  },
  {
    name: 'boot file missing',
    state: `{"#spec":"pantavisor-service-system@1","bsp/run.json":{"linux":"kernel.img","initrd":⟦"pantavisor"⟧},"bsp/kernel.img":"${SHA}"}`,
    code: 'PV150',
    canary: 'bsp/pantavisor',
  },
  {
    name: 'device.json shadows groups.json',
    state: `{"#spec":"pantavisor-service-system@1","device.json":{"groups":[{"name":"app"}]},⟦"groups.json"⟧:[{"name":"x"}]}`,
    code: 'PV160',
    canary: 'ignored',
  },
  {
    name: 'device.json without groups (a schema warning; the rules fall back to the defaults)',
    state: `{"#spec":"pantavisor-service-system@1",⟦"device.json"⟧:{"disks":[{"name":"d","type":"swap-disk"}]}}`,
    code: 'schema.required',
    canary: 'ignores the rest of device.json',
  },
  {
    name: '_config for unknown container',
    state: `{"#spec":"pantavisor-service-system@1",⟦"_config/zz/etc/x"⟧:"${SHA}"}`,
    code: 'PV170',
    canary: '"zz"',
  },
  {
    name: 'object is not a sha',
    state: `{"#spec":"pantavisor-service-system@1","README.md": ⟦"hello"⟧}`,
    code: 'schema.pattern',
    canary: 'sha256',
  },
  {
    name: 'syntax error',
    state: `{"#spec":"pantavisor-service-system@1" ⟦"a"⟧:"\${SHA}"}`,
    code: 'PV001',
    canary: 'Comma expected',
  },
  { name: 'not an object', state: `⟦[1,2]⟧`, code: 'PV002', canary: 'must be a JSON object' },
];

for (const c of stateCases) {
  test(`state: ${c.name} → ${c.code} at the exact range`, () => {
    const { text, start, end } = marked(c.state);
    const diags = service.validateState('state.json', text);
    const hits = diags.filter((d) => d.code === c.code);
    assert.equal(hits.length, 1, `expected one ${c.code}, got ${JSON.stringify(diags, null, 1)}`);
    const d = hits[0]!;
    assert.deepEqual(
      { start: d.start, end: d.end },
      { start, end },
      `range of ${c.code}: ${text.slice(d.start, d.end)}`,
    );
    assert.ok(d.message.includes(c.canary), `message "${d.message}" lacks "${c.canary}"`);
    if (RULES[c.code]) assert.equal(d.severity, RULES[c.code]!.severity);
    const others = diags.filter((x) => x.severity === 'error' && x.code !== c.code);
    // Only the rule under test fires as an error (schema errors from the stub-free parts excepted).
    assert.deepEqual(
      others.filter((x) => x.code.startsWith('PV')).map((x) => x.code),
      [],
    );
  });
}

test('a minimal valid state has no diagnostics', () => {
  const text = `{"#spec":"pantavisor-service-system@1", ${run('a', ',"group":"app"')}}`;
  assert.deepEqual(service.validateState('s.json', text), []);
});

test('checkout: cross-file rules point into the file that holds the error', () => {
  const runText =
    '{\n  "name": "web",\n  "config": "lxc.container.conf",\n  "root-volume": "root.squashfs",\n  "group": "nope"\n}';
  const files: CheckoutFile[] = [
    { key: 'web/run.json', file: '/co/web/run.json', text: runText },
    { key: 'web/root.squashfs', file: '/co/web/root.squashfs' },
  ];
  const diags = service.validateCheckout('/co', files, {
    file: '/co/.pvr/json',
    text: '{"#spec":"pantavisor-service-system@1"}',
  });
  const byCode = new Map(diags.map((d) => [d.code, d]));
  const cfg = byCode.get('PV110');
  assert.ok(cfg, JSON.stringify(diags));
  assert.equal(cfg.file, '/co/web/run.json');
  assert.equal(runText.slice(cfg.start, cfg.end), '"lxc.container.conf"');
  const grp = byCode.get('PV101');
  assert.ok(grp);
  assert.equal(runText.slice(grp.start, grp.end), '"nope"');
  assert.equal(byCode.get('PV111'), undefined, 'root.squashfs exists on disk');
});

test('checkout: missing #spec in .pvr/json is reported on .pvr/json', () => {
  const diags = service.validateCheckout('/co', [], { file: '/co/.pvr/json', text: '{}' });
  assert.deepEqual(
    diags.map((d) => [d.file, d.code, d.start, d.end]),
    [['/co/.pvr/json', 'PV010', 0, 1]],
  );
});

test('every real Pantavisor state validates with zero errors', needsCorpus('pantavisor'), () => {
  const dir = corpusDir('pantavisor')!;
  const states = readdirSync(dir).filter((f) => f.startsWith('state.') && f.endsWith('.json'));
  assert.ok(states.length >= 7, `found ${states.length} states`);
  for (const f of states) {
    const diags = service.validateState(f, readFileSync(join(dir, f), 'utf8'));
    const errors = diags.filter((d) => d.severity === 'error');
    assert.deepEqual(errors, [], `${f} has errors`);
    assert.deepEqual(
      diags.filter((d) => d.severity === 'warning'),
      [],
      `${f} has warnings`,
    );
  }
});

test('every rule code has a summary and a known severity', () => {
  for (const [code, r] of Object.entries(RULES)) {
    assert.match(code, /^PV\d{3}$/);
    assert.ok(r.summary.length > 10);
    assert.ok(['error', 'warning', 'info'].includes(r.severity));
  }
});

test('fixed state keys and disks_v3.json are checked against their own subschemas', () => {
  const text = `{"#spec":"pantavisor-service-system@1","_hostconfig/pvr/docker.json":{"platforms":"linux/arm64"},"disks_v3.json":[{"name":"x","type":"not-a-type"}]}`;
  const diags = service.validateState('s.json', text);
  const platforms = diags.find((d) => text.slice(d.start, d.end) === '"linux/arm64"');
  assert.ok(platforms, `platforms must be an array: ${JSON.stringify(diags)}`);
  assert.equal(
    diags.filter((d) => d.severity === 'error' && text.slice(d.start, d.end).includes('not-a-type')).length,
    0,
    'disks_v3.json is lenient about unknown disk types',
  );
});
