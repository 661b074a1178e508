/**
 * A failure reported the way pvr reports it (pvr-repo.md §1.2): `coded` prints the message and
 * exits with `exitCode`; `plain` prints `ERROR: <message>` and exits 1.
 */
export class PvrError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly style: 'coded' | 'plain' = 'coded',
  ) {
    super(message);
  }
}

const GO_ERRNO: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EEXIST: 'file exists',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  ENOTEMPTY: 'directory not empty',
  EXDEV: 'invalid cross-device link',
  EBUSY: 'device or resource busy',
  EIO: 'input/output error',
};

/** Node's errno code of an error, if it has one. */
export function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string'
    ? e.code
    : undefined;
}

/**
 * Formats a Node file-system error as Go's `*PathError` text, `<op> <path>: <reason>`, which is what
 * pvr prints (`open /x/.pvr/new.XXX: no such file or directory`).
 */
export function goPathError(op: string, path: string, e: unknown): string {
  const code = errnoCode(e);
  const reason = (code && GO_ERRNO[code]) ?? (e instanceof Error ? e.message : String(e));
  return `${op} ${path}: ${reason}`;
}

/** Runs `fn`, turning a file-system error into a {@link PvrError} with Go's text. */
export async function goFs<T>(op: string, path: string, exitCode: number, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof PvrError) throw e;
    throw new PvrError(goPathError(op, path, e), exitCode);
  }
}
