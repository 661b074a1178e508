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
  /** Superblock and root directory time, so the same image gives the same bytes. */
  epoch: number;
  mksquashfs?: string;
  signal?: AbortSignal;
  logger?: ProcessLogger;
}

/** The mksquashfs arguments after the input and output: pvr's options plus reproducibility. */
export function mksquashfsOptions(formatOptions: string | undefined, epoch: number): string[] {
  const fmt = formatOptions?.trim() ? formatOptions.trim().split(/\s+/) : ['-comp', 'xz'];
  const has = (...names: string[]): boolean => fmt.some((a) => names.includes(a));
  const args = [...fmt];
  if (!has('-root-mode')) args.push('-root-mode', '0755');
  // Not in pvr's command line: without them the root directory and superblock carry the time of
  // the run, and two imports of one image would differ.
  if (!has('-root-uid')) args.push('-root-uid', '0');
  if (!has('-root-gid')) args.push('-root-gid', '0');
  if (!has('-root-time')) args.push('-root-time', String(epoch));
  if (!has('-mkfs-time', '-fstime')) args.push('-mkfs-time', String(epoch));
  return args;
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
      ...mksquashfsOptions(opts.formatOptions, opts.epoch),
    ];
    const r = await run(opts.mksquashfs ?? 'mksquashfs', args, {
      stdin: tar,
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
