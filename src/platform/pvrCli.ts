import { run, type ProcessLogger, type RunResult } from './process';

/**
 * Runs a user-installed `pvr`. Every command line is logged, cancellation kills the process tree,
 * self-upgrade is disabled, stdin is closed, and a prompt pvr prints while waiting for an answer
 * (a Pantahub login, "download the keys?") is detected and turned into a clear error instead of a
 * process that waits forever.
 */

export interface PvrRunOptions {
  /** The `pantavisor.pvr.path` setting; `pvr` from PATH when empty. */
  pvrPath?: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  logger?: ProcessLogger;
  /** Streams output as it comes (the log channel, a task terminal). */
  onOutput?: (text: string) => void;
  /** How long a question without newline may sit before it counts as a prompt (ms). */
  promptIdleMs?: number;
}

export interface PvrRunResult extends RunResult {
  /** Set when pvr stopped to ask something; the process was killed. */
  prompt?: { kind: 'login' | 'download' | 'question'; text: string; message: string };
}

const LOGIN = /(user ?name|e-?mail|password|login)[^\n]*[:?]\s*$/i;
const DOWNLOAD = /(download|fetch)[^\n]*(key|signing)[^\n]*(\[y\/n\]|\(y\/n\)|\?)\s*$/i;
const QUESTION = /(\[y\/n\]|\(y\/n\)|\[yes\/no\]|[:?])\s*$/i;

/** Classifies the tail of pvr's output; undefined when it is not waiting for an answer. */
export function detectPrompt(tail: string, idle: boolean): PvrRunResult['prompt'] {
  const lastLine = tail.split('\n').pop() ?? '';
  if (lastLine.trim() === '') return undefined; // output ended with a newline: not a prompt
  if (DOWNLOAD.test(lastLine)) {
    return {
      kind: 'download',
      text: lastLine,
      message: `pvr asked to download keys ("${lastLine.trim()}") and cannot be answered here. Run the same pvr command once in a terminal and answer there, then try again.`,
    };
  }
  if (LOGIN.test(lastLine)) {
    return {
      kind: 'login',
      text: lastLine,
      message: `pvr asked for a Pantahub login ("${lastLine.trim()}"). Run "pvr login" in a terminal first, then try again.`,
    };
  }
  if (idle && QUESTION.test(lastLine)) {
    return {
      kind: 'question',
      text: lastLine,
      message: `pvr is waiting for an answer ("${lastLine.trim()}") that cannot be given here. Run the command in a terminal instead.`,
    };
  }
  return undefined;
}

/** Runs `pvr <args>`; never throws. */
export async function runPvr(args: readonly string[], opts: PvrRunOptions): Promise<PvrRunResult> {
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (opts.signal?.aborted) controller.abort();
  let tail = '';
  let prompt: PvrRunResult['prompt'];
  let idleTimer: NodeJS.Timeout | undefined;
  const idleMs = opts.promptIdleMs ?? 1500;
  const stopFor = (p: NonNullable<PvrRunResult['prompt']>): void => {
    if (prompt) return;
    prompt = p;
    opts.logger?.warn(p.message);
    controller.abort();
  };
  const onChunk = (b: Buffer): void => {
    const text = b.toString('utf8');
    opts.onOutput?.(text);
    tail = (tail + text).slice(-2048);
    if (idleTimer) clearTimeout(idleTimer);
    const now = detectPrompt(tail, false);
    if (now) stopFor(now);
    else {
      idleTimer = setTimeout(() => {
        const later = detectPrompt(tail, true);
        if (later) stopFor(later);
      }, idleMs);
      idleTimer.unref();
    }
  };
  const result: PvrRunResult = await run(opts.pvrPath || 'pvr', args, {
    cwd: opts.cwd,
    env: { ...(opts.env ?? process.env), PVR_DISABLE_SELF_UPGRADE: '1' },
    signal: controller.signal,
    ...(opts.logger ? { logger: opts.logger } : {}),
    onStdout: onChunk,
    onStderr: onChunk,
    setting: 'pantavisor.pvr.path',
  });
  if (idleTimer) clearTimeout(idleTimer);
  opts.signal?.removeEventListener('abort', onOuterAbort);
  if (prompt) {
    result.prompt = prompt;
    result.error = { kind: 'spawn-failed', message: prompt.message };
  }
  return result;
}
