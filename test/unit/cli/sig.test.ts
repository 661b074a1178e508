import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../src/cli/pvkit';
import { parseSignatureFile } from '../../../src/core/signature/pvsSignature';
import {
  commitAll,
  generateKeys,
  hasOpenssl,
  makePki,
  tempDir,
  writeCheckout,
} from '../../support/signatures';

/**
 * pvkit sig against pvr's behaviour. pvr itself is not installed here, so `pvr add && pvr commit`
 * is stood in for by rewriting `.pvr/json` from the working tree (test/support/signatures.ts).
 */

const keys = generateKeys();
const FILES: Record<string, string | Buffer> = {
  'app/run.json': '{"#spec":"service-manifest-run@1","name":"app"}',
  'app/root.squashfs': Buffer.from('rootfs'),
  'app/src.json': '{"#spec":"service-manifest-src@1"}',
  'web/run.json': '{"#spec":"service-manifest-run@1","name":"web"}',
};

async function pvkit(cwd: string, argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(['sig', ...argv], {
    cwd,
    env,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { code, stdout, stderr };
}

function keyFiles(dir: string) {
  mkdirSync(join(dir, 'keys'), { recursive: true });
  const out: Record<string, { priv: string; pub: string }> = {};
  for (const [alg, k] of Object.entries(keys)) {
    const priv = join(dir, 'keys', `${alg}.key`);
    const pub = join(dir, 'keys', `${alg}.pub`);
    writeFileSync(priv, k.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    writeFileSync(pub, k.publicKey.export({ format: 'pem', type: 'spki' }));
    out[alg] = { priv, pub };
  }
  return out;
}

test("commit, sign, add, commit: then sig ls prints pvr's summary and exits 0 for every algorithm", async () => {
  const kdir = tempDir();
  const k = keyFiles(kdir);
  for (const alg of ['RS256', 'ES256', 'ES384', 'ES512']) {
    const dir = writeCheckout(FILES);
    const add = await pvkit(dir, ['--key', k[alg]?.priv ?? '', 'add', '--part', 'app']);
    assert.equal(add.code, 0, add.stderr);
    const sigText = readFileSync(join(dir, '_sigs/app.json'), 'utf8');
    const parsed = parseSignatureFile(sigText);
    assert.ok(parsed.ok);
    assert.equal(parsed.sig.header.alg, alg);
    // Before `pvr add/commit` of the signature, ls already verifies (working-tree signature file).
    const ls0 = await pvkit(dir, ['-p', k[alg]?.pub ?? '', 'ls', 'app']);
    assert.equal(ls0.code, 0, ls0.stderr);
    commitAll(dir, { ...FILES, '_sigs/app.json': sigText });
    const ls = await pvkit(dir, ['--pubkey', k[alg]?.pub ?? '', 'ls']);
    assert.equal(ls.code, 0, ls.stderr);
    assert.equal(
      ls.stdout,
      '{\n    "protected": [\n        "app/root.squashfs",\n        "app/run.json"\n    ],\n' +
        '    "excluded": [\n        "_sigs/app.json",\n        "app/src.json"\n    ],\n' +
        '    "notseen": [\n        "#spec",\n        "web/run.json"\n    ]\n}\n',
    );
    const withSigs = await pvkit(dir, ['--pubkey', k[alg]?.pub ?? '', 'ls', '--with-sigs']);
    const json = JSON.parse(withSigs.stdout) as { sigs: { protected: string }[] };
    assert.equal(json.sigs[0]?.protected, parsed.sig.protectedB64);
  }
});

test('sig ls exit codes: 11, 12, 13, 125, 127, 2', async () => {
  const kdir = tempDir();
  const k = keyFiles(kdir);
  const dir = writeCheckout(FILES);
  assert.equal((await pvkit(dir, ['-k', k['RS256']?.priv ?? '', 'add', '-p', 'app'])).code, 0);
  commitAll(dir, { ...FILES, '_sigs/app.json': readFileSync(join(dir, '_sigs/app.json')) });
  assert.equal((await pvkit(dir, ['-p', join(kdir, 'nope.pem'), 'ls'])).code, 11);
  assert.equal((await pvkit(dir, ['-p', kdir, 'ls'])).code, 12);
  // Wrong key: not verified.
  const wrong = await pvkit(dir, ['-p', k['ES256']?.pub ?? '', 'ls']);
  assert.equal(wrong.code, 13);
  assert.match(wrong.stderr, /^ERROR: _sigs\/app.json: not signed by a trusted key/);
  assert.equal((await pvkit(dir, ['-p', k['RS256']?.pub ?? '', 'ls', 'missing'])).code, 125);
  const noTrust = await pvkit(dir, ['ls']);
  assert.equal(noTrust.code, 127);
  assert.match(noTrust.stderr, /--pubkey/);
  // PVR_SIG_PUBKEY works like pvr's env default.
  assert.equal((await pvkit(dir, ['ls'], { PVR_SIG_PUBKEY: k['RS256']?.pub ?? '' })).code, 0);
  // A covered file committed after signing: 13.
  commitAll(dir, {
    ...FILES,
    'app/root.squashfs': 'changed',
    '_sigs/app.json': readFileSync(join(dir, '_sigs/app.json')),
  });
  const stale = await pvkit(dir, ['-p', k['RS256']?.pub ?? '', 'ls']);
  assert.equal(stale.code, 13);
  assert.match(stale.stderr, /does not match the committed state/);
  // A key file without a public key: 13 with a message naming the file.
  writeFileSync(join(kdir, 'empty.pem'), 'nothing here');
  const bad = await pvkit(dir, ['-p', join(kdir, 'empty.pem'), 'ls']);
  assert.equal(bad.code, 13);
  assert.match(bad.stderr, /empty\.pem/);
  assert.equal((await pvkit(tempDir(), ['-p', k['RS256']?.pub ?? '', 'ls'])).code, 2);
});

test('sig add: usage errors exit 5, signing errors 127, globs that match nothing', async () => {
  const kdir = tempDir();
  const k = keyFiles(kdir);
  const dir = writeCheckout(FILES);
  assert.equal((await pvkit(dir, ['-k', k['RS256']?.priv ?? '', 'add'])).code, 5);
  assert.equal(
    (await pvkit(dir, ['-k', k['RS256']?.priv ?? '', 'add', '--part', 'a', '--raw', 'b'])).code,
    5,
  );
  const noKey = await pvkit(dir, ['add', '--part', 'app']);
  assert.equal(noKey.code, 127);
  assert.match(noKey.stderr, /--key/);
  const nothing = await pvkit(dir, ['-k', k['RS256']?.priv ?? '', 'add', '--part', 'nosuchpart']);
  assert.equal(nothing.code, 127);
  assert.match(nothing.stderr, /select no key of the committed state/);
  const badGlob = await pvkit(dir, ['-k', k['RS256']?.priv ?? '', 'add', '--raw', 'x', '-i', 'app/[']);
  assert.equal(badGlob.code, 5);
  assert.match(badGlob.stderr, /never closed/);
  const partly = await pvkit(dir, [
    '-k',
    k['RS256']?.priv ?? '',
    'add',
    '--raw',
    'x',
    '-i',
    'app/**',
    '-i',
    'typo/**',
  ]);
  assert.equal(partly.code, 0);
  assert.match(partly.stderr, /WARNING: include glob "typo\/\*\*" matches no key/);
  const parsed = parseSignatureFile(readFileSync(join(dir, '_sigs/x.json'), 'utf8'));
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.sig.header.exclude, ['src.json', '_sigs/.json']);
  // A public key given as the signing key.
  const pubAsKey = await pvkit(dir, ['-k', k['RS256']?.pub ?? '', 'add', '--part', 'app']);
  assert.equal(pubAsKey.code, 127);
  assert.match(pubAsKey.stderr, /PRIVATE KEY/);
  // --output - prints the signature file too.
  const out = await pvkit(dir, ['-k', k['ES256']?.priv ?? '', '--output', '-', 'add', '--part', 'web']);
  assert.equal(out.stdout, readFileSync(join(dir, '_sigs/web.json'), 'utf8'));
  // Uncommitted changes to covered files are signed as committed, with a warning.
  writeFileSync(join(dir, 'web/run.json'), '{"#spec":"service-manifest-run@1","name":"changed"}');
  const dirty = await pvkit(dir, ['-k', k['ES256']?.priv ?? '', 'add', '--part', 'web']);
  assert.match(dirty.stderr, /uncommitted changes \(web\/run.json\)/);
});

test('sig update re-signs with the stored globs; coverage reports stale then clean', async () => {
  const kdir = tempDir();
  const k = keyFiles(kdir);
  const dir = writeCheckout(FILES);
  assert.equal(
    (await pvkit(dir, ['-k', k['ES384']?.priv ?? '', 'add', '--part', 'app', '--noconfig'])).code,
    0,
  );
  const sig1 = readFileSync(join(dir, '_sigs/app.json'), 'utf8');
  commitAll(dir, { ...FILES, '_sigs/app.json': sig1 });
  // Change a covered file in the working tree: coverage shows it, exit 1.
  writeFileSync(join(dir, 'app/root.squashfs'), 'new rootfs');
  const cov = await pvkit(dir, ['coverage']);
  assert.equal(cov.code, 1);
  assert.match(cov.stdout, /STALE {5}_sigs\/app.json: changed app\/root.squashfs/);
  // Commit, update, add, commit.
  const files2 = { ...FILES, 'app/root.squashfs': 'new rootfs', '_sigs/app.json': sig1 };
  commitAll(dir, files2);
  assert.equal((await pvkit(dir, ['-p', k['ES384']?.pub ?? '', 'ls'])).code, 13);
  const up = await pvkit(dir, ['--key', k['ES384']?.priv ?? '', 'update']);
  assert.equal(up.code, 0, up.stderr);
  assert.equal(up.stderr, 'Updating pvs signature @ _sigs/app.json [DONE]\n');
  const sig2 = readFileSync(join(dir, '_sigs/app.json'), 'utf8');
  assert.notEqual(sig2, sig1);
  const p1 = parseSignatureFile(sig1);
  const p2 = parseSignatureFile(sig2);
  assert.ok(p1.ok && p2.ok);
  assert.deepEqual(
    [p2.sig.header.include, p2.sig.header.exclude],
    [p1.sig.header.include, p1.sig.header.exclude],
  );
  assert.equal((await pvkit(dir, ['-p', k['ES384']?.pub ?? '', 'ls'])).code, 0);
  commitAll(dir, { ...files2, '_sigs/app.json': sig2 });
  const clean = await pvkit(dir, ['-p', k['ES384']?.pub ?? '', 'coverage', '--json']);
  assert.equal(clean.code, 0, clean.stdout);
  const j = JSON.parse(clean.stdout) as { signatures: { status: string }[]; stale: unknown[] };
  assert.equal(j.signatures[0]?.status, 'valid');
  assert.deepEqual(j.stale, []);
  // --strict fails on uncovered files.
  assert.equal((await pvkit(dir, ['coverage', '--strict'])).code, 1);
  // A broken signature file: update fails with 126 and says why.
  writeFileSync(join(dir, '_sigs/app.json'), '{"#spec":"pvs@2"}');
  const broken = await pvkit(dir, ['--key', k['ES384']?.priv ?? '', 'update', 'app']);
  assert.equal(broken.code, 126);
  assert.match(broken.stderr, /\[ERROR\]\nERROR: _sigs\/app.json: missing "protected"/);
});

test('an encrypted key reads its passphrase from PVKIT_SIG_PASSPHRASE', async () => {
  const dir = writeCheckout(FILES);
  const keyPath = join(dir, '..', `enc-${Date.now()}.pem`);
  writeFileSync(
    keyPath,
    keys.RS256.privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'pw' }),
  );
  const no = await pvkit(dir, ['-k', keyPath, 'add', '--part', 'app']);
  assert.equal(no.code, 127);
  assert.match(no.stderr, /encrypted.*PVKIT_SIG_PASSPHRASE/);
  assert.equal(
    (await pvkit(dir, ['-k', keyPath, 'add', '--part', 'app'], { PVKIT_SIG_PASSPHRASE: 'pw' })).code,
    0,
  );
});

test(
  'x5c chain: sign with --x5c, verify with --cacerts',
  { skip: hasOpenssl ? false : 'openssl not installed: SKIPPED' },
  async () => {
    const pki = makePki();
    const dir = writeCheckout(FILES);
    const add = await pvkit(dir, ['-k', pki.leafKeyPem, '-x', pki.leafPem, 'add', '--part', 'app']);
    assert.equal(add.code, 0, add.stderr);
    assert.equal((await pvkit(dir, ['-c', pki.caPem, 'ls', 'app'])).code, 0);
    const other = await pvkit(dir, ['-c', pki.otherCaPem, 'ls', 'app']);
    assert.equal(other.code, 13);
    assert.match(other.stderr, /x5c chain not trusted/);
    // pvr's default files in <config-dir>/pvs/ are used when no flag is given.
    const conf = tempDir();
    mkdirSync(join(conf, 'pvs'));
    writeFileSync(join(conf, 'pvs/key.default.pem'), readFileSync(pki.leafKeyPem));
    writeFileSync(join(conf, 'pvs/x5c.default.pem'), readFileSync(pki.leafPem));
    writeFileSync(join(conf, 'pvs/cacerts.default.pem'), readFileSync(pki.caPem));
    const env = { PVR_CONFIG_DIR: conf };
    assert.equal((await pvkit(dir, ['add', '--part', 'web'], env)).code, 0);
    const web = parseSignatureFile(readFileSync(join(dir, '_sigs/web.json'), 'utf8'));
    assert.ok(web.ok && web.sig.header.x5c?.length === 1);
    assert.equal((await pvkit(dir, ['ls', 'web'], env)).code, 0);
    assert.equal((await pvkit(dir, ['ls', 'web'], { HOME: tempDir() })).code, 127);
    writeFileSync(join(dir, 'cut.pem'), readFileSync(pki.caPem, 'utf8').slice(0, 200));
    const cut = await pvkit(dir, ['-c', 'cut.pem', 'ls', 'app']);
    assert.equal(cut.code, 13);
    assert.match(cut.stderr, /truncated/);
  },
);
