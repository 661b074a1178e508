import { createPublicKey, sign as cryptoSign, type KeyObject, type X509Certificate } from 'node:crypto';
import { canonicalFromValue } from '../../core/signature/canonicalValue';
import { goMarshal } from '../../core/signature/goJson';
import { buildPayload, selectKeys, type Selection, type StateIndex } from '../../core/signature/payload';
import type { PvsMatch } from '../../core/signature/pvsMatch';
import { encodeBase64Url, PVS_ALGS, signingInput, type PvsAlg } from '../../core/signature/pvsSignature';

const CURVE_ALG: Record<string, PvsAlg> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };

/**
 * The algorithm for a signing key, as pvr picks it: RSA → RS256, EC by curve → ES256/ES384/ES512.
 * (pvr 037 maps the curve's bit size 512 to ES512, which P-521 never has, so pvr cannot sign with a
 * P-521 key; we sign it with ES512 as RFC 7518 defines.) Other key types are refused.
 */
export function algForKey(key: KeyObject): PvsAlg {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec') {
    const alg = CURVE_ALG[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (alg) return alg;
    throw new Error(
      `EC key on curve ${key.asymmetricKeyDetails?.namedCurve ?? '?'} is not supported; use P-256, P-384 or P-521`,
    );
  }
  throw new Error(
    `a ${key.asymmetricKeyType ?? 'unknown'} key cannot sign Pantavisor revisions; use RSA or EC`,
  );
}

/** The public JWK in go-jose's member order (`kty`, `crv`, `x`, `y` / `kty`, `n`, `e`). */
function publicJwk(key: KeyObject): Record<string, unknown> {
  const j = key.export({ format: 'jwk' });
  return j.kty === 'EC' ? { kty: 'EC', crv: j.crv, x: j.x, y: j.y } : { kty: 'RSA', n: j.n, e: j.e };
}

export interface SignRequest {
  state: StateIndex;
  match: PvsMatch;
  key: KeyObject;
  /** Certificates for the `x5c` header, leaf first. */
  x5c?: X509Certificate[] | undefined;
  /** Keep the payload in the file (`--with-payload`). */
  withPayload?: boolean | undefined;
}

export interface SignResult {
  /** Content of `_sigs/<name>.json`: canonical JSON, no trailing newline, as pvr writes it. */
  fileText: string;
  payload: string;
  selection: Selection;
  alg: PvsAlg;
}

/**
 * Signs the committed state as `pvr sig add`/`update` do (`libpvr/pvslib.go` `JwsSign`): the payload
 * is the canonical JSON of the keys the globs select; the protected header is go-jose's
 * (`alg`, `jwk`, `pvs`, `typ: "PVS"`, `x5c`, sorted as Go sorts map keys); the file is the flattened
 * JWS without payload plus `#spec: "pvs@2"`, in canonical JSON.
 */
export function signState(req: SignRequest): SignResult {
  const alg = algForKey(req.key);
  const selection = selectKeys(req.state.keys, req.match.include, req.match.exclude);
  const payload = buildPayload(req.state, selection.protected);
  const header: Record<string, unknown> = {
    alg,
    jwk: publicJwk(req.key),
    pvs: { include: req.match.include, exclude: req.match.exclude },
    typ: 'PVS',
  };
  const leaf = req.x5c?.[0];
  if (leaf) {
    const pub = (k: KeyObject): string => k.export({ format: 'der', type: 'spki' }).toString('base64');
    if (pub(leaf.publicKey) !== pub(createPublicKey(req.key))) {
      throw new Error(
        `the x5c certificate ${leaf.subject} is not for this signing key; give the key's own certificate`,
      );
    }
  }
  if (req.x5c && req.x5c.length) header['x5c'] = req.x5c.map((c) => c.raw.toString('base64'));
  const protectedB64 = encodeBase64Url(goMarshal(header));
  const spec = PVS_ALGS[alg];
  const input = signingInput(protectedB64, payload);
  const signature = cryptoSign(
    spec.hash,
    input,
    spec.kty === 'EC' ? { key: req.key, dsaEncoding: 'ieee-p1363' } : req.key,
  );
  const file: Record<string, unknown> = {
    '#spec': 'pvs@2',
    protected: protectedB64,
    signature: encodeBase64Url(signature),
  };
  if (req.withPayload) file['payload'] = encodeBase64Url(payload);
  return { fileText: canonicalFromValue(file), payload, selection, alg };
}
