import { promises as fsp, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import {
  convertBalenaProject,
  strictFailures,
  type ConvertResult,
  type ImageImport,
  type KnownImage,
} from '../../core/convert';
import { fsComposeProject } from '../compose/fsComposeProject';
import { findComposeFile } from '../compose/loadComposeProject';
import { initRepo } from '../repo/init';
import { openRepo, DEFAULT_SPEC } from '../repo/Repository';
import { addFiles } from '../repo/add';
import { commitRepo } from '../repo/commit';
import type { Engine } from '../image/engineApi';
import { DIGEST_SUFFIX, importImageInto, SQUASH_FILE, type ImportProgress } from '../image/importImage';
import { loadEngineApi } from '../image/loadEngineApi';
import { importProgressLines } from '../image/progressLines';

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
  /**
   * `auto` (the default) imports each service's image into `<container>/root.squashfs` (plus
   * `root.squashfs.docker-digest`, and docker_digest/docker_config in src.json) as `pvr app add`
   * does: `image:` services from the sources in `imageSource` order, built services from the
   * engine. A service whose import fails is reported and left for `pvkit app update`.
   * `never` writes src.json, run.json and lxc.container.conf only (no engine or registry needed).
   */
  images?: 'auto' | 'never';
  /** pvr's `--source` order for `image:` services: `remote,local` (default), `remote` or `local`. */
  imageSource?: string;
  /** Registry credentials for `image:` services (as `pvr app add -u/-p`); never logged. */
  username?: string;
  password?: string;
  /** Per-service import progress with bytes (also summarised as `progress` lines). */
  onImageProgress?: (service: string, p: ImportProgress) => void;
  /** Parent of the temporary image work folders (default: the OS temp folder). */
  tempDir?: string;
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
  const sources = (opts.imageSource ?? 'remote,local').split(',').map((x) => x.trim());
  if (sources.some((x) => x !== 'remote' && x !== 'local'))
    throw new ConvertError(
      `--source "${opts.imageSource ?? ''}" is not a source list: use remote, local, or both comma-separated in the order to try (pvr's default: remote,local).`,
      'failed',
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
  let engine: Engine | undefined;
  const images: Record<string, KnownImage> = {};
  const builds: Record<string, { status: 'built' | 'failed'; error?: string }> = {};
  if (result.builds.length && opts.build !== 'never') {
    const api = await loadEngineApi();
    engine = await api.findEngine(opts.env ?? process.env, opts.dockerHost);
    if (engine) {
      for (const plan of result.builds) {
        if (opts.signal?.aborted)
          throw new ConvertError('Conversion cancelled; nothing was written.', 'cancelled');
        progress(`Building ${plan.service} (${plan.dockerfile}) as ${plan.tag} on ${engine.host}`);
        try {
          const config = await api.buildImage(engine, dir, plan, (l) => progress(`  ${l}`), opts.signal);
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
  const staged =
    opts.images === 'never' ? undefined : await stageImages(out, result, { images, builds }, engine, opts);
  try {
    if (staged)
      result = convertBalenaProject({ ...base, images: staged.images, builds, imports: staged.imports });
    if (opts.signal?.aborted)
      throw new ConvertError('Conversion cancelled; nothing was written.', 'cancelled');
    await writeCheckout(out, result, opts, projectName, staged?.dir, staged?.files ?? []);
  } finally {
    if (staged) await fsp.rm(staged.dir, { recursive: true, force: true });
  }
  return { out, result, ...(engine ? { engine: engine.host } : {}) };
}

interface StagedImages {
  /** Work folder holding `<container>/root.squashfs(.docker-digest)` until they move into the checkout. */
  dir: string;
  /** Checkout-relative files staged in `dir`. */
  files: string[];
  images: Record<string, KnownImage>;
  imports: Record<string, ImageImport>;
}

/** The reference each service's image is imported from: the built tag, or src.json's docker_*. */
function importRef(
  result: ConvertResult,
  container: { service: string; container: string; source: 'image' | 'build' },
): { from: string; platform?: string } | undefined {
  if (container.source === 'build') {
    const plan = result.builds.find((b) => b.service === container.service);
    return plan ? { from: plan.tag, ...(plan.platform ? { platform: plan.platform } : {}) } : undefined;
  }
  const text = result.files.get(`${container.container}/src.json`);
  if (!text) return undefined;
  const src = JSON.parse(text) as Record<string, unknown>;
  const name = typeof src['docker_name'] === 'string' ? src['docker_name'] : '';
  const digest = typeof src['docker_digest'] === 'string' ? src['docker_digest'] : '';
  const tag = typeof src['docker_tag'] === 'string' ? src['docker_tag'] : 'latest';
  // As pvr app add: the service's platform, else the checkout's (_hostconfig/pvr/docker.json).
  const platform =
    typeof src['docker_platform'] === 'string' ? src['docker_platform'] : result.report.platform;
  const from = digest.includes('@') ? digest : `${name}:${tag}`;
  return { from, ...(platform ? { platform } : {}) };
}

/**
 * Imports every service's image into a work folder beside `out` (so the squashfs files are only
 * renamed into the checkout): built services from the engine that built them, `image:` services
 * from `opts.imageSource`. One service failing is recorded and the others go on; cancelling
 * removes the work folder and throws.
 */
async function stageImages(
  out: string,
  result: ConvertResult,
  built: {
    images: Readonly<Record<string, KnownImage>>;
    builds: Readonly<Record<string, { status: string }>>;
  },
  engine: Engine | undefined,
  opts: ConvertOptions,
): Promise<StagedImages> {
  const { builds } = built;
  const progress = opts.progress ?? ((): void => undefined);
  await fsp.mkdir(dirname(out), { recursive: true });
  const dir = await fsp.mkdtemp(join(dirname(out), `.${basename(out)}.pvkit-images-`));
  // Built services keep the config their build reported when their import does not happen.
  const staged: StagedImages = { dir, files: [], images: { ...built.images }, imports: {} };
  const cancelled = async (): Promise<never> => {
    await fsp.rm(dir, { recursive: true, force: true });
    throw new ConvertError('Conversion cancelled; nothing was written.', 'cancelled');
  };
  const containers = result.report.containers;
  for (const [i, c] of containers.entries()) {
    if (opts.signal?.aborted) await cancelled();
    const ref = importRef(result, c);
    if (!ref) continue;
    if (c.source === 'build' && builds[c.service]?.status === 'failed') {
      staged.imports[c.service] = { status: 'skipped', image: ref.from, reason: 'the build failed' };
      continue;
    }
    // Not built here (--no-build, or no engine answered): the engine may hold an image built
    // earlier with the command the report prints; import it if so, as `pvkit app update` would.
    const notBuilt = c.source === 'build' && !builds[c.service];
    const source = c.source === 'build' ? 'local' : (opts.imageSource ?? 'remote,local');
    const dockerHost = c.source === 'build' ? (engine?.host ?? opts.dockerHost) : opts.dockerHost;
    progress(
      `Importing the image of ${c.service} (${i + 1}/${containers.length}): ${ref.from} from ${source}`,
    );
    const lines = importProgressLines((l) => progress(l), `${c.service}: `);
    try {
      const r = await importImageInto({
        checkout: dir,
        app: c.container,
        from: ref.from,
        source,
        ...(ref.platform ? { platform: ref.platform } : {}),
        ...(dockerHost ? { dockerHost } : {}),
        ...(opts.username ? { username: opts.username } : {}),
        ...(opts.password ? { password: opts.password } : {}),
        ...(opts.tempDir ? { tempDir: opts.tempDir } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        env: opts.env ?? process.env,
        onProgress: (p) => {
          lines(p);
          opts.onImageProgress?.(c.service, p);
        },
      });
      for (const w of r.warnings) progress(`${c.service}: ${w}`);
      staged.images[c.service] = {
        config: r.image.config,
        digest: r.image.dockerDigest,
        ...(r.image.dockerPlatform ? { platform: r.image.dockerPlatform } : {}),
        source,
      };
      staged.imports[c.service] = { status: 'imported', image: ref.from };
      staged.files.push(`${c.container}/${SQUASH_FILE}`, `${c.container}/${SQUASH_FILE}${DIGEST_SUFFIX}`);
    } catch (e) {
      if (opts.signal?.aborted) await cancelled();
      const err = e as Error & { layer?: unknown };
      // The layer, when the failure is in one (ImageLayerError; duck-typed across bundles).
      const layer = typeof err.layer === 'string' ? err.layer : undefined;
      await fsp.rm(join(dir, c.container), { recursive: true, force: true });
      if (notBuilt) {
        staged.imports[c.service] = {
          status: 'skipped',
          image: ref.from,
          reason: `not built, and not in the engine: ${(err.message ?? String(e)).split('\n').join(' ')}`,
        };
        progress(`${c.service}: not built, and ${ref.from} is not in the engine; left for later`);
        continue;
      }
      staged.imports[c.service] = {
        status: 'failed',
        image: ref.from,
        error: (err.message ?? String(e)).split('\n').join(' '),
        ...(layer ? { layer } : {}),
      };
      progress(`Import of ${c.service} (${ref.from}) failed: ${err.message}`);
    }
  }
  return staged;
}

/** Writes the checkout into a temp sibling, commits it, and renames it over `out`. */
async function writeCheckout(
  out: string,
  result: ConvertResult,
  opts: ConvertOptions,
  projectName: string,
  stagedDir?: string,
  stagedFiles: readonly string[] = [],
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
    // The imported images (root.squashfs and its digest file), renamed in from the work folder.
    for (const rel of stagedFiles)
      if (stagedDir) await fsp.rename(join(stagedDir, ...rel.split('/')), join(tmp, ...rel.split('/')));
    const repo = await openRepo(tmp);
    await addFiles(repo, [...result.revisionFiles, ...stagedFiles].sort(), false, () => undefined);
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
