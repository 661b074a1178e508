import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeSignatureText } from '../../../../src/platform/signature/describeSignature';
import { corpusDir, needsCorpus } from '../../../support/corpus';

test(
  'hover data for the corpus example: algorithm, key, certificate subject and expiry, globs',
  needsCorpus('pantavisor/examples'),
  () => {
    const text = readFileSync(join(corpusDir('pantavisor/examples') ?? '', '_sigs.awconnect.json'), 'utf8');
    const r = describeSignatureText(text, new Date('2023-01-01T00:00:00Z'));
    assert.ok(r.ok);
    const d = r.description;
    assert.equal(d.alg, 'RS256');
    assert.equal(d.key, 'RSA 2048-bit');
    assert.match(d.keyThumbprint ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal(d.certificates.length, 1);
    const c = d.certificates[0];
    assert.equal(c?.subject, 'CN=pv-developer-01');
    assert.equal(c?.issuer, 'CN=Pantavisor Dev CA');
    assert.equal(c?.validTo, 'Sep 14 10:00:18 2024 GMT');
    assert.equal(c?.expired, false);
    assert.deepEqual(c?.extKeyUsage, ['1.3.6.1.5.5.7.3.3']);
    assert.deepEqual(d.include, ['awconnect/**', '_config/awconnect/**']);
    assert.deepEqual(d.exclude, ['awconnect/src.json', '_sigs/awconnect.json']);
    assert.equal(d.withPayload, false);
    // Today the developer certificate has expired; the hover says so.
    const now = describeSignatureText(text, new Date('2026-01-01T00:00:00Z'));
    assert.ok(now.ok && now.description.certificates[0]?.expired);
  },
);

test('hover data for a broken signature is an error text, not a throw', () => {
  const r = describeSignatureText('{"#spec":"pvs@2","protected":"e30","signature":"AA"}');
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.error, /PVS004/);
  const t = describeSignatureText(
    '{"#spec":"pvs@2","protected":"' +
      Buffer.from(
        JSON.stringify({ alg: 'ES256', typ: 'PVS', pvs: { include: [], exclude: [] }, x5c: ['MIIB'] }),
      ).toString('base64url') +
      '","signature":"AA"}',
  );
  assert.ok(t.ok);
  if (t.ok) assert.match(t.description.certificateError ?? '', /x5c\[0\] is not a DER certificate/);
});
