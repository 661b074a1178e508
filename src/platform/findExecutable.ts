import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/**
 * The absolute path of an executable: `name` itself when it contains a slash, otherwise the first
 * match on `PATH` (as the shell and `spawn` look it up). Undefined when there is none.
 */
export async function findExecutable(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): Promise<string | undefined> {
  const candidates = name.includes('/')
    ? [isAbsolute(name) ? name : resolve(cwd, name)]
    : (env['PATH'] ?? '')
        .split(delimiter)
        .filter((d) => d)
        .map((d) => join(d, name));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return undefined;
}
