import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSignatureFile } from '../../../../src/core/signature/pvsSignature';
import { corpusDir, needsCorpus } from '../../../support/corpus';

test(
  'the corpus example signature decodes and its header fields match the decoded header',
  needsCorpus('pantavisor/examples'),
  () => {
    const dir = corpusDir('pantavisor/examples') ?? '';
    const text = readFileSync(join(dir, '_sigs.awconnect.json'), 'utf8');
    const decoded = JSON.parse(
      readFileSync(join(dir, '_sigs.awconnect.protected-header.decoded.json'), 'utf8'),
    ) as {
      alg: string;
      typ: string;
      jwk: unknown;
      x5c: string[];
      pvs: { include: string[]; exclude: string[] };
    };
    const r = parseSignatureFile(text);
    assert.ok(r.ok, r.ok ? '' : r.problem.message);
    const h = r.sig.header;
    assert.equal(h.alg, 'RS256');
    assert.equal(h.alg, decoded.alg);
    assert.equal(h.typ, decoded.typ);
    assert.deepEqual(h.include, ['awconnect/**', '_config/awconnect/**']);
    assert.deepEqual(h.include, decoded.pvs.include);
    assert.deepEqual(h.exclude, decoded.pvs.exclude);
    assert.deepEqual(h.jwk, decoded.jwk);
    assert.deepEqual(h.x5c, decoded.x5c);
    assert.equal(r.sig.signature.length, 256);
    // The range points at the "protected" string in the file.
    assert.equal(text.slice(r.sig.protectedRange[0], r.sig.protectedRange[0] + 5), '"eyJh');
  },
);

const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
const goodHeader = { alg: 'RS256', typ: 'PVS', pvs: { include: ['a/**'], exclude: [] } };
const file = (o: Record<string, unknown>): string =>
  JSON.stringify({ '#spec': 'pvs@2', signature: 'AAAA', ...o });

const bad: [string, string, string, string][] = [
  ['not JSON', '{"#spec": "pvs@2",', 'PVS001', 'not valid JSON'],
  ['empty file', '', 'PVS001', 'not valid JSON'],
  ['array', '[]', 'PVS001', 'JSON object'],
  ['no #spec', JSON.stringify({ protected: b64(goodHeader), signature: 'AAAA' }), 'PVS002', 'pvs@2'],
  ['old spec', file({ '#spec': 'pvs@1', protected: b64(goodHeader) }), 'PVS002', '"pvs@1"'],
  ['no protected', file({}), 'PVS003', '"protected"'],
  ['protected not base64url', file({ protected: 'eyJ+/==' }), 'PVS003', 'base64url'],
  [
    'signature not base64url',
    file({ protected: b64(goodHeader), signature: 'a+b/' }),
    'PVS003',
    '"signature"',
  ],
  ['header not JSON', file({ protected: Buffer.from('{alg').toString('base64url') }), 'PVS003', 'not JSON'],
  [
    'unknown alg',
    file({ protected: b64({ ...goodHeader, alg: 'HS256' }) }),
    'PVS004',
    'unknown algorithm "HS256"',
  ],
  ['alg none', file({ protected: b64({ ...goodHeader, alg: 'none' }) }), 'PVS004', 'unknown algorithm'],
  ['wrong typ', file({ protected: b64({ ...goodHeader, typ: 'JWT' }) }), 'PVS004', '"PVS"'],
  ['no pvs', file({ protected: b64({ alg: 'RS256', typ: 'PVS' }) }), 'PVS005', 'include'],
  [
    'pvs without exclude',
    file({ protected: b64({ ...goodHeader, pvs: { include: ['x'] } }) }),
    'PVS005',
    'exclude',
  ],
  ['x5c not array', file({ protected: b64({ ...goodHeader, x5c: 'MII' }) }), 'PVS006', 'x5c'],
];
for (const [name, text, code, canary] of bad) {
  test(`bad signature file: ${name} → ${code}`, () => {
    const r = parseSignatureFile(text);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.problem.code, code);
    assert.ok(r.problem.message.includes(canary), r.problem.message);
    assert.ok(
      r.problem.start >= 0 && r.problem.end >= r.problem.start && r.problem.end <= Math.max(text.length, 1),
    );
  });
}
