import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { decodeSrcJson } from '../../core/template/decodeSrcJson';
import { nodeToGoValue, parseGoJson } from '../../core/template/goJsonDecode';
import type { GoValue } from '../../core/template/goValue';
import {
  renderContainerFiles,
  type BaseStatus,
  type TemplateCompat,
  type TemplateWarning,
} from '../../core/template/renderContainerFiles';

export interface InstallAppOptions {
  /** The repository root (pvr uses the current directory; it never searches upwards for `.pvr`). */
  root: string;
  /** The app directory name; leading and trailing `/` are removed as pvr does. */
  app: string;
  compat?: TemplateCompat;
}

export interface InstallAppResult {
  /** pvr's exit status: 0 done, 2 src.json unreadable, 3 any other failure. */
  exitCode: 0 | 2 | 3;
  /** Files written, relative to the root, in the order written (a base app's come first). */
  written: string[];
  /** Files removed (a stale lxc.container.conf in `fixed` mode). */
  removed: string[];
  warnings: { app: string; warning: TemplateWarning }[];
  /** Notes that are not about the rendered files, e.g. that root.squashfs is out of date. */
  notes: string[];
  /** Why nothing was written for the app (names the file, line and fix where known). */
  error?: string;
}

/**
 * `pvr app install <app>` without the image part: renders `<app>/run.json` and, unless the app is a
 * data/mounted-only container, `<app>/lxc.container.conf` from `<app>/src.json`, the way pvr 037
 * does. Like pvr, a `base` app is installed (rendered) first, the default group comes from a tracked
 * `groups.json` at the root, and a failed render leaves every existing file untouched.
 *
 * Where pvkit deliberately differs from pvr: it never fetches or builds `root.squashfs` (it reports
 * when `root.squashfs.docker-digest` does not match `docker_digest` and still succeeds), and in
 * `fixed` mode it removes an `lxc.container.conf` left from an earlier render when the app no longer
 * has one (pvr 037 never deletes it; `pvr037` mode keeps it too and warns).
 */
export async function installApp(options: InstallAppOptions): Promise<InstallAppResult> {
  const result: InstallAppResult = { exitCode: 0, written: [], removed: [], warnings: [], notes: [] };
  const groups = await readTrackedGroups(options.root);
  const done = new Set<string>();
  const fail = await installOne(
    options.root,
    trimSlashes(options.app),
    options.compat ?? 'fixed',
    groups,
    done,
    result,
  );
  if (fail) {
    result.exitCode = fail.exitCode;
    result.error = fail.message;
  }
  return result;
}

function trimSlashes(s: string): string {
  return s.replace(/^\/+|\/+$/g, '');
}

async function installOne(
  root: string,
  app: string,
  compat: TemplateCompat,
  groups: GoValue | undefined,
  done: Set<string>,
  result: InstallAppResult,
): Promise<{ exitCode: 2 | 3; message: string } | undefined> {
  done.add(app);
  const srcPath = join(root, app, 'src.json');
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(srcPath);
  } catch (e) {
    return {
      exitCode: 2,
      message: `${app}/src.json: ${errMessage(e)} (is "${app}" an app directory with a src.json?)`,
    };
  }

  // pvr installs the base app before the app itself (pvr-template.md §1, step 3).
  let baseStatus: BaseStatus | undefined;
  const base = peekBase(bytes);
  if (base && base !== app) {
    if (!(await exists(join(root, base, 'src.json')))) baseStatus = 'missing';
    else {
      if (!done.has(base)) {
        const f = await installOne(root, base, compat, groups, done, result);
        if (f) return { exitCode: 3, message: `base app "${base}" of ${app}: ${f.message}` };
      }
      baseStatus = (await imageUpToDate(root, base)) ? 'ok' : 'stale';
    }
  }

  const r = renderContainerFiles(bytes, {
    name: app,
    compat,
    ...(groups !== undefined ? { groups } : {}),
    ...(baseStatus ? { baseStatus } : {}),
  });
  for (const warning of r.warnings) result.warnings.push({ app, warning });
  if (r.error || r.runJson === undefined) {
    const msg = r.error?.message ?? 'nothing rendered';
    return {
      exitCode: r.error?.exitCode ?? 3,
      message: msg.startsWith('src.json') ? `${app}/${msg}` : `${app}: template: ${msg}`,
    };
  }
  if (baseStatus === 'stale') {
    result.notes.push(
      `base app "${base}" has no up-to-date root.squashfs; pvr would build it before rendering ${app}.`,
    );
  }

  // Write both through temporary files first so that a failure leaves no half-written pair.
  const confPath = join(app, 'lxc.container.conf');
  const runPath = join(app, 'run.json');
  const files: [string, string][] = [];
  if (r.lxcConf !== undefined) files.push([confPath, r.lxcConf]);
  files.push([runPath, r.runJson]);
  await writeFilesAtomically(root, files);
  result.written.push(...files.map(([p]) => p));

  if (r.lxcConf === undefined && (await exists(join(root, confPath)))) {
    if (compat === 'fixed') {
      await fs.rm(join(root, confPath));
      result.removed.push(confPath);
    } else {
      result.warnings.push({
        app,
        warning: {
          code: 'stale-lxc-conf',
          message: `${confPath} is left from an earlier render (pvr 037 keeps it; this app has no lxc config now). Delete it.`,
        },
      });
    }
  }
  if (r.source && !(await imageUpToDate(root, app, r.source.dockerDigest))) {
    result.notes.push(
      `${app}/root.squashfs is not built from docker_digest "${r.source.dockerDigest}"; pvkit does not fetch images (run pvr app install online, or import the image).`,
    );
  }
  return undefined;
}

/** The `base` member of src.json, decoded as pvr decodes it (undefined when unreadable). */
function peekBase(bytes: Uint8Array): string | undefined {
  try {
    return decodeSrcJson(parseGoJson(bytes)).source.base || undefined;
  } catch {
    return undefined;
  }
}

/** pvr's step 10 test: `root.squashfs.docker-digest` (missing = "") equals src.json `docker_digest`. */
async function imageUpToDate(root: string, app: string, digest?: string): Promise<boolean> {
  let want = digest;
  if (want === undefined) {
    try {
      want = decodeSrcJson(parseGoJson(await fs.readFile(join(root, app, 'src.json')))).source.dockerDigest;
    } catch {
      return false;
    }
  }
  let have = '';
  try {
    have = await fs.readFile(join(root, app, 'root.squashfs.docker-digest'), 'utf8');
  } catch {
    have = '';
  }
  return have === want;
}

/**
 * The parsed `groups.json` at the root when pvr would use it: the file exists and is tracked, i.e.
 * listed in the committed state `.pvr/json` or staged in `.pvr/new`.
 */
export async function readTrackedGroups(root: string): Promise<GoValue | undefined> {
  const tracked = async (file: string): Promise<boolean> => {
    try {
      const v = nodeToGoValue(parseGoJson(await fs.readFile(join(root, '.pvr', file))));
      return v instanceof Map && v.has('groups.json');
    } catch {
      return false;
    }
  };
  if (!(await tracked('json')) && !(await tracked('new'))) return undefined;
  try {
    return nodeToGoValue(parseGoJson(await fs.readFile(join(root, 'groups.json'))));
  } catch {
    return undefined;
  }
}

/** Writes each file to a temporary sibling, then renames them all into place (mode 0644). */
export async function writeFilesAtomically(root: string, files: [string, string][]): Promise<void> {
  const temps: [string, string][] = [];
  try {
    for (const [rel, text] of files) {
      const target = join(root, rel);
      const tmp = `${target}.pvkit-${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
      await fs.writeFile(tmp, text, { encoding: 'utf8', mode: 0o644 });
      temps.push([tmp, target]);
    }
    for (const [tmp, target] of temps) await fs.rename(tmp, target);
  } catch (e) {
    await Promise.all(temps.map(([tmp]) => fs.rm(tmp, { force: true })));
    throw e;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

function errMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return 'no such file or directory';
  return err.message ?? String(e);
}
