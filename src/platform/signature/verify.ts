import { createPublicKey, verify as cryptoVerify, X509Certificate, type KeyObject } from 'node:crypto';
import { isPvsAlg, PVS_ALGS, signingInput, type PvsSignature } from '../../core/signature/pvsSignature';

/** Node's names of the JOSE curves. */
const NODE_CURVE: Record<string, string> = {
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
};

/** Extended key usage OIDs: code signing, and "any". */
const EKU_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const EKU_ANY = '2.5.29.37.0';

/**
 * Checks a JWS signature over `payload` with `key`. Returns an error text, or undefined when the
 * signature is good. Never throws. A key of the wrong type for `alg` is an error, never a pass.
 * ECDSA signatures are the JWS form, R||S of fixed size (RFC 7518 §3.4), not DER; real
 * Pantavisor signatures (ES384 in Pantavisor's `test/pvtx` states) are in this form.
 */
export function checkJws(sig: PvsSignature, payload: string, key: KeyObject): string | undefined {
  const alg = sig.header.alg;
  if (!isPvsAlg(alg)) return `unknown algorithm ${JSON.stringify(alg)}`;
  const spec = PVS_ALGS[alg];
  const type = key.asymmetricKeyType;
  if (spec.kty === 'RSA' && type !== 'rsa') return `${alg} needs an RSA key, got ${type ?? 'unknown'}`;
  if (spec.kty === 'EC') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (type !== 'ec') return `${alg} needs an EC ${spec.crv} key, got ${type ?? 'unknown'}`;
    if (curve !== NODE_CURVE[spec.crv ?? ''])
      return `${alg} needs curve ${spec.crv}, the key is on ${curve ?? '?'}`;
    if (sig.signature.length !== spec.sigBytes) {
      return `${alg} signature must be ${spec.sigBytes} bytes (R||S), it is ${sig.signature.length}`;
    }
  }
  try {
    const ok = cryptoVerify(
      spec.hash,
      signingInput(sig.protectedB64, payload),
      spec.kty === 'EC' ? { key, dsaEncoding: 'ieee-p1363' } : key,
      sig.signature,
    );
    return ok ? undefined : 'signature does not match the payload';
  } catch (e) {
    return `verification failed: ${(e as Error).message}`;
  }
}

/** The key a signature carries itself: the x5c leaf's, else the `jwk`. Errors are returned as text. */
export function embeddedKey(sig: PvsSignature): { key?: KeyObject; error?: string; from?: 'x5c' | 'jwk' } {
  if (sig.header.x5c) {
    const chain = decodeX5c(sig.header.x5c);
    if ('error' in chain) return { error: chain.error };
    return { key: chain.certs[0]?.publicKey, from: 'x5c' };
  }
  if (sig.header.jwk) {
    try {
      return { key: createPublicKey({ key: sig.header.jwk as never, format: 'jwk' }), from: 'jwk' };
    } catch (e) {
      return { error: `header "jwk" is not a usable public key: ${(e as Error).message}` };
    }
  }
  return { error: 'the signature carries neither "x5c" nor "jwk"' };
}

/** Decodes header `x5c` (standard base64 DER, leaf first). */
export function decodeX5c(x5c: readonly string[]): { certs: X509Certificate[] } | { error: string } {
  const certs: X509Certificate[] = [];
  for (const [i, b64] of x5c.entries()) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) {
      return { error: `x5c[${i}] is not standard base64 (RFC 7515 §4.1.6)` };
    }
    try {
      certs.push(new X509Certificate(Buffer.from(b64, 'base64')));
    } catch (e) {
      return { error: `x5c[${i}] is not a DER certificate (truncated?): ${(e as Error).message}` };
    }
  }
  return { certs };
}

function usableFor(c: X509Certificate): boolean {
  // A certificate without the extension may be used for anything (as Go's x509 treats it).
  const eku = c.keyUsage as string[] | undefined;
  return !eku || eku.length === 0 || eku.includes(EKU_CODE_SIGNING) || eku.includes(EKU_ANY);
}

function timeProblem(c: X509Certificate, now: Date): string | undefined {
  if (now < new Date(c.validFrom)) return `certificate ${c.subject} is not valid before ${c.validFrom}`;
  if (now > new Date(c.validTo)) return `certificate ${c.subject} expired on ${c.validTo}`;
  return undefined;
}

/**
 * Verifies an x5c chain to one of `roots`, the way pvr does with Go's `x509.Verify` (pvr 037
 * `JwsVerifyPvs`: leaf = x5c[0], intermediates = the rest, roots = the CA file, key usage code
 * signing) and Pantavisor with `mbedtls_x509_crt_verify` against its CA file: each link's
 * signature and names, validity at `now`, CA flag on issuers, and code-signing usage where a
 * certificate restricts it. Returns the leaf on success, else the reason.
 */
export function verifyChain(
  chain: readonly X509Certificate[],
  roots: readonly X509Certificate[],
  now: Date = new Date(),
): { leaf: X509Certificate } | { error: string } {
  const leaf = chain[0];
  if (!leaf) return { error: 'x5c is empty' };
  const intermediates = chain.slice(1);
  let lastError = `no path from ${leaf.subject} to a certificate of the CA file`;
  const walk = (cert: X509Certificate, depth: number, seen: Set<X509Certificate>): boolean => {
    const t = timeProblem(cert, now);
    if (t) {
      lastError = t;
      return false;
    }
    if (!usableFor(cert)) {
      lastError = `certificate ${cert.subject} does not allow code signing (extended key usage)`;
      return false;
    }
    // Reached a trust anchor: the certificate is itself in the CA file.
    if (roots.some((r) => r.fingerprint256 === cert.fingerprint256)) return true;
    if (depth > 8) return false;
    for (const issuer of [...roots, ...intermediates]) {
      if (seen.has(issuer) || !cert.checkIssued(issuer)) continue;
      if (!issuer.ca) {
        lastError = `issuer ${issuer.subject} is not a CA certificate`;
        continue;
      }
      let signed = false;
      try {
        signed = cert.verify(issuer.publicKey);
      } catch {
        signed = false;
      }
      if (!signed) {
        lastError = `signature of ${cert.subject} does not verify with ${issuer.subject}`;
        continue;
      }
      if (roots.includes(issuer)) {
        const tr = timeProblem(issuer, now);
        if (tr) {
          lastError = tr;
          continue;
        }
        if (!usableFor(issuer)) {
          lastError = `CA ${issuer.subject} does not allow code signing (extended key usage)`;
          continue;
        }
        return true;
      }
      if (walk(issuer, depth + 1, new Set([...seen, issuer]))) return true;
    }
    return false;
  };
  return walk(leaf, 0, new Set([leaf])) ? { leaf } : { error: lastError };
}

export interface Trust {
  /** Keys from `--pubkey` (any one of them may have signed). */
  publicKeys?: KeyObject[] | undefined;
  /** Roots from `--cacerts`: an x5c chain must lead to one of them. */
  caCerts?: X509Certificate[] | undefined;
  /** Time for certificate validity; now by default. */
  now?: Date | undefined;
}

export interface VerifyOutcome {
  status: 'valid' | 'untrusted' | 'invalid';
  reason?: string;
  /** What signed it, e.g. `public key 1 of --pubkey`, `x5c CN=… (chain to CA file)`. */
  signer?: string;
}

/**
 * Verifies a parsed signature over `payload`. `valid` only when the cryptographic check passed on
 * these exact bytes with a trusted key (pvr's `JwsVerifyPvs`: keys from `--pubkey`, the x5c leaf
 * when its chain verifies to `--cacerts`, or, when there is no x5c, the CA certificates
 * themselves). Otherwise the key embedded in the signature tells apart `untrusted` (intact, but no
 * trusted key signed it) from `invalid` (does not match the payload).
 */
export function verifySignature(sig: PvsSignature, payload: string, trust: Trust = {}): VerifyOutcome {
  const candidates: { key: KeyObject; label: string }[] = [];
  (trust.publicKeys ?? []).forEach((key, i) => candidates.push({ key, label: `public key ${i + 1}` }));
  let chainError: string | undefined;
  if (trust.caCerts && trust.caCerts.length) {
    if (sig.header.x5c) {
      const chain = decodeX5c(sig.header.x5c);
      if ('error' in chain) chainError = chain.error;
      else {
        const r = verifyChain(chain.certs, trust.caCerts, trust.now);
        if ('error' in r) chainError = `x5c chain not trusted: ${r.error}`;
        else candidates.push({ key: r.leaf.publicKey, label: `${r.leaf.subject} (x5c chain to CA file)` });
      }
    } else {
      for (const ca of trust.caCerts) {
        if ('leaf' in verifyChain([ca], trust.caCerts, trust.now)) {
          candidates.push({ key: ca.publicKey, label: `${ca.subject} (CA file)` });
        }
      }
    }
  }
  let lastError: string | undefined;
  for (const c of candidates) {
    const err = checkJws(sig, payload, c.key);
    if (!err) return { status: 'valid', signer: c.label };
    lastError = err;
  }
  const own = embeddedKey(sig);
  const ownError = own.key ? checkJws(sig, payload, own.key) : own.error;
  if (own.key && !ownError) {
    const why =
      chainError ??
      (candidates.length
        ? `not signed by a trusted key (${lastError ?? 'no match'})`
        : 'no trusted key given (--pubkey or --cacerts)');
    return { status: 'untrusted', reason: why, signer: `${own.from} in the signature` };
  }
  return {
    status: 'invalid',
    reason:
      ownError === 'signature does not match the payload'
        ? 'signature does not match the committed state (files changed after signing, or the file is corrupt)'
        : (lastError ?? ownError ?? 'signature does not verify'),
  };
}
