import { parseJson, valueNode, type JsonNode } from '../parse/parseJson';

/**
 * A Pantavisor signature file `_sigs/<name>.json`: a JWS in flattened JSON serialization with a
 * detached payload, plus `#spec: "pvs@2"`. What is required follows Pantavisor's `signature.c`
 * (`#spec` pvs@2, `protected`, `signature`; header `typ: "PVS"`, `alg`, `pvs.include`, `pvs.exclude`)
 * and pvr 037's `libpvr/pvslib.go` (go-jose parsing, optional `x5c` and `jwk`).
 */

export type PvsAlg = 'RS256' | 'ES256' | 'ES384' | 'ES512';

/** Per algorithm: digest, key type, curve (JWK name) and, for ECDSA, the R||S signature size. */
export const PVS_ALGS: Record<PvsAlg, { hash: string; kty: 'RSA' | 'EC'; crv?: string; sigBytes?: number }> =
  {
    RS256: { hash: 'sha256', kty: 'RSA' },
    ES256: { hash: 'sha256', kty: 'EC', crv: 'P-256', sigBytes: 64 },
    ES384: { hash: 'sha384', kty: 'EC', crv: 'P-384', sigBytes: 96 },
    // P-521 coordinates take 66 bytes each.
    ES512: { hash: 'sha512', kty: 'EC', crv: 'P-521', sigBytes: 132 },
  };

export function isPvsAlg(a: unknown): a is PvsAlg {
  return typeof a === 'string' && Object.prototype.hasOwnProperty.call(PVS_ALGS, a);
}

export interface PvsHeader {
  alg: string;
  typ: unknown;
  jwk: Record<string, unknown> | undefined;
  /** Standard base64 DER certificates, leaf first. */
  x5c: string[] | undefined;
  include: string[];
  exclude: string[];
  /** The decoded header JSON text. */
  json: string;
}

export interface PvsSignature {
  protectedB64: string;
  signatureB64: string;
  signature: Uint8Array;
  header: PvsHeader;
  /** Offsets of the `protected` string in the file, for diagnostics and hovers. */
  protectedRange: [number, number];
}

/** A problem with a signature file, located in its text. Codes are stable (`PVS0xx`). */
export interface SignatureProblem {
  code: string;
  message: string;
  start: number;
  end: number;
}

export type ParseSignatureResult = { ok: true; sig: PvsSignature } | { ok: false; problem: SignatureProblem };

const B64URL = /^[A-Za-z0-9_-]*$/;

/** Strict unpadded base64url decoding (RFC 7515); undefined when `s` is not base64url. */
export function decodeBase64Url(s: string): Buffer | undefined {
  if (!B64URL.test(s) || s.length % 4 === 1) return undefined;
  return Buffer.from(s, 'base64url');
}

export function encodeBase64Url(b: Uint8Array | string): string {
  return Buffer.from(b).toString('base64url');
}

/**
 * Parses and checks a signature file. Never throws: every failure is a {@link SignatureProblem}
 * that names what is wrong and where.
 */
export function parseSignatureFile(text: string): ParseSignatureResult {
  const whole = (code: string, message: string, node?: JsonNode): ParseSignatureResult => ({
    ok: false,
    problem: {
      code,
      message,
      start: node?.offset ?? 0,
      end: node ? node.offset + node.length : Math.min(text.length, 1),
    },
  });
  const parsed = parseJson(text);
  const first = parsed.errors[0];
  if (first || !parsed.root) {
    return {
      ok: false,
      problem: {
        code: 'PVS001',
        message: `signature file is not valid JSON: ${first?.message ?? 'empty file'}`,
        start: Math.min(first?.start ?? 0, text.length),
        end: Math.min(first?.end ?? 0, text.length),
      },
    };
  }
  const root = parsed.root;
  if (root.type !== 'object') return whole('PVS001', 'signature file must hold a JSON object', root);
  const spec = valueNode(root, '#spec');
  if (spec?.value !== 'pvs@2') {
    return whole(
      'PVS002',
      spec
        ? `"#spec" is ${JSON.stringify(spec.value)}; Pantavisor and pvr only accept "pvs@2"`
        : 'missing "#spec": "pvs@2" (pvr and Pantavisor ignore files without it)',
      spec ?? root,
    );
  }
  const prot = valueNode(root, 'protected');
  const sigNode = valueNode(root, 'signature');
  if (prot?.type !== 'string')
    return whole('PVS003', 'missing "protected" string (the JWS header)', prot ?? root);
  if (sigNode?.type !== 'string') return whole('PVS003', 'missing "signature" string', sigNode ?? root);
  const protectedB64 = String(prot.value);
  const headerBytes = decodeBase64Url(protectedB64);
  if (!headerBytes) return whole('PVS003', '"protected" is not base64url (RFC 7515 §2)', prot);
  const sigBytes = decodeBase64Url(String(sigNode.value));
  if (!sigBytes || sigBytes.length === 0) {
    return whole('PVS003', '"signature" is not a non-empty base64url string', sigNode);
  }
  const json = headerBytes.toString('utf8');
  let h: unknown;
  try {
    h = JSON.parse(json);
  } catch (e) {
    return whole('PVS003', `the protected header is not JSON: ${(e as Error).message}`, prot);
  }
  if (typeof h !== 'object' || h === null || Array.isArray(h)) {
    return whole('PVS003', 'the protected header is not a JSON object', prot);
  }
  const hdr = h as Record<string, unknown>;
  if (typeof hdr['alg'] !== 'string') return whole('PVS004', 'the protected header has no "alg"', prot);
  if (!isPvsAlg(hdr['alg'])) {
    return whole(
      'PVS004',
      `unknown algorithm ${JSON.stringify(hdr['alg'])}; Pantavisor supports RS256, ES256, ES384 and ES512`,
      prot,
    );
  }
  if (hdr['typ'] !== 'PVS') {
    return whole('PVS004', `header "typ" is ${JSON.stringify(hdr['typ'])}; Pantavisor requires "PVS"`, prot);
  }
  const pvs = hdr['pvs'] as Record<string, unknown> | undefined;
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (typeof pvs !== 'object' || pvs === null || !strings(pvs['include']) || !strings(pvs['exclude'])) {
    return whole(
      'PVS005',
      'header "pvs" must be {"include":[globs],"exclude":[globs]} (Pantavisor rejects it otherwise)',
      prot,
    );
  }
  const x5c = hdr['x5c'];
  if (x5c !== undefined && !(strings(x5c) && x5c.length > 0)) {
    return whole('PVS006', 'header "x5c" must be a non-empty array of base64 DER certificates', prot);
  }
  const jwk = hdr['jwk'];
  return {
    ok: true,
    sig: {
      protectedB64,
      signatureB64: String(sigNode.value),
      signature: sigBytes,
      protectedRange: [prot.offset, prot.offset + prot.length],
      header: {
        alg: hdr['alg'],
        typ: hdr['typ'],
        jwk: typeof jwk === 'object' && jwk !== null ? (jwk as Record<string, unknown>) : undefined,
        x5c: x5c,
        include: pvs['include'],
        exclude: pvs['exclude'],
        json,
      },
    },
  };
}

/** The JWS signing input: `BASE64URL(protected) '.' BASE64URL(payload)` (RFC 7515 §5.1). */
export function signingInput(protectedB64: string, payload: string): Buffer {
  return Buffer.from(`${protectedB64}.${encodeBase64Url(payload)}`, 'ascii');
}
