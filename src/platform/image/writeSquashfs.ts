import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { run, type ProcessLogger } from '../process';

export interface SquashfsOptions {
  /** Final path, e.g. `<checkout>/<app>/root.squashfs`; written under a temporary name first. */
  out: string;
  /** The container's `format_options` (mksquashfs options split on spaces); default `-comp xz`. */
  formatOptions?: string;
  /** Superblock and root directory time (seconds); no entry may be later, or it is clamped. */
  epoch: number;
  mksquashfs?: string;
  signal?: AbortSignal;
  logger?: ProcessLogger;
}

/**
 * Splits `-e PATH...` off the format options. mksquashfs 4.5.1 ignores exclusions in `-tar` mode,
 * so they are applied while flattening instead (meta-pantavisor passes `-e lib/modules -e
 * lib/firmware`). As in mksquashfs, `-e` takes every argument after it.
 */
export function splitExcludes(formatOptions: string | undefined): {
  options: string | undefined;
  excludes: string[];
} {
  const args = formatOptions?.trim() ? formatOptions.trim().split(/\s+/) : [];
  if (args.includes('-ef') || args.includes('-wildcards') || args.includes('-regex'))
    throw new Error(
      `format_options "${formatOptions ?? ''}": -ef, -wildcards and -regex are not supported; list paths with -e`,
    );
  const i = args.indexOf('-e');
  if (i < 0) return { options: formatOptions, excludes: [] };
  return {
    options: args.slice(0, i).join(' ') || undefined,
    excludes: args.slice(i + 1).filter((a) => a !== '-e'),
  };
}

/** The mksquashfs arguments after the input and output: pvr's options plus reproducibility. */
export function mksquashfsOptions(formatOptions: string | undefined): string[] {
  const fmt = formatOptions?.trim() ? formatOptions.trim().split(/\s+/) : ['-comp', 'xz'];
  const has = (...names: string[]): boolean => fmt.some((a) => names.includes(a));
  const args = [...fmt];
  if (!has('-root-mode')) args.push('-root-mode', '0755');
  // Not in pvr's command line: the root's owner otherwise depends on who runs mksquashfs.
  if (!has('-root-uid')) args.push('-root-uid', '0');
  if (!has('-root-gid')) args.push('-root-gid', '0');
  return args;
}

function timeOptions(formatOptions: string | undefined): boolean {
  return /(^|\s)-(mkfs-time|fstime|all-time|root-time)\b/.test(formatOptions ?? '');
}

/**
 * Pipes a tar stream into `mksquashfs - <tmp> -tar …` and renames the result into place. On any
 * failure or cancellation the temporary file is removed and nothing is left at `out`'s name.
 * Throws with mksquashfs's own message on failure; a failure of the tar stream is rethrown as is.
 */
export async function writeSquashfs(tar: Readable, opts: SquashfsOptions): Promise<void> {
  const tmp = join(dirname(opts.out), `.${basename(opts.out)}.${randomBytes(4).toString('hex')}.tmp`);
  const ac = new AbortController();
  const onOuterAbort = (): void => ac.abort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let streamError: Error | undefined;
  tar.on('error', (e) => {
    streamError ??= e instanceof Error ? e : new Error(String(e));
    ac.abort();
  });
  try {
    const args = [
      '-',
      tmp,
      '-tar',
      '-noappend',
      '-quiet',
      '-exit-on-error',
      ...mksquashfsOptions(opts.formatOptions),
    ];
    const r = await run(opts.mksquashfs ?? 'mksquashfs', args, {
      stdin: tar,
      // mksquashfs 4.5.1 ignores -root-time in -tar mode and stamps the root directory and the
      // superblock with the time of the run; SOURCE_DATE_EPOCH sets both (and clamps later
      // times, so callers pass a time no entry exceeds), making two imports byte-identical.
      env: {
        ...process.env,
        ...(timeOptions(opts.formatOptions) ? {} : { SOURCE_DATE_EPOCH: String(opts.epoch) }),
      },
      signal: ac.signal,
      setting: 'pantavisor.mksquashfs.path',
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
    if (streamError) throw streamError;
    if (opts.signal?.aborted) throw new Error('cancelled');
    if (r.error) throw new Error(r.error.message);
    if (r.exitCode !== 0)
      throw new Error(
        `mksquashfs failed (exit ${r.exitCode ?? r.signal}): ${(r.stderr || r.stdout).trim().slice(-2000)}`,
      );
    await fs.rename(tmp, opts.out);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort);
    tar.destroy();
  }
}
