import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalFromValue } from '../../../../src/core/signature/canonicalValue';
import { buildPayload, indexState, selectKeys } from '../../../../src/core/signature/payload';
import { parseSignatureFile, type PvsSignature } from '../../../../src/core/signature/pvsSignature';
import { readCertificates, readPrivateKey, KeyFileError } from '../../../../src/platform/signature/keys';
import { signState } from '../../../../src/platform/signature/sign';
import { checkJws, verifySignature } from '../../../../src/platform/signature/verify';
import { checkSignature, committedSignatureKeys } from '../../../../src/platform/signature/signatureReport';
import { corpusDir, needsCorpus } from '../../../support/corpus';
import { generateKeys, hasOpenssl, makePki, tempDir } from '../../../support/signatures';

const STATE = canonicalFromValue({
  '#spec': 'pantavisor-service-system@1',
  'app/run.json': { '#spec': 'service-manifest-run@1', name: 'app', root: 'root.squashfs', ratio: 1.5 },
  'app/root.squashfs': 'a'.repeat(64),
  'app/src.json': { '#spec': 'service-manifest-src@1' },
  'bsp/kernel.img': 'b'.repeat(64),
});
const MATCH = { include: ['app/**', '_config/app/**'], exclude: ['app/src.json', '_sigs/app.json'] };
const keys = generateKeys();

function parse(text: string): PvsSignature {
  const r = parseSignatureFile(text);
  assert.ok(r.ok, r.ok ? '' : r.problem.message);
  return r.sig;
}

for (const [alg, pair] of Object.entries(keys)) {
  test(`${alg}: sign then verify; a changed payload byte fails`, () => {
    const state = indexState(STATE);
    const res = signState({ state, match: MATCH, key: pair.privateKey });
    assert.equal(res.alg, alg);
    assert.equal(res.payload, buildPayload(state, ['app/root.squashfs', 'app/run.json']));
    const sig = parse(res.fileText);
    assert.equal(sig.header.alg, alg);
    assert.deepEqual(sig.header.include, MATCH.include);
    assert.deepEqual(verifySignature(sig, res.payload, { publicKeys: [pair.publicKey] }), {
      status: 'valid',
      signer: 'public key 1',
    });
    // No trusted key given: intact, but never "valid".
    assert.equal(verifySignature(sig, res.payload).status, 'untrusted');
    // Flip one byte of the payload (a covered value) → the check fails.
    const flipped = res.payload.replace('aaaa', 'aaab');
    assert.notEqual(flipped, res.payload);
    const out = verifySignature(sig, flipped, { publicKeys: [pair.publicKey] });
    assert.equal(out.status, 'invalid');
    // Flip one byte of the signature itself.
    const bytes = Buffer.from(sig.signature);
    bytes[5] = (bytes[5] ?? 0) ^ 1;
    assert.equal(
      verifySignature({ ...sig, signature: bytes }, res.payload, { publicKeys: [pair.publicKey] }).status,
      'invalid',
    );
  });
}

test('the file is canonical pvs@2 JSON with the go-jose header members in Go order', () => {
  const res = signState({ state: indexState(STATE), match: MATCH, key: keys.ES256.privateKey });
  assert.match(
    res.fileText,
    /^\{"#spec":"pvs@2","protected":"[A-Za-z0-9_-]+","signature":"[A-Za-z0-9_-]+"\}$/,
  );
  const sig = parse(res.fileText);
  assert.match(
    sig.header.json,
    /^\{"alg":"ES256","jwk":\{"kty":"EC","crv":"P-256","x":"[^"]+","y":"[^"]+"\},"pvs":\{"include":\["app\/\*\*","_config\/app\/\*\*"\],"exclude":\["app\/src.json","_sigs\/app.json"\]\},"typ":"PVS"\}$/,
  );
  assert.equal(sig.signature.length, 64, 'ES256 is R||S, 64 bytes');
  const withPayload = signState({
    state: indexState(STATE),
    match: MATCH,
    key: keys.RS256.privateKey,
    withPayload: true,
  });
  const o = JSON.parse(withPayload.fileText) as { payload: string };
  assert.equal(Buffer.from(o.payload, 'base64url').toString(), withPayload.payload);
});

test('a key of the wrong type or curve is an error, never a pass', () => {
  const res = signState({ state: indexState(STATE), match: MATCH, key: keys.RS256.privateKey });
  const sig = parse(res.fileText);
  assert.match(checkJws(sig, res.payload, keys.ES256.publicKey) ?? '', /RS256 needs an RSA key/);
  const es = parse(
    signState({ state: indexState(STATE), match: MATCH, key: keys.ES384.privateKey }).fileText,
  );
  assert.match(checkJws(es, res.payload, keys.ES256.publicKey) ?? '', /needs curve P-384/);
  assert.match(checkJws(es, res.payload, keys.RS256.publicKey) ?? '', /needs an EC P-384 key/);
  // The header claims ES256 but the signature is RSA-sized.
  const forged = { ...sig, header: { ...sig.header, alg: 'ES256' } };
  assert.match(checkJws(forged, res.payload, keys.ES256.publicKey) ?? '', /must be 64 bytes/);
  const unknown = { ...sig, header: { ...sig.header, alg: 'HS256' } };
  assert.match(checkJws(unknown, res.payload, keys.RS256.publicKey) ?? '', /unknown algorithm/);
  // Trusting another key: intact signature, signer not trusted.
  const other = verifySignature(sig, res.payload, { publicKeys: [keys.ES256.publicKey] });
  assert.equal(other.status, 'untrusted');
  assert.match(other.reason ?? '', /not signed by a trusted key/);
});

test('signing refuses unsupported keys', async () => {
  const { generateKeyPairSync } = await import('node:crypto');
  const ed = generateKeyPairSync('ed25519');
  assert.throws(
    () => signState({ state: indexState(STATE), match: MATCH, key: ed.privateKey }),
    /ed25519 key cannot sign/,
  );
});

test('encrypted signing key: passphrase needed, wrong passphrase is a clear error', async () => {
  const dir = tempDir();
  const pem = keys.ES256.privateKey.export({
    format: 'pem',
    type: 'pkcs8',
    cipher: 'aes-256-cbc',
    passphrase: 'secret',
  });
  const path = join(dir, 'k.pem');
  writeFileSync(path, pem);
  await assert.rejects(
    readPrivateKey(path),
    (e: unknown) => e instanceof KeyFileError && e.kind === 'encrypted',
  );
  await assert.rejects(readPrivateKey(path, 'wrong'), /wrong passphrase/);
  const k = await readPrivateKey(path, 'secret');
  assert.equal(k.asymmetricKeyType, 'ec');
  writeFileSync(join(dir, 'pub.pem'), keys.ES256.publicKey.export({ format: 'pem', type: 'spki' }));
  await assert.rejects(readPrivateKey(join(dir, 'pub.pem')), /no "-----BEGIN … PRIVATE KEY-----" block/);
  await assert.rejects(readPrivateKey(join(dir, 'missing.pem')), /cannot read signing key/);
  await assert.rejects(readPrivateKey(dir), /is a directory/);
});

test(
  'real signatures of Pantavisor test states verify on the exact committed payload',
  needsCorpus('pantavisor'),
  () => {
    const dir = corpusDir('pantavisor') ?? '';
    const seen: string[] = [];
    for (const f of ['initial_state', 'nginx_state-1', 'vaultwarden', 'bsp_init', 'bsp_init_groups']) {
      const state = indexState(readFileSync(join(dir, `state.${f}.json`), 'utf8'));
      for (const key of committedSignatureKeys(state)) {
        const node = state.values.get(key);
        assert.ok(node);
        const text = state.text.slice(node.offset, node.offset + node.length);
        const c = checkSignature(state, key, text);
        seen.push(`${f}:${key}:${c.alg ?? ''}:${c.status}`);
        if (!c.sig || !c.payload) continue;
        // Trust the key embedded in the signature explicitly: then it must be "valid".
        const jwk = createPublicKey({ key: c.sig.header.jwk as never, format: 'jwk' });
        assert.equal(
          verifySignature(c.sig, c.payload, { publicKeys: [jwk] }).status,
          c.status === 'invalid' ? 'invalid' : 'valid',
        );
      }
    }
    assert.deepEqual(seen, [
      // This signature's include (_hostconfig/**) selects nothing in the test state: it cannot verify.
      'initial_state:_sigs/_hostconfig.json:RS256:invalid',
      'initial_state:_sigs/awconnect.json:RS256:untrusted',
      'initial_state:_sigs/bsp.json:RS256:untrusted',
      'initial_state:_sigs/pv-avahi.json:RS256:untrusted',
      'initial_state:_sigs/pvr-sdk.json:RS256:untrusted',
      'nginx_state-1:_sigs/nginx-config.json:RS256:untrusted',
      'nginx_state-1:_sigs/nginx.json:RS256:untrusted',
      'vaultwarden:_sigs/vaultwarden.json:RS256:untrusted',
      'bsp_init:_sigs/bsp.json:ES384:untrusted',
      'bsp_init_groups:_sigs/bsp.json:RS256:untrusted',
    ]);
  },
);

test('a real signature fails once one covered value changes', needsCorpus('pantavisor'), () => {
  const text = readFileSync(join(corpusDir('pantavisor') ?? '', 'state.initial_state.json'), 'utf8');
  const sha = '4a3d315468684cd64ef6915774a867121558297ca9fbab2ed9dd985eb7343886';
  assert.ok(text.includes(sha));
  const state = indexState(text.replace(sha, sha.slice(0, -1) + '7'));
  const node = state.values.get('_sigs/awconnect.json');
  assert.ok(node);
  const c = checkSignature(
    state,
    '_sigs/awconnect.json',
    state.text.slice(node.offset, node.offset + node.length),
  );
  assert.equal(c.status, 'invalid');
  assert.match(c.reason ?? '', /does not match the committed state/);
});

test(
  'x5c chain to a CA file (openssl-made CA and leaf)',
  { skip: hasOpenssl ? false : 'openssl not installed: x5c chain test SKIPPED' },
  async () => {
    const pki = makePki();
    const key = await readPrivateKey(pki.leafKeyPem);
    const x5c = await readCertificates(pki.leafPem);
    const state = indexState(STATE);
    const res = signState({ state, match: MATCH, key, x5c });
    const sig = parse(res.fileText);
    assert.equal(sig.header.x5c?.length, 1);
    const ca = await readCertificates(pki.caPem);
    const ok = verifySignature(sig, res.payload, { caCerts: ca });
    assert.equal(ok.status, 'valid');
    assert.match(ok.signer ?? '', /CN=pvkit developer/);
    // Another CA: intact but untrusted.
    const other = verifySignature(sig, res.payload, { caCerts: await readCertificates(pki.otherCaPem) });
    assert.equal(other.status, 'untrusted');
    assert.match(other.reason ?? '', /x5c chain not trusted/);
    // Expired at verification time.
    const later = verifySignature(sig, res.payload, {
      caCerts: ca,
      now: new Date(Date.now() + 5 * 86400_000),
    });
    assert.equal(later.status, 'untrusted');
    assert.match(later.reason ?? '', /expired/);
    // A changed payload is invalid even with a trusted chain.
    assert.equal(
      verifySignature(sig, res.payload.replace('aaaa', 'aaab'), { caCerts: ca }).status,
      'invalid',
    );
    // A leaf that is not for code signing is refused, as Go's x509 KeyUsages check in pvr does.
    const srv = signState({
      state,
      match: MATCH,
      key: await readPrivateKey(pki.serverLeafKeyPem),
      x5c: await readCertificates(pki.serverLeafPem),
    });
    const srvOut = verifySignature(parse(srv.fileText), srv.payload, { caCerts: ca });
    assert.equal(srvOut.status, 'untrusted');
    assert.match(srvOut.reason ?? '', /code signing/);
    // The certificate must belong to the signing key.
    assert.throws(
      () => signState({ state, match: MATCH, key: keys.ES256.privateKey, x5c }),
      /not for this signing key/,
    );
    // A truncated CA file is a clear error.
    const pem = readFileSync(pki.caPem, 'utf8');
    const dir = tempDir();
    writeFileSync(join(dir, 'cut.pem'), pem.slice(0, Math.floor(pem.length / 2)));
    await assert.rejects(readCertificates(join(dir, 'cut.pem')), /truncated/);
    const lines = pem.trim().split('\n');
    writeFileSync(join(dir, 'short.pem'), [...lines.slice(0, 4), ...lines.slice(-1)].join('\n'));
    await assert.rejects(readCertificates(join(dir, 'short.pem')), /cannot be parsed \(truncated\?\)/);
    // A truncated x5c entry in a header is reported, not trusted.
    const cut = { ...sig, header: { ...sig.header, x5c: [(sig.header.x5c?.[0] ?? '').slice(0, 40)] } };
    const cutOut = verifySignature(cut, res.payload, { caCerts: ca });
    assert.notEqual(cutOut.status, 'valid');
  },
);

test('selectKeys on the committed state feeds exactly the payload that is signed', () => {
  const state = indexState(STATE);
  const sel = selectKeys(state.keys, MATCH.include, MATCH.exclude);
  assert.deepEqual(sel.protected, ['app/root.squashfs', 'app/run.json']);
  assert.equal(
    buildPayload(state, sel.protected),
    `{"app/root.squashfs":"${'a'.repeat(64)}","app/run.json":{"#spec":"service-manifest-run@1","name":"app","ratio":1.5E0,"root":"root.squashfs"}}`,
  );
});
