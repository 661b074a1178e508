import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { canonicalFromValue } from '../../src/core/signature/canonicalValue';

/** A key pair for each algorithm Pantavisor verifies, generated fresh for the tests. */
export function generateKeys(): Record<
  'RS256' | 'ES256' | 'ES384' | 'ES512',
  { privateKey: KeyObject; publicKey: KeyObject }
> {
  return {
    RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
    ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    ES384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
    ES512: generateKeyPairSync('ec', { namedCurve: 'P-521' }),
  };
}

export function tempDir(prefix = 'pvkit-sig-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Writes a pvr checkout: the files, and `.pvr/json` with their committed values as pvr computes
 * them (inline JSON for `*.json`, sha256 for the rest), in canonical JSON. Values in `extraState`
 * go into the state without a file (e.g. a signature committed earlier).
 */
export function writeCheckout(files: Record<string, string | Buffer>, dir = tempDir()): string {
  const state: Record<string, unknown> = { '#spec': 'pantavisor-service-system@1' };
  for (const [key, content] of Object.entries(files)) {
    const path = join(dir, ...key.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    state[key] = key.endsWith('.json')
      ? (JSON.parse(content.toString()) as unknown)
      : createHash('sha256').update(content).digest('hex');
  }
  mkdirSync(join(dir, '.pvr'), { recursive: true });
  writeFileSync(join(dir, '.pvr', 'json'), canonicalFromValue(state));
  return dir;
}

/** Re-commits the working tree as `pvr add . && pvr commit` would (our stand-in: pvr is not here). */
export function commitAll(dir: string, files: Record<string, string | Buffer>): void {
  writeCheckout(files, dir);
}

export const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

function openssl(cwd: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
}

export interface TestPki {
  dir: string;
  caPem: string;
  otherCaPem: string;
  leafKeyPem: string;
  leafPem: string;
  /** A leaf whose extended key usage is serverAuth only. */
  serverLeafKeyPem: string;
  serverLeafPem: string;
}

/**
 * A CA and leaf certificates made with openssl (Node cannot create X.509 certificates): P-256
 * keys, CA with basicConstraints CA:TRUE, leaf with extendedKeyUsage codeSigning, valid for a day.
 */
export function makePki(): TestPki {
  const dir = tempDir('pvkit-pki-');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const ca = (name: string, cn: string): void =>
    openssl(dir, [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-subj',
      `/CN=${cn}`,
      '-days',
      '2',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
  ca('ca', 'pvkit Test CA');
  ca('other', 'pvkit Other CA');
  const leaf = (name: string, cn: string, eku: string): void => {
    openssl(dir, ['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
    writeFileSync(
      join(dir, `${name}.ext`),
      `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=${eku}\n`,
    );
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
    ]);
  };
  leaf('leaf', 'pvkit developer', 'codeSigning');
  leaf('server', 'pvkit server', 'serverAuth');
  const p = (f: string): string => join(dir, f);
  return {
    dir,
    caPem: p('ca.pem'),
    otherCaPem: p('other.pem'),
    leafKeyPem: p('leaf.key'),
    leafPem: p('leaf.pem'),
    serverLeafKeyPem: p('server.key'),
    serverLeafPem: p('server.pem'),
  };
}
