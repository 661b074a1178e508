import { promises as fsp, constants as fsc } from 'node:fs';
import { join } from 'node:path';
import { PvrError, errnoCode } from './PvrError';

/** Name of the lock file inside `.pvr/`; it only exists while a pvkit command runs. */
export const LOCK_NAME = 'pvkit.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoCode(e) === 'EPERM';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Serialises commands on one repository. The lock is a file created with O_EXCL holding the owner's
 * pid. A lock whose owner is gone (killed, crashed) is stale: it is taken over by renaming it away,
 * which only one contender can do. A live owner is waited for up to `timeoutMs`.
 * Returns the release function.
 */
export async function acquireLock(pvrDir: string, timeoutMs = 60_000): Promise<() => Promise<void>> {
  const path = join(pvrDir, LOCK_NAME);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fh = await fsp.open(path, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o644);
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      return async () => {
        await fsp.rm(path, { force: true });
      };
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST') throw e;
    }
    let owner = NaN;
    let age = 0;
    try {
      owner = Number.parseInt(await fsp.readFile(path, 'utf8'), 10);
      age = Date.now() - (await fsp.stat(path)).mtimeMs;
    } catch {
      continue; // released meanwhile
    }
    // An empty lock file is one whose owner died between creating and writing it.
    const stale = Number.isFinite(owner) ? !alive(owner) : age > 5_000;
    if (stale) {
      const aside = `${path}.stale.${process.pid}`;
      try {
        await fsp.rename(path, aside);
        await fsp.rm(aside, { force: true });
      } catch {
        // Another process recovered it first.
      }
      continue;
    }
    if (Date.now() > deadline) {
      throw new PvrError(
        `repository is locked by another pvkit process (pid ${Number.isFinite(owner) ? owner : '?'}, lock file ${path}); wait for it to finish, or delete the lock file if that process no longer exists`,
        3,
      );
    }
    await sleep(50);
  }
}
