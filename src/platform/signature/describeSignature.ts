import { createHash, createPublicKey } from 'node:crypto';
import { canonicalFromValue } from '../../core/signature/canonicalValue';
import { parseSignatureFile, type PvsHeader } from '../../core/signature/pvsSignature';
import { decodeX5c } from './verify';

export interface CertificateInfo {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  expired: boolean;
  notYetValid: boolean;
  /** Extended key usage OIDs, when the certificate restricts them. */
  extKeyUsage?: string[];
}

/** What the hover on a signature file shows: the decoded protected header, in plain data. */
export interface SignatureDescription {
  alg: string;
  /** e.g. `RSA 2048-bit`, `EC P-384`. */
  key?: string;
  /** RFC 7638 JWK thumbprint (SHA-256, base64url) of the embedded key. */
  keyThumbprint?: string;
  certificates: CertificateInfo[];
  certificateError?: string;
  include: string[];
  exclude: string[];
  withPayload: boolean;
}

export type DescribeResult = { ok: true; description: SignatureDescription } | { ok: false; error: string };

/** Decodes a signature file's protected header for display. Never throws. */
export function describeSignatureText(text: string, now: Date = new Date()): DescribeResult {
  const r = parseSignatureFile(text);
  if (!r.ok) return { ok: false, error: `${r.problem.code}: ${r.problem.message}` };
  const h = r.sig.header;
  const d: SignatureDescription = {
    alg: h.alg,
    certificates: [],
    include: h.include,
    exclude: h.exclude,
    withPayload: /"payload"\s*:/.test(text),
  };
  Object.assign(d, describeJwk(h));
  if (h.x5c) {
    const chain = decodeX5c(h.x5c);
    if ('error' in chain) d.certificateError = chain.error;
    else {
      d.certificates = chain.certs.map((c) => {
        const info: CertificateInfo = {
          subject: c.subject.replace(/\n/g, ', '),
          issuer: c.issuer.replace(/\n/g, ', '),
          validFrom: c.validFrom,
          validTo: c.validTo,
          expired: now > new Date(c.validTo),
          notYetValid: now < new Date(c.validFrom),
        };
        const eku = c.keyUsage as string[] | undefined;
        if (eku && eku.length) info.extKeyUsage = eku;
        return info;
      });
      if (!h.jwk && chain.certs[0]) {
        const k = chain.certs[0].publicKey;
        d.key =
          k.asymmetricKeyType === 'rsa'
            ? `RSA ${k.asymmetricKeyDetails?.modulusLength ?? '?'}-bit`
            : `EC ${k.asymmetricKeyDetails?.namedCurve ?? '?'}`;
      }
    }
  }
  return { ok: true, description: d };
}

function describeJwk(h: PvsHeader): { key?: string; keyThumbprint?: string } {
  const j = h.jwk;
  if (!j) return {};
  try {
    const k = createPublicKey({ key: j as never, format: 'jwk' });
    const key =
      j['kty'] === 'RSA'
        ? `RSA ${k.asymmetricKeyDetails?.modulusLength ?? '?'}-bit`
        : `EC ${String(j['crv'])}`;
    // RFC 7638: the required members only, sorted, no whitespace.
    const members =
      j['kty'] === 'RSA'
        ? { e: j['e'], kty: 'RSA', n: j['n'] }
        : { crv: j['crv'], kty: 'EC', x: j['x'], y: j['y'] };
    const keyThumbprint = createHash('sha256').update(canonicalFromValue(members)).digest('base64url');
    return { key, keyThumbprint };
  } catch (e) {
    return { key: `unusable jwk (${(e as Error).message})` };
  }
}
