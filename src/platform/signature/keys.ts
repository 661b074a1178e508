import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';

/** A key or certificate file problem, with a message that names the file and the fix. */
export class KeyFileError extends Error {
  constructor(
    message: string,
    /** `missing` (cannot read), `isDir`, `noKey`, `encrypted` (needs a passphrase), `bad`. */
    readonly kind: 'missing' | 'isDir' | 'noKey' | 'encrypted' | 'bad',
  ) {
    super(message);
  }
}

interface PemBlock {
  type: string;
  text: string;
  body: string;
}

/** Splits a PEM file into its `-----BEGIN X-----` … `-----END X-----` blocks. */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ type: m[1] ?? '', text: m[0], body: m[2] ?? '' });
  }
  return out;
}

async function readText(path: string, what: string): Promise<string> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    throw new KeyFileError(
      `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      'missing',
    );
  }
  if (st.isDirectory()) throw new KeyFileError(`${what} ${path} is a directory, not a PEM file`, 'isDir');
  return readFile(path, 'utf8');
}

/**
 * Public keys for verification: every `PUBLIC KEY` (PKIX) or `RSA PUBLIC KEY` (PKCS#1) block, as pvr
 * collects every `PUBLIC …` block of `--pubkey`. Keys that are neither RSA nor EC are refused.
 */
export async function readPublicKeys(path: string): Promise<KeyObject[]> {
  const text = await readText(path, 'public key file');
  const keys: KeyObject[] = [];
  const blocks = pemBlocks(text).filter((b) => b.type === 'PUBLIC KEY' || b.type === 'RSA PUBLIC KEY');
  for (const [i, b] of blocks.entries()) {
    let k: KeyObject;
    try {
      k = createPublicKey(b.text);
    } catch (e) {
      throw new KeyFileError(
        `public key ${i + 1} in ${path} cannot be parsed: ${(e as Error).message}`,
        'bad',
      );
    }
    if (k.asymmetricKeyType !== 'rsa' && k.asymmetricKeyType !== 'ec') {
      throw new KeyFileError(
        `public key ${i + 1} in ${path} is ${k.asymmetricKeyType ?? 'unknown'}; Pantavisor signatures use RSA or EC (P-256/384/521)`,
        'bad',
      );
    }
    keys.push(k);
  }
  if (keys.length === 0) {
    throw new KeyFileError(
      `no "-----BEGIN PUBLIC KEY-----" block in ${path}; give a PEM public key`,
      'noKey',
    );
  }
  return keys;
}

/**
 * The signing key: the first PEM block whose type contains `PRIVATE KEY` (PKCS#1, PKCS#8, SEC1 EC;
 * pvr takes the same block). An encrypted key needs `passphrase`; without it the error kind is
 * `encrypted` so that a caller can ask for one.
 */
export async function readPrivateKey(path: string, passphrase?: string): Promise<KeyObject> {
  const text = await readText(path, 'signing key');
  const block = pemBlocks(text).find((b) => b.type.includes('PRIVATE KEY'));
  if (!block) throw new KeyFileError(`no "-----BEGIN … PRIVATE KEY-----" block in ${path}`, 'noKey');
  const encrypted = block.type === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(block.body);
  if (encrypted && passphrase === undefined) {
    throw new KeyFileError(`signing key ${path} is encrypted; a passphrase is needed`, 'encrypted');
  }
  try {
    return createPrivateKey(passphrase === undefined ? block.text : { key: block.text, passphrase });
  } catch (e) {
    const msg = (e as Error).message;
    if (encrypted)
      throw new KeyFileError(`cannot decrypt signing key ${path}: wrong passphrase? (${msg})`, 'encrypted');
    throw new KeyFileError(`signing key ${path} cannot be parsed: ${msg}`, 'bad');
  }
}

/**
 * Every `CERTIFICATE` block of a PEM file, in order. A block that does not parse (truncated,
 * corrupted) is an error naming it, rather than skipped as pvr does, so a broken CA file is seen.
 */
export async function readCertificates(path: string, what = 'certificate file'): Promise<X509Certificate[]> {
  const text = await readText(path, what);
  return parseCertificates(text, `${what} ${path}`);
}

export function parseCertificates(text: string, label: string): X509Certificate[] {
  const blocks = pemBlocks(text);
  const certs: X509Certificate[] = [];
  let n = 0;
  for (const b of blocks) {
    if (b.type !== 'CERTIFICATE') continue;
    n++;
    try {
      certs.push(new X509Certificate(b.text));
    } catch (e) {
      throw new KeyFileError(
        `certificate ${n} in ${label} cannot be parsed (truncated?): ${(e as Error).message}`,
        'bad',
      );
    }
  }
  if (
    text.includes('-----BEGIN CERTIFICATE-----') &&
    certs.length < text.split('-----BEGIN CERTIFICATE-----').length - 1
  ) {
    throw new KeyFileError(`a certificate in ${label} has no END line (truncated file?)`, 'bad');
  }
  if (certs.length === 0)
    throw new KeyFileError(`no "-----BEGIN CERTIFICATE-----" block in ${label}`, 'noKey');
  return certs;
}
