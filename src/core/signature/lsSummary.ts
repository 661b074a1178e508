import { compareCodePoints } from './canonicalValue';
import { goMarshal } from './goJson';

/** One verified signature's part of the `pvr sig ls` output. */
export interface VerifySummary {
  protected: string[];
  excluded: string[];
  notSeen: string[];
  sigs: Record<string, unknown>[];
}

function uniqSorted(xs: string[]): string[] {
  return [...new Set(xs)].sort(compareCodePoints);
}

/**
 * Merges per-signature summaries as `pvr sig ls` does (`cmdsigls.go` `mergeSummary`): a key
 * protected by any signature is listed once under `protected` and removed from `excluded`; a key
 * under `notseen` is dropped when another signature protects or excludes it.
 */
export function mergeSummaries(list: readonly VerifySummary[]): VerifySummary {
  const prot = uniqSorted(list.flatMap((s) => s.protected));
  const p = new Set(prot);
  const excl = uniqSorted(list.flatMap((s) => s.excluded)).filter((k) => !p.has(k));
  const e = new Set(excl);
  const notSeen = uniqSorted(list.flatMap((s) => s.notSeen)).filter((k) => !p.has(k) && !e.has(k));
  return { protected: prot, excluded: excl, notSeen, sigs: list.flatMap((s) => s.sigs) };
}

/**
 * The summary printed the way pvr prints it: Go `json.MarshalIndent` with four spaces, empty lists
 * left out (`omitempty`), `sigs` only with `--with-sigs`, and a final newline (`fmt.Println`).
 */
export function formatSummary(s: VerifySummary, withSigs: boolean): string {
  const out: Record<string, unknown> = {};
  if (s.protected.length) out['protected'] = s.protected;
  if (s.excluded.length) out['excluded'] = s.excluded;
  if (s.notSeen.length) out['notseen'] = s.notSeen;
  if (withSigs && s.sigs.length) out['sigs'] = s.sigs;
  return goMarshal(out, '    ') + '\n';
}
