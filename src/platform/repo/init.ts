import { promises as fsp } from 'node:fs';
import { join, resolve } from 'node:path';
import { emptyConfig, formatConfig } from './Repository';
import { writeAtomic } from './objectStore';

export interface InitOptions {
  /** `--objects`; relative paths are resolved against `cwd`. Default `<configDir>/objects`. */
  objects?: string;
  spec: string;
  configDir: string;
  cwd: string;
}

/**
 * `pvr init` (pvr-repo.md §3): a silent no-op when `.pvr` exists; otherwise `.pvr/config`, the
 * objects directory and `.pvr/json` in the init form. Failures after `.pvr/` was created are
 * dropped, as pvr drops them.
 */
export async function initRepo(root: string, opts: InitOptions): Promise<void> {
  const pvrDir = join(root, '.pvr');
  try {
    await fsp.mkdir(pvrDir, { mode: 0o755 });
  } catch {
    return;
  }
  const objdir =
    opts.objects !== undefined && opts.objects !== ''
      ? resolve(opts.cwd, opts.objects)
      : join(opts.configDir, 'objects');
  try {
    await writeAtomic(join(pvrDir, 'config'), formatConfig({ ...emptyConfig(), ObjectsDir: objdir }));
    await fsp.mkdir(objdir, { recursive: true, mode: 0o755 });
    // The spec is pasted in without escaping, exactly like pvr (a quote in it breaks the file).
    await writeAtomic(join(pvrDir, 'json'), `{ "#spec": "${opts.spec}" }`);
  } catch {
    // pvr builds the error and drops it.
  }
}
