/** Severity as Pantavisor would act on it: `error` rejects the state, `warning` is logged, `info` teaches. */
export type Severity = 'error' | 'warning' | 'info';

/**
 * A diagnostic as plain data. Ranges are UTF-16 offsets into the text of `file`; they are turned
 * into line/column positions only at the edge (VS Code's `positionAt`, or {@link LineIndex} in the CLI).
 */
export interface CoreDiagnostic {
  /** Path of the file the range refers to, as the caller named it (relative or absolute). */
  file: string;
  start: number;
  end: number;
  severity: Severity;
  /** Stable rule id, e.g. `PV101`. */
  code: string;
  message: string;
  /** `pantavisor-schema`, `pantavisor-rules`, `balena-compose`, ... */
  source: string;
  /** Optional machine-readable payload for quick fixes. */
  data?: Record<string, unknown>;
}

export const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Sorts by file, then position, and drops exact duplicates (same place, code and message). */
export function normalizeDiagnostics(diags: CoreDiagnostic[]): CoreDiagnostic[] {
  const seen = new Set<string>();
  const out: CoreDiagnostic[] = [];
  for (const d of diags) {
    const key = `${d.file}\0${d.start}\0${d.end}\0${d.code}\0${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out.sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : a.start - b.start || a.end - b.end,
  );
}
