import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import {
  parseImageRef,
  parsePlatform,
  refString,
  type ArchiveRef,
  type ImageRef,
  type Platform,
} from '../../core/image/imageRef';
import {
  formatSrcJson,
  parseTemplateArgs,
  parseVolumes,
  SRC_SPEC,
  TEMPLATE_BUILTIN_LXC_DOCKER,
  type AppSource,
  type Json,
} from '../../core/image/srcJson';
import type { TemplateCompat } from '../../core/template/renderContainerFiles';
import type { ProcessLogger } from '../process';
import { resolveArchive } from './archiveSource';
import { resolveDockerHost } from './dockerHost';
import { resolveEngineImage } from './engineSource';
import { mergedTar, planFlatten, type LayerProgress } from './flattenLayers';
import type { RegistryAuth } from './registryClient';
import { resolveRegistryImage } from './registrySource';
import { renderAppTemplates } from './renderAppTemplates';
import type { FetchProgress, ResolvedImage } from './ResolvedImage';
import { splitExcludes, writeSquashfs } from './writeSquashfs';

export const SQUASH_FILE = 'root.squashfs';

/**
 * src.json key (pvkit's own; pvr ignores it) remembering the archive an app was imported from, so
 * `pvkit app update` can read it again. docker_source stays "local": pvr and the template accept
 * only "remote"/"local" there. Relative paths are stored relative to the checkout root.
 */
export const ARCHIVE_KEY = 'pvkit_from';

function archiveFrom(ref: ArchiveRef, cwd: string, checkout: string): string {
  const abs = isAbsolute(ref.path) ? ref.path : join(cwd, ref.path);
  const rel = relative(checkout, abs);
  const path = isAbsolute(ref.path) || rel.startsWith('..') ? abs : rel;
  return `${ref.kind}:${path}${ref.ref ? `:${ref.ref}` : ''}`;
}
export const DIGEST_SUFFIX = '.docker-digest';

export type ImportProgress =
  | ({ phase: 'download' } & FetchProgress)
  | LayerProgress
  | { phase: 'resolve' | 'squashfs' | 'done'; message: string };

export interface ImageImportOptions extends RegistryAuth {
  /** Root of the pvr checkout (pvr uses the working directory, never searching upwards). */
  checkout: string;
  app: string;
  /** Where relative archive paths are resolved (the CLI's working directory). */
  cwd?: string;
  platform?: string;
  /** Comma-separated priority list, pvr's `--source` (`remote,local` by default). */
  source?: string;
  dockerHost?: string;
  /** Parent of the temporary work folder (default: the OS temp folder). */
  tempDir?: string;
  signal?: AbortSignal;
  logger?: ProcessLogger;
  onProgress?: (p: ImportProgress) => void;
  env?: NodeJS.ProcessEnv;
  /** How run.json is rendered (`pantavisor.template.compat`, PVKIT_TEMPLATE_COMPAT). */
  templateCompat?: TemplateCompat;
}

export interface AddOptions extends ImageImportOptions {
  from: string;
  group?: string;
  runlevel?: string;
  restartPolicy?: string;
  statusGoal?: string;
  args?: string[];
  volumes?: string[];
  formatOptions?: string;
  configJson?: Record<string, Json>;
}

export interface UpdateOptions extends ImageImportOptions {
  from?: string;
}

export interface ImportResult {
  appDir: string;
  image: ResolvedImage;
  /** False when `root.squashfs.docker-digest` already matched (pvr skips the work then). */
  squashfsWritten: boolean;
  warnings: string[];
  /** Files run.json/lxc.container.conf written by the template renderer, if it is available. */
  rendered: string[];
}

/** Reads the platforms pvr takes from `_hostconfig/pvr/docker.json` when --platform is absent. */
async function hostconfigPlatform(checkout: string): Promise<string | undefined> {
  try {
    const j = JSON.parse(await fs.readFile(join(checkout, '_hostconfig/pvr/docker.json'), 'utf8')) as {
      platforms?: unknown;
    };
    return Array.isArray(j.platforms) && typeof j.platforms[0] === 'string' ? j.platforms[0] : undefined;
  } catch {
    return undefined;
  }
}

/** Finds the image in the sources, in the order given (pvr's FindDockerImage). */
export async function resolveImage(
  ref: ImageRef,
  platform: Platform | undefined,
  opts: ImageImportOptions,
  workDir: string,
): Promise<ResolvedImage> {
  if (ref.kind !== 'registry') return resolveArchive(ref, opts.cwd ?? opts.checkout, platform, workDir);
  const order = (opts.source ?? 'remote,local')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const errors: string[] = [];
  for (const s of order) {
    if (s !== 'remote' && s !== 'local')
      throw new Error(`--source: "${s}" is not a source (use remote, local or both, comma-separated)`);
  }
  for (const s of order) {
    try {
      if (s === 'remote') {
        opts.onProgress?.({ phase: 'resolve', message: `Looking up ${ref.raw} in ${ref.domain}` });
        return await resolveRegistryImage(ref, platform, opts, opts.signal);
      }
      const endpoint = resolveDockerHost(opts.dockerHost, opts.env ?? process.env);
      opts.onProgress?.({
        phase: 'resolve',
        message: `Looking up ${ref.raw} in the engine at ${endpoint.host}`,
      });
      opts.logger?.info(`docker engine: ${endpoint.host} (from ${endpoint.from})`);
      return await resolveEngineImage(endpoint, refString(ref), ref.name, ref.digest ? undefined : ref.tag);
    } catch (e) {
      if (opts.signal?.aborted) throw new Error('cancelled');
      errors.push(`${s}: ${(e as Error).message}`);
      // As pvr does, a failing source is reported and the next one tried.
      opts.logger?.warn(`${s} source: ${(e as Error).message}`);
    }
  }
  throw new Error(`image ${ref.raw} not found in source ${order.join(',')}:\n  ${errors.join('\n  ')}`);
}

async function readSrc(appDir: string): Promise<AppSource> {
  const file = join(appDir, 'src.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new Error(`${file} not found: is "${appDir}" an app of this checkout? (pvr app ls lists them)`);
  }
  try {
    return JSON.parse(text) as AppSource;
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Fetches, flattens and converts the image into `<appDir>/root.squashfs` unless the digest file
 * says it is current. The work folder is always removed; on failure no squashfs is left.
 */
async function installSquashfs(
  image: ResolvedImage,
  appDir: string,
  formatOptions: string | undefined,
  opts: ImageImportOptions,
  workDir: string,
): Promise<{ written: boolean; warnings: string[] }> {
  const digestFile = join(appDir, SQUASH_FILE + DIGEST_SUFFIX);
  const current = await fs.readFile(digestFile, 'utf8').catch(() => undefined);
  const haveSquash = await fs.stat(join(appDir, SQUASH_FILE)).then(
    () => true,
    () => false,
  );
  if (current === image.dockerDigest && haveSquash) {
    opts.onProgress?.({ phase: 'done', message: `${SQUASH_FILE}: already up to date.` });
    return { written: false, warnings: [] };
  }
  const layers = await image.fetchLayers(
    workDir,
    (p) => opts.onProgress?.({ phase: 'download', ...p }),
    opts.signal,
  );
  const { options, excludes } = splitExcludes(formatOptions);
  const flat = { image: image.display, epoch: image.epoch, ...(opts.signal ? { signal: opts.signal } : {}) };
  const progress = (p: LayerProgress): void => opts.onProgress?.(p);
  const plan = await planFlatten(layers, { ...flat, exclude: excludes, onProgress: progress });
  opts.onProgress?.({ phase: 'squashfs', message: `Generating ${SQUASH_FILE}` });
  await writeSquashfs(mergedTar(plan, layers, { ...flat, onProgress: progress }), {
    out: join(appDir, SQUASH_FILE),
    epoch: plan.maxMtime,
    ...(options ? { formatOptions: options } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  // pvr writes the digest without a newline.
  await fs.writeFile(digestFile, image.dockerDigest);
  return { written: true, warnings: plan.warnings };
}

async function withWorkDir<T>(opts: ImageImportOptions, f: (dir: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(join(opts.tempDir ?? tmpdir(), 'pvkit-image-'));
  try {
    return await f(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export interface ImageIntoOptions extends ImageImportOptions {
  /** The image reference (as `--from` takes it). */
  from: string;
  /** mksquashfs options (src.json `format_options`). */
  formatOptions?: string;
}

/**
 * Resolves `from` and writes `<checkout>/<app>/root.squashfs` and `root.squashfs.docker-digest`
 * (the folder is created), leaving src.json and the rendered files to the caller: the compose
 * converter writes those itself from the returned image. Temporary files are always removed.
 */
export async function importImageInto(
  opts: ImageIntoOptions,
): Promise<{ image: ResolvedImage; squashfsWritten: boolean; warnings: string[] }> {
  const appDir = join(opts.checkout, checkAppName(opts.app));
  const ref = parseImageRef(opts.from);
  const platform = opts.platform ? parsePlatform(opts.platform) : undefined;
  await fs.mkdir(appDir, { recursive: true });
  return withWorkDir(opts, async (workDir) => {
    const image = await resolveImage(ref, platform, opts, workDir);
    const r = await installSquashfs(image, appDir, opts.formatOptions, opts, workDir);
    return { image, squashfsWritten: r.written, warnings: r.warnings };
  });
}

function checkAppName(app: string): string {
  const name = app.replace(/^\/+|\/+$/g, '');
  if (!name || name.split('/').some((p) => p === '..' || p === '.') || name.includes('/'))
    throw new Error(`"${app}" is not a valid app name (one folder name, no "/" or "..")`);
  return name;
}

/**
 * `pvr app add`: resolve the image, write `<app>/src.json` (left untouched if the app exists, as
 * pvr 037 does), render run.json and lxc.container.conf, and create root.squashfs.
 */
export async function addApp(opts: AddOptions): Promise<ImportResult> {
  const app = checkAppName(opts.app);
  const appDir = join(opts.checkout, app);
  const ref = parseImageRef(opts.from);
  const platformStr = opts.platform ?? (await hostconfigPlatform(opts.checkout));
  const platform = platformStr ? parsePlatform(platformStr) : undefined;
  const persistence = parseVolumes(opts.volumes ?? []);
  const args: Record<string, Json> = parseTemplateArgs(opts.args ?? []);
  if (opts.group) args['PV_GROUP'] = opts.group;
  if (opts.runlevel) args['PV_RUNLEVEL'] = opts.runlevel;
  if (opts.restartPolicy) args['PV_RESTART_POLICY'] = opts.restartPolicy;
  if (opts.statusGoal) args['PV_STATUS_GOAL'] = opts.statusGoal;
  const existed = await fs.stat(appDir).then(
    () => true,
    () => false,
  );
  return withWorkDir(opts, async (workDir) => {
    const image = await resolveImage(ref, platform, opts, workDir);
    let src: AppSource;
    let created = false;
    try {
      if (existed) src = await readSrc(appDir);
      else {
        src = {
          '#spec': SRC_SPEC,
          template: TEMPLATE_BUILTIN_LXC_DOCKER,
          args,
          config: {},
          docker_name: image.dockerName,
          docker_digest: image.dockerDigest,
          docker_source: ref.kind === 'registry' ? (opts.source ?? 'remote,local') : 'local',
          docker_config: opts.configJson ? { ...image.config, ...opts.configJson } : image.config,
          persistence,
        };
        if (image.dockerTag) src.docker_tag = image.dockerTag;
        if (image.dockerPlatform) src.docker_platform = image.dockerPlatform;
        if (opts.formatOptions) src.format_options = opts.formatOptions;
        if (ref.kind !== 'registry')
          src[ARCHIVE_KEY] = archiveFrom(ref, opts.cwd ?? opts.checkout, opts.checkout);
        await fs.mkdir(appDir);
        created = true;
        await fs.writeFile(join(appDir, 'src.json'), formatSrcJson(src));
      }
      const rendered = await renderAppTemplates(opts.checkout, app, opts.templateCompat);
      const r = await installSquashfs(image, appDir, src.format_options, opts, workDir);
      return { appDir, image, squashfsWritten: r.written, warnings: r.warnings, rendered };
    } catch (e) {
      // All or nothing for a new app: do not leave a half-made folder behind.
      if (created) await fs.rm(appDir, { recursive: true, force: true });
      throw e;
    }
  });
}

/**
 * `pvr app update`: re-resolve the image (the tag may have moved, or `--from` names a new one),
 * update src.json, re-render, and regenerate root.squashfs when the digest changed.
 */
export async function updateApp(opts: UpdateOptions): Promise<ImportResult> {
  const app = checkAppName(opts.app);
  const appDir = join(opts.checkout, app);
  const src = await readSrc(appDir);
  if (opts.from) {
    const r = parseImageRef(opts.from);
    if (r.kind === 'registry') {
      src.docker_name = r.name;
      if (r.tag && !r.digest) src.docker_tag = r.tag;
      else delete src.docker_tag;
    }
  }
  let from = opts.from;
  let cwd = opts.cwd ?? opts.checkout;
  const archive = src[ARCHIVE_KEY];
  if (!from) {
    if (typeof archive === 'string' && archive) {
      from = archive;
      cwd = opts.checkout;
    } else if (!src.docker_name) throw new Error(`${join(appDir, 'src.json')}: no docker_name; give --from`);
    else if (!src.docker_tag && src.docker_digest?.includes('@')) from = src.docker_digest;
    else from = `${src.docker_name}:${src.docker_tag ?? 'latest'}`;
  }
  const ref = parseImageRef(from);
  const platformStr = opts.platform ?? src.docker_platform ?? (await hostconfigPlatform(opts.checkout));
  const platform = platformStr ? parsePlatform(platformStr) : undefined;
  const source =
    opts.source ??
    (ref.kind === 'registry' && !/:/.test(src.docker_source ?? '') ? src.docker_source : undefined);
  return withWorkDir(opts, async (workDir) => {
    const image = await resolveImage(ref, platform, { ...opts, ...(source ? { source } : {}) }, workDir);
    src.docker_digest = image.dockerDigest;
    src.docker_config = image.config;
    if (image.dockerPlatform) src.docker_platform = image.dockerPlatform;
    src.docker_source = ref.kind === 'registry' ? (source ?? 'remote,local') : 'local';
    if (ref.kind !== 'registry') {
      src.docker_name = image.dockerName;
      if (image.dockerTag) src.docker_tag = image.dockerTag;
      src[ARCHIVE_KEY] = archiveFrom(ref, cwd, opts.checkout);
    } else delete src[ARCHIVE_KEY];
    await fs.writeFile(join(appDir, 'src.json'), formatSrcJson(src));
    const rendered = await renderAppTemplates(opts.checkout, app, opts.templateCompat);
    const r = await installSquashfs(image, appDir, src.format_options, opts, workDir);
    return { appDir, image, squashfsWritten: r.written, warnings: r.warnings, rendered };
  });
}
