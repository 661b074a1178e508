import type { SignatureReport } from './signatureReport';

/**
 * Plain data for the revision view's "Signatures" section: each signature with its status and what
 * it covers, every file with the signatures covering it, and the files no signature covers.
 */
export interface SignatureSummary {
  dir: string;
  signatures: {
    name: string;
    file: string;
    status: 'valid' | 'untrusted' | 'invalid' | 'error';
    stale: boolean;
    reason?: string;
    alg?: string;
    signer?: string;
    covers: string[];
  }[];
  files: { key: string; coveredBy: string[]; change?: string }[];
  uncovered: string[];
  trustConfigured: boolean;
}

/** Turns a report into the summary the revision view shows. */
export function summarize(report: SignatureReport, trustConfigured: boolean): SignatureSummary {
  const stale = new Set(report.coverage.stale.map((s) => s.key));
  return {
    dir: report.checkout.dir,
    signatures: report.signatures.map((s) => {
      const e: SignatureSummary['signatures'][number] = {
        name: s.name,
        file: s.key,
        status: s.status,
        stale: stale.has(s.key),
        covers: s.selection?.protected ?? [],
      };
      if (s.reason) e.reason = s.reason;
      if (s.alg) e.alg = s.alg;
      if (s.signer) e.signer = s.signer;
      return e;
    }),
    files: report.coverage.files,
    uncovered: report.coverage.uncovered,
    trustConfigured,
  };
}
