import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** pvr's config dir (`PVR_CONFIG_DIR`, else `~/.pvr`), created if missing; objects go below it. */
export function pvrConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env['PVR_CONFIG_DIR'] || join(env['HOME'] || homedir(), '.pvr');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    // The conversion reports the failure when it needs the objects directory.
  }
  return dir;
}
