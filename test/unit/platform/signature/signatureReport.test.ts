import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { indexState } from '../../../../src/core/signature/payload';
import { signState } from '../../../../src/platform/signature/sign';
import { loadSignatureReport } from '../../../../src/platform/signature/signatureReport';
import { readCheckout } from '../../../../src/platform/signature/workingTree';
import { summarize } from '../../../../src/platform/signature/signatureSummary';
import { decorateSignatureNodes } from '../../../../src/platform/signature/signatureNodes';
import { generateKeys, writeCheckout } from '../../../support/signatures';

const keys = generateKeys();

const FILES = {
  'app/run.json': '{"#spec":"service-manifest-run@1","name":"app","root":"root.squashfs"}',
  'app/root.squashfs': Buffer.from('squashfs bytes of app'),
  'app/src.json': '{"#spec":"service-manifest-src@1"}',
  'bsp/kernel.img': Buffer.from('kernel'),
  'device.json': '{"groups":[]}',
};

/** A checkout whose `app` part is signed and committed (commit, sign, add, commit). */
function signedCheckout(): string {
  const dir = writeCheckout(FILES);
  const state = indexState(readFileSync(join(dir, '.pvr/json'), 'utf8'));
  const res = signState({
    state,
    match: { include: ['app/**', '_config/app/**'], exclude: ['app/src.json', '_sigs/app.json'] },
    key: keys.ES256.privateKey,
  });
  writeCheckout({ ...FILES, '_sigs/app.json': res.fileText }, dir);
  return dir;
}

test('clean checkout: the signature is intact, coverage lists every file', async () => {
  const dir = signedCheckout();
  const r = await loadSignatureReport(dir, {
    trust: { publicKeys: [keys.ES256.publicKey] },
    trustConfigured: true,
  });
  assert.deepEqual(
    r.signatures.map((s) => [s.key, s.status]),
    [['_sigs/app.json', 'valid']],
  );
  const cov = Object.fromEntries(r.coverage.files.map((f) => [f.key, f.coveredBy]));
  assert.deepEqual(cov, {
    '#spec': [],
    '_sigs/app.json': [],
    'app/root.squashfs': ['app'],
    'app/run.json': ['app'],
    'app/src.json': [],
    'bsp/kernel.img': [],
    'device.json': [],
  });
  assert.deepEqual(r.coverage.stale, []);
  assert.deepEqual(r.coverage.uncovered, ['#spec', 'app/src.json', 'bsp/kernel.img', 'device.json']);
  // Not strict: no uncovered warnings; nothing wrong.
  assert.deepEqual(r.diagnostics, []);
  const strict = await loadSignatureReport(dir, { strict: true });
  assert.deepEqual(
    strict.diagnostics.map((d) => [d.file, d.code, d.severity]),
    [
      ['#spec', 'PVS013', 'warning'],
      ['app/src.json', 'PVS013', 'warning'],
      ['bsp/kernel.img', 'PVS013', 'warning'],
      ['device.json', 'PVS013', 'warning'],
    ],
  );
});

test('flip one byte of a covered file: error on that file and on the signature', async () => {
  const dir = signedCheckout();
  const path = join(dir, 'app/root.squashfs');
  const bytes = readFileSync(path);
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  writeFileSync(path, bytes);
  const r = await loadSignatureReport(dir);
  assert.deepEqual(r.checkout.changes.modified, ['app/root.squashfs']);
  assert.deepEqual(r.coverage.stale, [
    { name: 'app', key: '_sigs/app.json', changed: ['app/root.squashfs'] },
  ]);
  const diags = r.diagnostics.map((d) => [d.file, d.code, d.severity]);
  assert.deepEqual(diags, [
    ['_sigs/app.json', 'PVS011', 'error'],
    ['app/root.squashfs', 'PVS012', 'error'],
  ]);
  const stale = r.diagnostics[0];
  assert.ok(stale?.message.includes('app/root.squashfs'));
  assert.ok(stale?.message.includes('pvkit sig update app'));
  assert.deepEqual(stale?.data?.['fix'], 'resign');
  // The range of the stale diagnostic is the "protected" string of the signature file.
  const sigText = readFileSync(join(dir, '_sigs/app.json'), 'utf8');
  assert.equal(sigText.slice(stale?.start ?? 0, (stale?.start ?? 0) + 4), '"eyJ');
  // An unchanged uncovered file is not reported.
  assert.ok(!r.diagnostics.some((d) => d.file === 'bsp/kernel.img'));
});

test('inline JSON is compared by value: reformatting is no change, a new value is', async () => {
  const dir = signedCheckout();
  writeFileSync(
    join(dir, 'app/run.json'),
    '{\n  "root": "root.squashfs",\n  "name": "app",\n  "#spec": "service-manifest-run@1"\n}\n',
  );
  assert.deepEqual((await readCheckout(dir)).changes.modified, []);
  writeFileSync(
    join(dir, 'app/run.json'),
    '{"#spec":"service-manifest-run@1","name":"app2","root":"root.squashfs"}',
  );
  const r = await loadSignatureReport(dir);
  assert.deepEqual(r.coverage.stale[0]?.changed, ['app/run.json']);
  // Broken JSON counts as changed, it does not crash.
  writeFileSync(join(dir, 'app/run.json'), '{"#spec": ');
  assert.deepEqual((await readCheckout(dir)).changes.modified, ['app/run.json']);
});

test('a deleted covered file and a new file inside the signed part make the signature stale', async () => {
  const dir = signedCheckout();
  rmSync(join(dir, 'app/root.squashfs'));
  mkdirSync(join(dir, '_config/app'), { recursive: true });
  writeFileSync(join(dir, '_config/app/new.conf'), 'x=1');
  writeFileSync(join(dir, 'notes.txt'), 'not in any signature');
  const r = await loadSignatureReport(dir);
  assert.deepEqual(r.checkout.changes.deleted, ['app/root.squashfs']);
  assert.deepEqual(r.checkout.changes.added, ['_config/app/new.conf', 'notes.txt']);
  assert.deepEqual(r.coverage.stale[0]?.changed, ['_config/app/new.conf', 'app/root.squashfs']);
  const files = Object.fromEntries(r.coverage.files.map((f) => [f.key, f]));
  assert.deepEqual(files['_config/app/new.conf'], {
    key: '_config/app/new.conf',
    coveredBy: ['app'],
    change: 'added',
  });
  assert.deepEqual(files['notes.txt']?.coveredBy, []);
  assert.ok(r.diagnostics.some((d) => d.file === '_config/app/new.conf' && d.code === 'PVS012'));
});

test('a committed change the signature was not updated for is an invalid signature', async () => {
  const dir = signedCheckout();
  const sig = readFileSync(join(dir, '_sigs/app.json'), 'utf8');
  // Change and commit without re-signing.
  writeCheckout({ ...FILES, 'app/root.squashfs': Buffer.from('new rootfs'), '_sigs/app.json': sig }, dir);
  const r = await loadSignatureReport(dir);
  assert.equal(r.signatures[0]?.status, 'invalid');
  assert.deepEqual(
    r.diagnostics.map((d) => [d.file, d.code]),
    [['_sigs/app.json', 'PVS010']],
  );
});

test('bad signature files are diagnostics on the file, not crashes', async () => {
  const dir = signedCheckout();
  const cases: [string, string][] = [
    ['{"#spec":"pvs@2","protected":', 'PVS001'],
    ['{"#spec":"pvs@2","protected":"!!","signature":"AA"}', 'PVS003'],
  ];
  for (const [text, code] of cases) {
    writeFileSync(join(dir, '_sigs/app.json'), text);
    const r = await loadSignatureReport(dir);
    assert.equal(r.signatures[0]?.status, 'error');
    assert.equal(r.diagnostics[0]?.code, code);
    assert.equal(r.diagnostics[0]?.file, '_sigs/app.json');
  }
  // A malformed glob in an otherwise well-formed signature.
  const state = indexState(readFileSync(join(dir, '.pvr/json'), 'utf8'));
  assert.throws(
    () => signState({ state, match: { include: ['app/[x'], exclude: [] }, key: keys.RS256.privateKey }),
    /bad glob pattern "app\/\[x"/,
  );
  const header = { alg: 'RS256', typ: 'PVS', pvs: { include: ['app/[x'], exclude: [] } };
  const globBad = JSON.stringify({
    '#spec': 'pvs@2',
    protected: Buffer.from(JSON.stringify(header)).toString('base64url'),
    signature: 'AAAA',
  });
  writeFileSync(join(dir, '_sigs/app.json'), globBad);
  const r = await loadSignatureReport(dir);
  assert.equal(r.diagnostics[0]?.code, 'PVS007');
  assert.match(r.diagnostics[0]?.message ?? '', /never closed/);
});

test('not a checkout: a clear error', async () => {
  const dir = writeCheckout({ 'a.txt': 'x' });
  rmSync(join(dir, '.pvr'), { recursive: true });
  await assert.rejects(loadSignatureReport(dir), /not a pvr checkout/);
  mkdirSync(join(dir, '.pvr'));
  writeFileSync(join(dir, '.pvr/json'), '{"a":');
  await assert.rejects(loadSignatureReport(dir), /\.pvr\/json: state JSON is invalid/);
  appendFileSync(join(dir, '.pvr/json'), '');
});

test('the revision view summary: status, staleness and coverage as plain data', async () => {
  const dir = signedCheckout();
  writeFileSync(join(dir, 'app/root.squashfs'), 'other');
  const r = await loadSignatureReport(dir);
  const s = summarize(r, false);
  assert.equal(s.dir, dir);
  assert.deepEqual(s.signatures, [
    {
      name: 'app',
      file: '_sigs/app.json',
      status: 'untrusted',
      stale: true,
      reason: 'no trusted key given (--pubkey or --cacerts)',
      alg: 'ES256',
      signer: 'jwk in the signature',
      covers: ['app/root.squashfs', 'app/run.json'],
    },
  ]);
  assert.deepEqual(s.uncovered, ['#spec', 'app/src.json', 'bsp/kernel.img', 'device.json']);
  assert.equal(s.files.find((f) => f.key === 'app/root.squashfs')?.change, 'modified');
});

test('the revision view Signatures section gets status, covered files and uncovered files', async () => {
  const dir = signedCheckout();
  writeFileSync(join(dir, 'app/root.squashfs'), 'other');
  const summary = summarize(await loadSignatureReport(dir), false);
  const nodes = decorateSignatureNodes(
    [
      { label: 'Containers', children: [] },
      { label: 'Signatures', description: '1', children: [{ label: 'app', icon: 'key' }] },
    ],
    summary,
  );
  assert.deepEqual(nodes[0], { label: 'Containers', children: [] });
  const sig = nodes[1]?.children?.[0];
  assert.equal(sig?.description, 'stale · intact, key not trusted · ES256');
  assert.equal(sig?.icon, 'warning');
  assert.deepEqual(
    sig?.children?.map((c) => [c.label, c.icon]),
    [
      ['app/root.squashfs', 'diff-modified'],
      ['app/run.json', 'file'],
    ],
  );
  const uncovered = nodes[1]?.children?.[1];
  assert.equal(uncovered?.label, 'Not covered');
  assert.equal(uncovered?.description, '4');
  assert.deepEqual(decorateSignatureNodes(nodes, undefined), nodes);
});
