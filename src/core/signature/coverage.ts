import type { CoreDiagnostic } from '../diagnostics';
import { compareCodePoints } from './canonicalValue';
import { globMatch } from './globMatch';
import type { Selection } from './payload';
import type { SignatureProblem } from './pvsSignature';

export const SIGNATURE_SOURCE = 'pantavisor-signatures';

/**
 * Stable diagnostic codes of the signature checks.
 * PVS001–PVS006 are signature-file format problems (see pvsSignature.ts).
 */
export const SIG_CODES = {
  badGlob: 'PVS007',
  globMatchesNothing: 'PVS008',
  invalid: 'PVS010',
  stale: 'PVS011',
  changedFile: 'PVS012',
  uncovered: 'PVS013',
  untrusted: 'PVS014',
} as const;

/**
 * - `valid`: the cryptographic check passed on the exact payload with a key the user trusts
 *   (a public key file, or an x5c chain to a CA file);
 * - `untrusted`: it passed with the key embedded in the signature (`jwk`/`x5c`), but no trusted key
 *   was given or none of them signed it;
 * - `invalid`: it failed: the committed state no longer matches what was signed, or the bytes are bad;
 * - `error`: the signature file or its globs could not be read at all.
 */
export type SigStatus = 'valid' | 'untrusted' | 'invalid' | 'error';

export interface SignatureEntry {
  /** State key of the signature file, e.g. `_sigs/bsp.json`. */
  key: string;
  name: string;
  status: SigStatus;
  /** Why it is not valid, in words (for `untrusted`, `invalid` and `error`). */
  reason?: string;
  problem?: SignatureProblem;
  alg?: string;
  include: string[];
  exclude: string[];
  /** How its globs split the committed keys; absent for `error`. */
  selection?: Selection;
  protectedRange?: [number, number];
}

/** Working-tree changes relative to the committed state. */
export interface WorkingChanges {
  modified: string[];
  deleted: string[];
  /** Files on disk that are not in the committed state (untracked or staged). */
  added: string[];
}

export interface FileCoverage {
  key: string;
  /** Names of the signatures (`_sigs/<name>.json`) whose payload holds this key. */
  coveredBy: string[];
  change?: 'modified' | 'deleted' | 'added';
}

export interface StaleSignature {
  name: string;
  key: string;
  /** Covered keys whose working value differs from the signed one (or that are new / gone). */
  changed: string[];
}

export interface CoverageReport {
  files: FileCoverage[];
  stale: StaleSignature[];
  /** Keys no signature protects (`_sigs/*` left out, as Pantavisor's strict check does). */
  uncovered: string[];
}

/**
 * For every key of the revision (and every new file in the working tree): which signatures cover
 * it, which signatures a working-tree change has made stale, and what is covered by none.
 */
export function computeCoverage(
  committedKeys: readonly string[],
  signatures: readonly SignatureEntry[],
  changes: WorkingChanges,
): CoverageReport {
  const changeOf = new Map<string, FileCoverage['change']>();
  for (const k of changes.modified) changeOf.set(k, 'modified');
  for (const k of changes.deleted) changeOf.set(k, 'deleted');
  for (const k of changes.added) changeOf.set(k, 'added');
  const usable = signatures.filter((s) => s.selection);
  const coveredBy = new Map<string, string[]>();
  for (const s of usable) {
    for (const k of s.selection?.protected ?? []) coveredBy.set(k, [...(coveredBy.get(k) ?? []), s.name]);
  }
  // A new file that a signature's globs select would enter its payload at the next commit.
  for (const k of changes.added) {
    for (const s of usable) {
      if (selects(s, k)) coveredBy.set(k, [...(coveredBy.get(k) ?? []), s.name]);
    }
  }
  const allKeys = [...new Set([...committedKeys, ...changes.added])].sort(compareCodePoints);
  const files: FileCoverage[] = allKeys.map((key) => {
    const f: FileCoverage = { key, coveredBy: coveredBy.get(key) ?? [] };
    const c = changeOf.get(key);
    if (c) f.change = c;
    return f;
  });
  const stale: StaleSignature[] = [];
  for (const s of usable) {
    const changed = files.filter((f) => f.change && f.coveredBy.includes(s.name)).map((f) => f.key);
    if (changed.length) stale.push({ name: s.name, key: s.key, changed });
  }
  const uncovered = files
    .filter((f) => f.coveredBy.length === 0 && f.change !== 'deleted' && !f.key.startsWith('_sigs/'))
    .map((f) => f.key);
  return { files, stale, uncovered };
}

function selects(s: SignatureEntry, key: string): boolean {
  try {
    return !s.exclude.some((g) => globMatch(g, key)) && s.include.some((g) => globMatch(g, key));
  } catch {
    return false;
  }
}

export interface CoverageDiagnosticOptions {
  /** `pantavisor.signatures.strict`: report files no signature covers. */
  strict: boolean;
  /** Whether the user named trusted keys; without them `untrusted` is the normal state. */
  trustConfigured: boolean;
}

/**
 * Diagnostics for a checkout: on each signature file (format, validity, staleness, unmatched globs)
 * and on each changed or uncovered file. `file` is the state key; the caller resolves it.
 * Ranges on files other than signature files are empty at offset 0 (the top of the file).
 */
export function signatureDiagnostics(
  signatures: readonly SignatureEntry[],
  report: CoverageReport,
  opts: CoverageDiagnosticOptions,
): CoreDiagnostic[] {
  const out: CoreDiagnostic[] = [];
  const diag = (
    file: string,
    range: [number, number] | undefined,
    severity: CoreDiagnostic['severity'],
    code: string,
    message: string,
    data?: Record<string, unknown>,
  ): void => {
    const d: CoreDiagnostic = {
      file,
      start: range?.[0] ?? 0,
      end: range?.[1] ?? 0,
      severity,
      code,
      message,
      source: SIGNATURE_SOURCE,
    };
    if (data) d.data = data;
    out.push(d);
  };
  for (const s of signatures) {
    if (s.status === 'error') {
      const p = s.problem;
      diag(
        s.key,
        p ? [p.start, p.end] : undefined,
        'error',
        p?.code ?? SIG_CODES.badGlob,
        s.reason ?? 'error',
      );
      continue;
    }
    if (s.status === 'invalid') {
      diag(
        s.key,
        s.protectedRange,
        'error',
        SIG_CODES.invalid,
        `${s.reason ?? 'signature does not verify'}. Re-sign the committed state: Pantavisor: Re-sign (pvkit sig update ${s.name}).`,
        { signature: s.name, fix: 'resign' },
      );
    } else if (s.status === 'untrusted' && opts.trustConfigured) {
      diag(
        s.key,
        s.protectedRange,
        'warning',
        SIG_CODES.untrusted,
        s.reason ?? 'not signed by a trusted key',
      );
    }
    // pvr adds `_config/<part>/**` to every part signature; most parts have no config, so that
    // glob matching nothing is normal and not worth a warning.
    for (const g of (s.selection?.unmatchedIncludes ?? []).filter((x) => !/^_config\/[^/]+\/\*\*$/.test(x))) {
      diag(
        s.key,
        s.protectedRange,
        'warning',
        SIG_CODES.globMatchesNothing,
        `include glob ${JSON.stringify(g)} matches no file of the committed revision`,
      );
    }
  }
  for (const st of report.stale) {
    const sig = signatures.find((s) => s.key === st.key);
    const shown =
      st.changed.slice(0, 5).join(', ') + (st.changed.length > 5 ? `, +${st.changed.length - 5} more` : '');
    diag(
      st.key,
      sig?.protectedRange,
      'error',
      SIG_CODES.stale,
      `stale signature: covered files changed since signing: ${shown}. Commit, then Pantavisor: Re-sign (pvkit sig update ${st.name}), add and commit again before pushing.`,
      { signature: st.name, fix: 'resign', changed: st.changed },
    );
  }
  for (const f of report.files) {
    if (!f.change || f.change === 'deleted' || f.coveredBy.length === 0) continue;
    const what = f.change === 'added' ? 'new file would enter' : 'changed since it was signed by';
    diag(
      f.key,
      undefined,
      'error',
      SIG_CODES.changedFile,
      `${what} ${f.coveredBy.map((n) => `_sigs/${n}.json`).join(', ')}; after committing, re-sign (pvkit sig update ${f.coveredBy.join(' ')}).`,
      { signatures: f.coveredBy, fix: 'resign' },
    );
  }
  if (opts.strict) {
    for (const k of report.uncovered) {
      diag(
        k,
        undefined,
        'warning',
        SIG_CODES.uncovered,
        'no signature protects this file; Pantavisor in secureboot strict mode rejects a revision with files no signature names (include or exclude). Sign it: pvkit sig add --part NAME.',
      );
    }
  }
  return out;
}
