import { existsSync, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { compareKeys } from '../../core/revision/canonicalJson';
import { SQUASH_FILE, updateApp, type ImageImportOptions } from './importImage';

/** What happened to one container of a checkout in {@link importMissingImages}. */
export interface AppImageOutcome {
  app: string;
  status: 'imported' | 'present';
  /** The image it was imported from (`docker_name:tag` or the archive), when imported. */
  image?: string;
}

/** An import that failed: names the app, the image and what to do. */
export class ImageImportError extends Error {
  constructor(
    readonly app: string,
    message: string,
  ) {
    super(message);
  }
}

/** True when `<root>/<name>/src.json` is a file: the folder is a pvr app. */
export async function isApp(root: string, name: string): Promise<boolean> {
  try {
    return (await fsp.stat(join(root, name, 'src.json'))).isFile();
  } catch {
    return false;
  }
}

/** The app folders of a checkout (top-level folders with a `src.json`), in byte order of their names, as `pvr app ls` lists them. */
export async function checkoutApps(checkout: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fsp.readdir(checkout, { withFileTypes: true })) {
    if (e.isDirectory() && !e.name.startsWith('.') && (await isApp(checkout, e.name))) out.push(e.name);
  }
  return out.sort(compareKeys);
}

/**
 * The "import images" step of Convert and Push: for every app of the checkout that has no
 * `root.squashfs` yet, runs `pvkit app update <app>` (pvr's `app update`: resolve the image named
 * in src.json from the engine, a registry or the archive it came from, render, write the
 * squashfs). Apps that already have one (imported by the converter or earlier) are reported as
 * present and left alone, so re-running the step after a failure only does what is missing. Stops
 * at the first failure with an {@link ImageImportError} naming the app and the command to run.
 */
export async function importMissingImages(
  opts: Omit<ImageImportOptions, 'app'>,
  onApp?: (app: string) => void,
): Promise<AppImageOutcome[]> {
  const out: AppImageOutcome[] = [];
  for (const app of await checkoutApps(opts.checkout)) {
    opts.signal?.throwIfAborted();
    if (existsSync(join(opts.checkout, app, SQUASH_FILE))) {
      out.push({ app, status: 'present' });
      continue;
    }
    onApp?.(app);
    try {
      const r = await updateApp({ ...opts, app });
      out.push({
        app,
        status: 'imported',
        image: `${r.image.dockerName}${r.image.dockerTag ? `:${r.image.dockerTag}` : ''}`,
      });
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      throw new ImageImportError(
        app,
        `${app}: ${(e as Error).message} (import it with \`pvkit app update ${app}\` in ${opts.checkout}, or push without importing images)`,
      );
    }
  }
  return out;
}

/** One line for a progress message or log: `db imported (postgres:16), web present`. */
export function describeImageOutcomes(list: readonly AppImageOutcome[]): string {
  if (!list.length) return 'no containers';
  return list
    .map((o) => (o.status === 'imported' ? `${o.app} imported (${o.image ?? '?'})` : `${o.app} present`))
    .join(', ');
}
