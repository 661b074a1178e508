/** What every pvkit command receives: its arguments and the streams to write to. */
export interface CliContext {
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Raw bytes to stdout/stderr (binary `export -`, pvr's byte-cut names); fall back to the text writers. */
  stdoutBytes?: (bytes: Uint8Array) => Promise<void>;
  stderrBytes?: (bytes: Uint8Array) => void;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
}

/** A command returns its exit code. Usage errors are 2 by convention (pvr-compatible commands use pvr's codes). */
export type CliCommand = {
  summary: string;
  usage: string;
  run: (ctx: CliContext) => Promise<number>;
};

export class UsageError extends Error {}
