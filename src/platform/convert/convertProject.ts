import { promises as fsp, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import {
  convertBalenaProject,
  strictFailures,
  type ConvertResult,
  type KnownImage,
} from '../../core/convert';
import { fsComposeProject } from '../compose/fsComposeProject';
import { findComposeFile } from '../compose/loadComposeProject';
import { initRepo } from '../repo/init';
import { openRepo, DEFAULT_SPEC } from '../repo/Repository';
import { addFiles } from '../repo/add';
import { commitRepo } from '../repo/commit';
import { buildImage, findEngine } from './buildImage';

export interface ConvertOptions {
  /** The compose file, or the project folder that holds it. */
  project: string;
  /** The checkout to create. */
  out: string;
  deviceType?: string;
  /** Replace an existing output folder. Without it an existing folder is an error. */
  force?: boolean;
  /** Refuse (write nothing) when anything is approximated or dropped. */
  strict?: boolean;
  /** `auto` builds when an engine answers; `never` only plans the builds. */
  build?: 'auto' | 'never';
  /** pvr's config dir (objects go to `<configDir>/objects` unless `objects` is given). */
  configDir: string;
  objects?: string;
  env?: NodeJS.ProcessEnv;
  dockerHost?: string;
  signal?: AbortSignal;
  progress?: (line: string) => void;
}

export class ConvertError extends Error {
  constructor(
    message: string,
    readonly code: 'no-project' | 'exists' | 'failed' | 'cancelled' | 'strict',
    readonly result?: ConvertResult,
  ) {
    super(message);
  }
}

export interface ConvertOutcome {
  out: string;
  result: ConvertResult;
  /** Where the engine was found, if one was used. */
  engine?: string;
}

/** Finds the compose file and project folder for a path (a compose file or a folder). */
export function locateProject(path: string): { composePath: string; dir: string } {
  const abs = resolve(path);
  let composePath: string | undefined;
  try {
    composePath = statSync(abs).isDirectory() ? findComposeFile(abs) : abs;
  } catch {
    composePath = undefined;
  }
  if (!composePath || !existsSync(composePath))
    throw new ConvertError(
      `No balena project at ${abs}: expected a docker-compose.yml (or .yaml) file or a folder that holds one.`,
      'no-project',
    );
  return { composePath, dir: dirname(composePath) };
}

const posix = (p: string): string => p.split(sep).join('/');

/**
 * Converts a balena project into a new pvr checkout at `out`: reads the project, builds images
 * when an engine answers, lets the core produce the files, writes them into a temporary sibling
 * folder with `.pvr/` initialised, stages and commits them, then renames the folder into place.
 * An existing `out` is only replaced with `force`; a failure or cancellation leaves it untouched.
 */
export async function convertProject(opts: ConvertOptions): Promise<ConvertOutcome> {
  const progress = opts.progress ?? ((): void => undefined);
  const { composePath, dir } = locateProject(opts.project);
  const out = resolve(opts.out);
  if (existsSync(out) && !opts.force)
    throw new ConvertError(
      `${out} already exists: choose another folder, or replace it (--force).`,
      'exists',
    );
  const composeText = readFileSync(composePath, 'utf8');
  const project = fsComposeProject(dir);
  const projectName = basename(dir);
  const base = {
    composeFile: posix(relative(dir, composePath)),
    composeText,
    project,
    projectName,
    ...(opts.deviceType ? { deviceType: opts.deviceType } : {}),
    sourceLink: (f: string): string => encodeURI(posix(relative(out, join(dir, f)))),
    // Commands in the report run in the checkout itself, so they are the same wherever it lives.
    outDirLabel: '.',
    projectDirLabel: posix(relative(out, dir)) || '.',
  };
  let result = convertBalenaProject(base);
  if (result.failed) {
    const why = result.report.problems.map(
      (p) => `${p.file ?? ''}${p.line ? `:${p.line}` : ''}: ${p.message}`,
    );
    throw new ConvertError(`Cannot convert ${composePath}: ${why.join('; ')}`, 'failed');
  }
  if (opts.strict && strictFailures(result.report).length) {
    const list = strictFailures(result.report).map(
      (e) =>
        `${e.file}:${e.line}: ${e.service ? `${e.service}: ` : ''}${e.scope === 'label' ? 'label ' : ''}${e.key} is ${e.kind}`,
    );
    throw new ConvertError(
      `--strict: ${list.length} field(s) are not mapped exactly; nothing was written:\n${list.join('\n')}`,
      'strict',
      result,
    );
  }
  let engineHost: string | undefined;
  if (result.builds.length && opts.build !== 'never') {
    const engine = await findEngine(opts.env ?? process.env, opts.dockerHost);
    if (engine) {
      engineHost = engine.host;
      const images: Record<string, KnownImage> = {};
      const builds: Record<string, { status: 'built' | 'failed'; error?: string }> = {};
      for (const plan of result.builds) {
        if (opts.signal?.aborted)
          throw new ConvertError('Conversion cancelled; nothing was written.', 'cancelled');
        progress(`Building ${plan.service} (${plan.dockerfile}) as ${plan.tag} on ${engine.host}`);
        try {
          const config = await buildImage(engine, dir, plan, (l) => progress(`  ${l}`), opts.signal);
          images[plan.service] = { config };
          builds[plan.service] = { status: 'built' };
        } catch (e) {
          if (opts.signal?.aborted)
            throw new ConvertError('Conversion cancelled; nothing was written.', 'cancelled');
          builds[plan.service] = { status: 'failed', error: (e as Error).message.split('\n')[0] ?? '' };
          progress(`Build of ${plan.service} failed: ${(e as Error).message}`);
        }
      }
      result = convertBalenaProject({ ...base, images, builds });
    } else progress('No Docker/Podman engine answered: builds are left as the next step.');
  }
  if (opts.signal?.aborted) throw new ConvertError('Conversion cancelled; nothing was written.', 'cancelled');
  await writeCheckout(out, result, opts, projectName);
  return { out, result, ...(engineHost ? { engine: engineHost } : {}) };
}

/** Writes the checkout into a temp sibling, commits it, and renames it over `out`. */
async function writeCheckout(
  out: string,
  result: ConvertResult,
  opts: ConvertOptions,
  projectName: string,
): Promise<void> {
  const parent = dirname(out);
  await fsp.mkdir(parent, { recursive: true });
  const tmp = await fsp.mkdtemp(join(parent, `.${basename(out)}.pvkit-convert-`));
  try {
    // mkdtemp makes the folder private; a checkout gets the usual mode (umask applied).
    const mask = process.umask();
    await fsp.chmod(tmp, 0o777 & ~mask);
    await initRepo(tmp, {
      spec: DEFAULT_SPEC,
      configDir: opts.configDir,
      cwd: process.cwd(),
      ...(opts.objects ? { objects: opts.objects } : {}),
    });
    // The files are small: synchronous writes beat thread-pool hand-offs (as in the repo engine).
    const dirs = new Set([...result.files.keys()].map((rel) => dirname(join(tmp, ...rel.split('/')))));
    for (const d of [...dirs].sort()) mkdirSync(d, { recursive: true });
    for (const [rel, text] of result.files) writeFileSync(join(tmp, ...rel.split('/')), text);
    const repo = await openRepo(tmp);
    await addFiles(repo, result.revisionFiles, false, () => undefined);
    await commitRepo(repo, {
      message: `Converted from balena project ${result.report.project || projectName}`,
      progress: () => undefined,
    });
    if (opts.signal?.aborted)
      throw new ConvertError('Conversion cancelled; nothing was written.', 'cancelled');
    if (existsSync(out)) {
      const old = `${tmp}.old`;
      await fsp.rename(out, old);
      await fsp.rename(tmp, out);
      await fsp.rm(old, { recursive: true, force: true });
    } else await fsp.rename(tmp, out);
  } catch (e) {
    await fsp.rm(tmp, { recursive: true, force: true });
    throw e;
  }
}
