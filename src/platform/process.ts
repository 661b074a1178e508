import { spawn, type SpawnOptions } from 'node:child_process';
import type { Readable } from 'node:stream';

/** Where command lines and process events are logged; the extension passes its log channel. */
export interface ProcessLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Aborting kills the whole process tree (the child is a process-group leader). */
  signal?: AbortSignal;
  /** Text written to stdin, then stdin is closed. Stdin is closed at once when absent. */
  input?: string | Buffer;
  /** A stream piped to stdin instead of `input` (e.g. a tar stream for `mksquashfs -tar`). */
  stdin?: Readable;
  logger?: ProcessLogger;
  /** Called with each chunk as it arrives, for streaming output to a terminal or log. */
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /** Name of the setting that configures this binary, used in the ENOENT message. */
  setting?: string;
  /** Keep at most this many bytes of each stream in the result (default 16 MiB). */
  maxBuffer?: number;
}

export type RunErrorKind = 'not-found' | 'cancelled' | 'spawn-failed';

export interface RunResult {
  stdout: string;
  stderr: string;
  /** Null when the process was killed by a signal or never started. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  error?: { kind: RunErrorKind; message: string };
}

/** Quotes an argument for display in logs only; commands are never run through a shell. */
export function quoteArg(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

export function commandLine(cmd: string, args: readonly string[]): string {
  return [cmd, ...args].map(quoteArg).join(' ');
}

/** Kills a process and everything it started, by signalling its process group. */
export function killTree(pid: number | undefined, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/**
 * Runs a command with an argument array and never throws: a missing binary, a failed spawn and
 * cancellation come back as `error`. The full command line is logged before the start.
 */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const max = opts.maxBuffer ?? 16 * 1024 * 1024;
  opts.logger?.info(`$ ${commandLine(cmd, args)}${opts.cwd ? `   (in ${opts.cwd})` : ''}`);
  return new Promise((resolve) => {
    if (opts.signal?.aborted) {
      resolve({
        stdout: '',
        stderr: '',
        exitCode: null,
        signal: null,
        error: { kind: 'cancelled', message: 'Cancelled' },
      });
      return;
    }
    const spawnOpts: SpawnOptions = {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    };
    const child = spawn(cmd, [...args], spawnOpts);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outLen = 0;
    let errLen = 0;
    let cancelled = false;
    const onAbort = (): void => {
      cancelled = true;
      killTree(child.pid, 'SIGTERM');
      setTimeout(() => killTree(child.pid, 'SIGKILL'), 2000).unref();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout?.on('data', (d: Buffer) => {
      opts.onStdout?.(d);
      if (outLen < max) out.push(d);
      outLen += d.length;
    });
    child.stderr?.on('data', (d: Buffer) => {
      opts.onStderr?.(d);
      if (errLen < max) err.push(d);
      errLen += d.length;
    });
    child.stdin?.on('error', () => undefined);
    if (opts.stdin && child.stdin) opts.stdin.pipe(child.stdin);
    else if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
    let settled = false;
    const finish = (r: RunResult): void => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') {
        const where = opts.setting ? ` Install it or set "${opts.setting}".` : '';
        opts.logger?.warn(`${cmd}: not found (PATH=${process.env['PATH'] ?? ''})`);
        finish({
          stdout: '',
          stderr: '',
          exitCode: null,
          signal: null,
          error: { kind: 'not-found', message: `'${cmd}' was not found.${where}` },
        });
      } else {
        finish({
          stdout: '',
          stderr: '',
          exitCode: null,
          signal: null,
          error: { kind: 'spawn-failed', message: `${cmd}: ${e.message}` },
        });
      }
    });
    child.on('close', (code, sig) => {
      const r: RunResult = {
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        exitCode: code,
        signal: sig,
      };
      if (cancelled) r.error = { kind: 'cancelled', message: 'Cancelled' };
      finish(r);
    });
  });
}
