import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CoreDiagnostic } from '../../core/diagnostics';
import {
  computeCoverage,
  signatureDiagnostics,
  SIG_CODES,
  type CoverageReport,
  type SignatureEntry,
} from '../../core/signature/coverage';
import { GlobError } from '../../core/signature/globMatch';
import { buildPayload, selectKeys, type StateIndex } from '../../core/signature/payload';
import { sigNameOf } from '../../core/signature/pvsMatch';
import { parseSignatureFile, type PvsSignature } from '../../core/signature/pvsSignature';
import { readCheckout, type Checkout } from './workingTree';
import { verifySignature, type Trust } from './verify';

/** A signature entry plus what was parsed and the exact payload checked. */
export interface CheckedSignature extends SignatureEntry {
  sig?: PvsSignature;
  payload?: string;
  signer?: string;
  /** The signature file's text as it was checked (working tree, else committed value). */
  text: string;
}

/**
 * Checks one signature text against a committed state. The payload is always built from the
 * committed state, as pvr and Pantavisor do; `valid` needs the cryptographic check to pass.
 */
export function checkSignature(
  state: StateIndex,
  key: string,
  text: string,
  trust: Trust = {},
): CheckedSignature {
  const base = { key, name: sigNameOf(key), text, include: [] as string[], exclude: [] as string[] };
  const parsed = parseSignatureFile(text);
  if (!parsed.ok)
    return { ...base, status: 'error', reason: parsed.problem.message, problem: parsed.problem };
  const sig = parsed.sig;
  const entry = {
    ...base,
    sig,
    alg: sig.header.alg,
    include: sig.header.include,
    exclude: sig.header.exclude,
    protectedRange: sig.protectedRange,
  };
  let selection;
  try {
    selection = selectKeys(state.keys, sig.header.include, sig.header.exclude);
  } catch (e) {
    if (!(e instanceof GlobError)) throw e;
    return {
      ...entry,
      status: 'error',
      reason: e.message,
      problem: {
        code: SIG_CODES.badGlob,
        message: e.message,
        start: sig.protectedRange[0],
        end: sig.protectedRange[1],
      },
    };
  }
  const payload = buildPayload(state, selection.protected);
  const outcome = verifySignature(sig, payload, trust);
  const out: CheckedSignature = { ...entry, selection, payload, status: outcome.status };
  if (outcome.reason) out.reason = outcome.reason;
  if (outcome.signer) out.signer = outcome.signer;
  return out;
}

/** Keys of the committed state whose value is a pvs@2 signature object (pvr `sig ls` default). */
export function committedSignatureKeys(state: StateIndex): string[] {
  return state.keys.filter((k) => {
    const v = state.values.get(k);
    if (v?.type !== 'object') return false;
    return (v.children ?? []).some(
      (p) => p.children?.[0]?.value === '#spec' && p.children?.[1]?.value === 'pvs@2',
    );
  });
}

export interface SignatureReport {
  checkout: Checkout;
  signatures: CheckedSignature[];
  coverage: CoverageReport;
  diagnostics: CoreDiagnostic[];
}

export interface ReportOptions {
  trust?: Trust;
  /** Whether the user named trusted keys (changes how `untrusted` is reported). */
  trustConfigured?: boolean;
  /** `pantavisor.signatures.strict`. */
  strict?: boolean;
}

/**
 * Everything about the signatures of a checkout: each signature checked against the committed
 * state, coverage of every file, stale signatures after working-tree changes, and diagnostics.
 * This is the summary the revision view shows in its "Signatures" section.
 */
export async function loadSignatureReport(dir: string, opts: ReportOptions = {}): Promise<SignatureReport> {
  const checkout = await readCheckout(dir);
  const { state, changes } = checkout;
  const keys = new Set(committedSignatureKeys(state));
  // A signature made by `sig add` but not yet committed is in the working tree only.
  for (const k of changes.added) if (/^_sigs\/[^/]+\.json$/.test(k)) keys.add(k);
  const signatures: CheckedSignature[] = [];
  for (const key of keys) {
    let text: string;
    try {
      text = await readFile(join(dir, ...key.split('/')), 'utf8');
    } catch {
      const node = state.values.get(key);
      text = node ? state.text.slice(node.offset, node.offset + node.length) : '';
    }
    signatures.push(checkSignature(state, key, text, opts.trust));
  }
  const coverage = computeCoverage(state.keys, signatures, changes);
  const diagnostics = signatureDiagnostics(signatures, coverage, {
    strict: opts.strict ?? false,
    trustConfigured: opts.trustConfigured ?? false,
  });
  return { checkout, signatures, coverage, diagnostics };
}
