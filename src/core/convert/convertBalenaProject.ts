import { createHash } from 'node:crypto';
import { isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import type { ComposeProject } from '../compose/ComposeProject';
import { joinRel } from '../compose/ComposeProject';
import {
  BALENA_LABELS,
  LEGACY_LABEL_RENAMES,
  fieldInfo,
  labelInfo,
  type PantavisorOutcome,
} from '../compose/mapping';
import { LineIndex } from '../parse/LineIndex';
import { deref, mapEntries, parseYaml, seqItems, type YamlNode } from '../parse/parseYaml';
import { canonicalJson, type JsonValue } from '../revision/canonicalJson';
import { renderContainerFiles } from '../template';
import {
  renderReportMarkdown,
  type ConversionReport,
  type OutcomeKind,
  type ReportContainer,
  type ReportEntry,
  type ReportProblem,
  type ImageImport,
} from './ConversionReport';
import { ARCH_PLATFORM, archOf, type BalenaArch } from './deviceTypes';
import { resolveDockerfile } from './dockerfile';
import { containerNames } from './containerNames';
import { splitShellWords, parseByteSize } from './values';

/** What a build (or an earlier import) told us about a service's image. */
export interface KnownImage {
  /** The image config (`Cmd`, `Entrypoint`, `Env`, `WorkingDir`, `Volumes`, …) as `docker inspect` gives it. */
  config: Record<string, unknown>;
  /** src.json `docker_digest` of the imported image (`name@sha256:…`, or the engine's image ID). */
  digest?: string;
  /** src.json `docker_platform` the registry's manifest list was narrowed to. */
  platform?: string;
  /** src.json `docker_source`: the source order the image was imported with. */
  source?: string;
}

export interface ConvertInput {
  /** Project-relative name of the compose file (`docker-compose.yml`). */
  composeFile: string;
  composeText: string;
  /** The project folder (balena.yml, build contexts, env files). */
  project: ComposeProject;
  /** Project name (the folder name); names built images and fills `%%BALENA_APP_NAME%%`. */
  projectName: string;
  /** balena device type slug; defaults to balena.yml `defaultDeviceType`. */
  deviceType?: string;
  /** Image configs known for some services (after a build), by service name. */
  images?: Readonly<Record<string, KnownImage>>;
  /** Build outcome per service, when the platform tried to build. */
  builds?: Readonly<Record<string, { status: 'built' | 'failed'; error?: string }>>;
  /** Image import outcome per service, when the platform imported images (root.squashfs). */
  imports?: Readonly<Record<string, ImageImport>>;
  /** Link target of a project file as seen from the output folder (for CONVERSION.md). */
  sourceLink?: (file: string) => string;
  /** How the output folder is named in the commands the report prints. */
  outDirLabel?: string;
  /** How the project folder is named in the commands the report prints. */
  projectDirLabel?: string;
}

/** One image to build before the conversion is complete. */
export interface BuildPlan {
  service: string;
  container: string;
  /** Project-relative build context. */
  context: string;
  /** Project-relative Dockerfile that balena would pick. */
  dockerfile: string;
  /** The Dockerfile text to build (`%%BALENA_*%%` substituted for templates). */
  dockerfileText: string;
  /** Output-relative path where the rendered Dockerfile is written, when it is a template. */
  renderedDockerfile?: string;
  buildArgs: Record<string, string>;
  target?: string;
  /** `name:tag` to tag the result with. */
  tag: string;
  platform?: string;
  /** The exact command line that builds it (Docker CLI; `podman build` takes the same flags). */
  command: string;
}

export interface ConvertResult {
  /** Output-relative path → file text, sorted by path. Includes `.pvr/convert/*` build inputs. */
  files: Map<string, string>;
  /** The files that form the revision (to stage and commit), sorted. */
  revisionFiles: string[];
  report: ConversionReport;
  builds: BuildPlan[];
  /** True when the compose file could not be read as a compose file; `files` is then empty. */
  failed: boolean;
}

/** Mutable state of one service while its fields are converted. */
interface ServiceState {
  name: string;
  container: string;
  renamed?: string;
  node: YamlNode;
  args: Record<string, JsonValue>;
  config: Record<string, JsonValue>;
  persistence: Record<string, string>;
  extraConf: string[];
  cgroup: string[];
  volumeImports: string[];
  env: Map<string, string>;
  envFromFile: Map<string, string>;
  dockerName?: string;
  dockerTag?: string;
  dockerDigest?: string;
  dockerPlatform?: string;
  build?: BuildPlan;
  buildError?: string;
  /** Line of the service's `build:` (or else `image:`) key, for problems about its image. */
  imageLine: number;
  restart: string;
  maxRetries: number;
  deps: string[];
  ports: { port: string; line: number; published: string }[];
  networkNone: boolean;
  privileged: boolean;
  volumes: { source: string; target: string; ro: boolean; line: number }[];
  entrypointSet: boolean;
  commandSet: boolean;
}

const SRC_SPEC = 'service-manifest-src@1';
const RESTART_ORDER = ['always', 'unless-stopped', 'on-failure', 'no'];

/**
 * Converts a balena project into a pvr checkout's files plus the conversion report. Pure and
 * deterministic: the same input gives the same bytes (sorted keys, no timestamps, no absolute
 * paths unless the caller puts them in the labels). Every service field and label lands in the
 * report as mapped, approximated or dropped, with its line; the decisions come from the mapping
 * table in `core/compose/mapping.ts`.
 */
export function convertBalenaProject(input: ConvertInput): ConvertResult {
  const entries: ReportEntry[] = [];
  const problems: ReportProblem[] = [];
  const composeFile = input.composeFile;
  const lines = new LineIndex(input.composeText);
  const pos = (node: YamlNode | null | undefined): { line: number; column: number } => {
    const off = node?.range?.[0];
    if (off === undefined) return { line: 0, column: 0 };
    const p = lines.positionAt(off);
    return { line: p.line + 1, column: p.character + 1 };
  };

  const parsed = parseYaml(input.composeText);
  const doc = parsed.doc;
  const fatal = parsed.errors.filter((e) => e.severity === 'error');
  const root = deref(doc, doc.contents);
  const emptyReport = (): ConvertResult => ({
    files: new Map(),
    revisionFiles: [],
    report: baseReport(input, [], [], entries, problems, []),
    builds: [],
    failed: true,
  });
  if (fatal.length || !isMap(root)) {
    for (const e of fatal) {
      problems.push({
        severity: 'error',
        message: `YAML syntax error: ${e.message}. Fix the compose file and convert again.`,
        file: composeFile,
        line: lines.positionAt(e.start).line + 1,
      });
    }
    if (!fatal.length)
      problems.push({
        severity: 'error',
        message: 'The compose file is not a mapping with a `services:` key.',
        file: composeFile,
        line: 1,
      });
    return emptyReport();
  }

  // balena.yml: target device type, fleet environment.
  const balena = readBalenaYml(input.project, entries, problems);
  const deviceType = input.deviceType ?? balena.defaultDeviceType;
  const arch: BalenaArch | undefined = deviceType ? archOf(deviceType) : undefined;
  if (deviceType && !arch)
    problems.push({
      severity: 'warning',
      message: `Unknown device type "${deviceType}": no target architecture is written. Pass --device-type with a balena slug such as raspberrypi4-64.`,
    });
  if (!deviceType)
    problems.push({
      severity: 'warning',
      message:
        'No device type: balena.yml names no defaultDeviceType and none was given, so the image platform is not pinned. Pass --device-type.',
    });
  const platform = arch ? ARCH_PLATFORM[arch] : undefined;
  const releaseHash = createHash('sha256').update(input.composeText).digest('hex').slice(0, 32);

  // Top-level keys.
  let servicesNode: YamlNode | null = null;
  for (const e of mapEntries(doc, root)) {
    const p = pos(e.keyNode);
    const base = { scope: 'top' as const, key: e.key, file: composeFile, ...p };
    if (e.key === 'services') servicesNode = deref(doc, e.value);
    if (e.key.startsWith('x-')) {
      entries.push({
        ...base,
        kind: 'mapped',
        to: 'nothing: extension fields are only used through YAML anchors, which are resolved',
        detail: '',
        applied: true,
      });
      continue;
    }
    if (e.key === 'include') {
      entries.push(
        fromTable(base, 'top.include', 'not resolved by this pvkit version', false, 'dropped', {
          why: 'pvkit does not resolve `include` yet: the included services are not converted.',
          instead: 'Merge the included files into one compose file and convert again.',
        }),
      );
      continue;
    }
    entries.push(fromTable(base, `top.${e.key}`, topDetail(e.key), true));
  }
  const serviceEntries = mapEntries(doc, servicesNode);
  if (!serviceEntries.length)
    problems.push({
      severity: 'warning',
      message: 'The compose file defines no services.',
      file: composeFile,
      line: 1,
    });

  const names = containerNames(serviceEntries.map((s) => s.key));
  const services: ServiceState[] = serviceEntries.map((s, i) => ({
    name: s.key,
    container: names[i]?.name ?? s.key,
    ...(names[i]?.renamed ? { renamed: names[i]?.renamed } : {}),
    node: deref(doc, s.value) ?? s.keyNode,
    args: {},
    config: {},
    persistence: {},
    extraConf: [],
    cgroup: [],
    volumeImports: [],
    env: new Map(),
    envFromFile: new Map(),
    restart: 'always',
    maxRetries: 0,
    deps: [],
    ports: [],
    networkNone: false,
    privileged: false,
    volumes: [],
    entrypointSet: false,
    commandSet: false,
    imageLine: 0,
  }));
  const topVolumes = new Set(
    mapEntries(doc, mapEntries(doc, root).find((e) => e.key === 'volumes')?.value).map((e) => e.key),
  );

  // Named volumes: the first service (in file order) that mounts one owns it; later services
  // import the owner's volume, since Pantavisor storage belongs to one container.
  const owners = new Map<string, { svc: ServiceState; target: string }>();
  for (const svc of services) {
    if (!isMap(svc.node)) {
      problems.push({
        severity: 'error',
        message: `Service "${svc.name}" is not a mapping; it is left out.`,
        file: composeFile,
        ...pos(svc.node),
      });
      continue;
    }
    const fieldsOf = mapEntries(doc, svc.node);
    // `privileged` changes how devices are handled, and `image` names what `build` produces, so
    // both are read first.
    svc.privileged = fieldsOf.some((f) => f.key === 'privileged' && js(doc, f.value) === true);
    const imageField = fieldsOf.find((f) => f.key === 'image');
    svc.imageLine = pos((fieldsOf.find((f) => f.key === 'build') ?? imageField)?.keyNode ?? svc.node).line;
    if (imageField) {
      const ref = parseImageRef(str(js(doc, imageField.value)));
      svc.dockerName = ref.name;
      svc.dockerTag = ref.tag ?? 'latest';
    }
    for (const f of fieldsOf) {
      const p = pos(f.keyNode);
      const base = { scope: 'service' as const, service: svc.name, key: f.key, file: composeFile, ...p };
      const value = js(doc, f.value);
      const tableKey = `service.${f.key}`;
      // Entries a field adds itself (labels, build sub-fields) follow the field's own entry.
      const at = entries.length;
      const res = convertField(svc, f.key, value, {
        doc,
        node: f.value,
        pos,
        project: input.project,
        entries,
        problems,
        composeFile,
        input,
        deviceType,
        arch,
        platform,
        releaseHash,
        topVolumes,
        owners,
      });
      if (!fieldInfo(tableKey)) {
        entries.splice(at, 0, {
          ...base,
          kind: 'dropped',
          why: f.key.startsWith('x-')
            ? 'An extension field: compose tools ignore it.'
            : 'Not a compose field pvkit knows; balena rejects unknown fields.',
          instead: 'Remove it.',
          detail: '',
          applied: false,
        });
        continue;
      }
      entries.splice(at, 0, fromTable(base, tableKey, res.detail, res.applied, res.kind, res.override));
    }
    // Environment: fleet variables from balena.yml, then env_file, then `environment`.
    const env = new Map<string, string>([...balena.env, ...svc.envFromFile, ...svc.env]);
    const envList = [...env].map(([k, v]) => `${k}=${v}`);
    // Service names do not resolve in the host network: a variable naming another service (a
    // host, URL or host:port) needs the device address instead.
    for (const [k, v] of env) {
      const host = /^(?:[a-z][\w+.-]*:\/\/)?(?:[^@/]*@)?([\w.-]+)(?::\d+)?(?:\/.*)?$/i.exec(v)?.[1];
      const other = host ? services.find((o) => o !== svc && o.name === host) : undefined;
      if (other)
        problems.push({
          severity: 'warning',
          message: `"${svc.name}": ${k}=${v} names the service "${other.name}", which does not resolve in the host network; use 127.0.0.1 (or the device address).`,
          file: composeFile,
          line: pos(fieldsOf.find((f) => f.key === 'environment')?.keyNode).line,
        });
    }
    const known = input.images?.[svc.name];
    if (known) {
      const imageEnv = Array.isArray(known.config['Env'])
        ? (known.config['Env'] as unknown[]).map(String)
        : [];
      const merged = new Map(imageEnv.map((e) => [e.split('=')[0] ?? e, e]));
      for (const e of envList) merged.set(e.split('=')[0] ?? e, e);
      if (envList.length) svc.config['Env'] = [...merged.values()];
    } else if (envList.length) {
      svc.args['PV_LXC_EXTRA_ENV'] = envList;
    }
    // Docker clears the image CMD when the entrypoint is overridden without a command.
    if (svc.entrypointSet && !svc.commandSet) svc.config['Cmd'] = [];
    if (svc.extraConf.length) svc.args['PV_LXC_EXTRA_CONF'] = svc.extraConf.join('\n');
    if (svc.cgroup.length) svc.args['PVR_LXC_CGROUP_V1'] = svc.cgroup;
    if (svc.volumeImports.length) svc.args['PV_VOLUME_IMPORTS'] = svc.volumeImports;
  }

  // Start order: depends_on → levels; restart → auto recovery; one group per (level, policy).
  const levels = dependencyLevels(services, problems, composeFile);
  const maxLevel = Math.max(0, ...services.map((s) => levels.get(s.name) ?? 0));
  const policies = new Set(services.map((s) => restartKey(s)));
  const groupName = (s: ServiceState): string => {
    const lv = levels.get(s.name) ?? 0;
    const base = maxLevel === 0 ? 'app' : `app-${lv + 1}`;
    return policies.size > 1 ? `${base}-${restartKey(s).replace(':', '-')}` : base;
  };
  const groupMap = new Map<string, { name: string; level: number; restart: string; svcs: ServiceState[] }>();
  for (const s of services) {
    const name = groupName(s);
    const g = groupMap.get(name) ?? {
      name,
      level: levels.get(s.name) ?? 0,
      restart: restartKey(s),
      svcs: [],
    };
    g.svcs.push(s);
    groupMap.set(name, g);
  }
  const groups = [...groupMap.values()].sort(
    (a, b) =>
      a.level - b.level ||
      RESTART_ORDER.indexOf(a.restart.split(':')[0] ?? '') -
        RESTART_ORDER.indexOf(b.restart.split(':')[0] ?? '') ||
      (a.restart < b.restart ? -1 : a.restart > b.restart ? 1 : 0),
  );
  for (const g of groups) for (const s of g.svcs) s.args['PV_GROUP'] = g.name;

  // Port clashes under host networking.
  const byPort = new Map<string, { svc: ServiceState; line: number }[]>();
  for (const s of services) {
    if (s.networkNone) continue;
    const seen = new Set<string>();
    for (const p of s.ports) {
      if (seen.has(p.port)) continue;
      seen.add(p.port);
      byPort.set(p.port, [...(byPort.get(p.port) ?? []), { svc: s, line: p.line }]);
    }
  }
  for (const [port, users] of [...byPort].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (users.length < 2) continue;
    problems.push({
      severity: 'warning',
      message: `Port ${port} clashes: ${users.map((u) => `"${u.svc.name}" (line ${u.line})`).join(' and ')} all listen on it in the host network; only one can bind it. Change the port one of them listens on.`,
      file: composeFile,
      line: users[1]?.line ?? 0,
    });
  }

  // Files.
  const files = new Map<string, string>();
  const containers: ReportContainer[] = [];
  const nextSteps: string[] = [];
  const builds: BuildPlan[] = [];
  const inOut = (cmd: string): string =>
    input.outDirLabel === '.' ? cmd : `cd ${input.outDirLabel ?? '<out>'} && ${cmd}`;
  for (const s of services) {
    if (!isMap(s.node)) continue;
    const known = input.images?.[s.name];
    const src: Record<string, JsonValue> = {
      '#spec': SRC_SPEC,
      args: s.args,
      template: 'builtin-lxc-docker',
      docker_name: s.dockerName ?? `${slug(input.projectName)}_${s.container}`,
      docker_tag: s.dockerTag ?? 'latest',
      docker_source: s.build ? 'local' : 'remote,local',
    };
    if (Object.keys(s.config).length) src['config'] = s.config;
    if (Object.keys(s.persistence).length) src['persistence'] = s.persistence;
    const imported = input.imports?.[s.name];
    const digest = imported?.status === 'imported' ? known?.digest : undefined;
    if (digest ?? s.dockerDigest) src['docker_digest'] = digest ?? s.dockerDigest ?? '';
    if (s.dockerPlatform ?? known?.platform)
      src['docker_platform'] = s.dockerPlatform ?? known?.platform ?? '';
    if (imported?.status === 'imported' && known?.source) src['docker_source'] = known.source;
    if (known) src['docker_config'] = known.config as JsonValue;
    // Render with what is known: without the image config, the image's own Cmd/Env/Volumes are
    // missing until `pvkit app update` imports the image and renders again.
    const forRender = { ...src, docker_config: (known?.config as JsonValue | undefined) ?? {} };
    const rendered = renderContainerFiles(forRender, { name: s.container });
    if (rendered.error || rendered.runJson === undefined) {
      problems.push({
        severity: 'error',
        message: `Rendering "${s.container}" failed: ${rendered.error?.message ?? 'no run.json'}. This is a pvkit bug; please report it with the compose file.`,
      });
      continue;
    }
    for (const w of rendered.warnings)
      problems.push({ severity: 'warning', message: `${s.container}: ${w.message}` });
    files.set(`${s.container}/src.json`, prettyJson(src));
    files.set(`${s.container}/run.json`, rendered.runJson);
    if (rendered.lxcConf !== undefined) files.set(`${s.container}/lxc.container.conf`, rendered.lxcConf);
    const imageRef = `${s.dockerName ?? `${slug(input.projectName)}_${s.container}`}:${s.dockerTag ?? 'latest'}`;
    const bstat = input.builds?.[s.name];
    const container: ReportContainer = {
      service: s.name,
      container: s.container,
      ...(s.renamed ? { renamed: s.renamed } : {}),
      group: groupName(s),
      source: s.build ? 'build' : 'image',
      image: digest ?? s.dockerDigest ?? imageRef,
      imageConfigKnown: !!known,
      ...(imported ? { import: { ...imported } } : {}),
    };
    if (imported?.status === 'failed')
      problems.push({
        severity: 'warning',
        message: `"${s.name}": importing the image ${imported.image} into ${s.container}/root.squashfs failed${imported.layer ? ` at layer ${imported.layer}` : ''}: ${imported.error}`,
        file: composeFile,
        line: s.imageLine,
      });
    const importStep = `\`${inOut(`pvkit app update ${s.container} && pvr add . && pvr commit`)}\``;
    if (s.build) {
      builds.push(s.build);
      if (s.build.renderedDockerfile) files.set(s.build.renderedDockerfile, s.build.dockerfileText);
      container.build = {
        dockerfile: s.build.dockerfile,
        context: s.build.context,
        command: s.build.command,
        status: bstat?.status ?? 'pending',
        ...(bstat?.error ? { error: bstat.error } : {}),
      };
      // An image imported from the engine (built here, or earlier with the printed command) is done.
      if (imported?.status === 'imported') {
        /* nothing left for this service */
      } else if (bstat?.status !== 'built') {
        nextSteps.push(
          `Build "${s.name}" (${bstat?.status === 'failed' ? `the build failed: ${bstat.error ?? ''}` : 'no container engine was reachable'}): \`${s.build.command}\`, then ${importStep}.`,
        );
      } else {
        nextSteps.push(
          `Import the built image of "${s.name}" into the revision${imported?.status === 'failed' ? ` (the import failed: ${imported.error})` : ''}: ${importStep}.`,
        );
      }
    } else if (s.buildError) {
      nextSteps.push(`Fix the build of "${s.name}": ${s.buildError}`);
    } else if (imported?.status !== 'imported') {
      nextSteps.push(
        `Image not imported${imported?.status === 'failed' ? ` (the import failed: ${imported.error})` : ''}: run \`${inOut(`pvkit app update ${s.container}`)}\` to import \`${imageRef}\` (root.squashfs, docker_config, docker_digest), then \`pvr add . && pvr commit\`.`,
      );
    }
    containers.push(container);
  }
  const groupsJson = groups.map((g) => groupJson(g.name, g.restart, g.svcs));
  files.set('device.json', prettyJson({ groups: groupsJson }));
  if (platform) files.set('_hostconfig/pvr/docker.json', prettyJson({ platforms: [platform] }));

  const report = baseReport(
    input,
    containers,
    groups.map((g) => ({
      name: g.name,
      services: g.svcs.map((s) => s.name),
      restart: g.restart,
      level: g.level,
    })),
    entries,
    problems,
    nextSteps,
    deviceType,
    arch,
    platform,
  );
  const revisionFiles = [...files.keys()].filter((k) => !k.startsWith('.pvr/')).sort();
  files.set('CONVERSION.json', prettyJson(report as unknown as JsonValue) + '\n');
  files.set('CONVERSION.md', renderReportMarkdown(report, input.sourceLink ?? ((f) => f)) + '\n');
  const sorted = new Map([...files].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  return { files: sorted, revisionFiles, report, builds, failed: false };
}

function baseReport(
  input: ConvertInput,
  containers: ReportContainer[],
  groups: ConversionReport['groups'],
  entries: ReportEntry[],
  problems: ReportProblem[],
  nextSteps: string[],
  deviceType?: string,
  arch?: string,
  platform?: string,
): ConversionReport {
  const counts: Record<OutcomeKind, number> = { mapped: 0, approximated: 0, dropped: 0 };
  for (const e of entries) counts[e.kind]++;
  return {
    version: 1,
    project: input.projectName,
    composeFile: input.composeFile,
    ...(deviceType ? { deviceType } : {}),
    ...(arch ? { arch } : {}),
    ...(platform ? { platform } : {}),
    containers,
    groups,
    entries,
    problems,
    nextSteps,
    counts,
  };
}

/** JSON with 4-space indentation and sorted keys, ending without a newline (pvr style). */
export function prettyJson(v: JsonValue): string {
  return JSON.stringify(JSON.parse(canonicalJson(v)), null, 4);
}

function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '') || 'project'
  );
}

function restartKey(s: ServiceState): string {
  return s.restart === 'on-failure' && s.maxRetries > 0 ? `on-failure:${s.maxRetries}` : s.restart;
}

function groupJson(name: string, restart: string, svcs: ServiceState[]): JsonValue {
  const [policy = 'always', n] = restart.split(':');
  const recovery: Record<string, JsonValue> =
    policy === 'no'
      ? { policy: 'no' }
      : {
          policy,
          max_retries: n ? Number(n) : 0,
          retry_delay: 5,
          backoff_factor: 2,
          backoff_policy: 'never',
        };
  return {
    name,
    description: `Converted from balena: ${svcs.map((s) => s.name).join(', ')} (restart: ${restart})`,
    status_goal: 'STARTED',
    restart_policy: 'container',
    auto_recovery: recovery,
  };
}

function topDetail(key: string): string {
  switch (key) {
    case 'services':
      return 'one container folder per service';
    case 'volumes':
      return 'each named volume becomes permanent storage of the first service that mounts it';
    case 'networks':
      return 'all services use host networking';
    default:
      return '';
  }
}

/** Longest dependency chain below each service (0 = depends on nothing). */
function dependencyLevels(
  services: ServiceState[],
  problems: ReportProblem[],
  composeFile: string,
): Map<string, number> {
  const byName = new Map(services.map((s) => [s.name, s]));
  const level = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (s: ServiceState): number => {
    const known = level.get(s.name);
    if (known !== undefined) return known;
    if (visiting.has(s.name)) {
      problems.push({
        severity: 'warning',
        message: `depends_on forms a cycle through "${s.name}"; the cycle is broken there.`,
        file: composeFile,
      });
      return 0;
    }
    visiting.add(s.name);
    let lv = 0;
    for (const d of s.deps) {
      const dep = byName.get(d);
      if (!dep) {
        problems.push({
          severity: 'warning',
          message: `"${s.name}" depends on "${d}", which is not a service of this project.`,
          file: composeFile,
        });
        continue;
      }
      lv = Math.max(lv, visit(dep) + 1);
    }
    visiting.delete(s.name);
    level.set(s.name, lv);
    return lv;
  };
  for (const s of services) visit(s);
  return level;
}

/** A YAML node as plain JavaScript (aliases and merges resolved). */
function js(doc: Document, node: unknown): unknown {
  const n = deref(doc, node);
  if (!n) return null;
  const withToJs = n as unknown as { toJS?: (d: Document, o?: object) => unknown };
  if (typeof withToJs.toJS === 'function') {
    try {
      return withToJs.toJS(doc, { maxAliasCount: -1 });
    } catch {
      return null;
    }
  }
  return null;
}

/** A report entry from the table row, with this value's detail. */
function fromTable(
  base: Omit<ReportEntry, 'kind' | 'detail' | 'applied'>,
  tableKey: string,
  detail: string,
  applied: boolean,
  kindOverride?: OutcomeKind,
  override?: Partial<Pick<ReportEntry, 'to' | 'how' | 'why' | 'instead'>>,
): ReportEntry {
  const row = fieldInfo(tableKey);
  const outcome: PantavisorOutcome | undefined = row?.pantavisor;
  return outcomeEntry({ ...base, tableKey }, outcome, detail, applied, kindOverride, override);
}

function outcomeEntry(
  base: Omit<ReportEntry, 'kind' | 'detail' | 'applied'>,
  outcome: PantavisorOutcome | undefined,
  detail: string,
  applied: boolean,
  kindOverride?: OutcomeKind,
  override?: Partial<Pick<ReportEntry, 'to' | 'how' | 'why' | 'instead'>>,
): ReportEntry {
  const e: ReportEntry = { ...base, kind: kindOverride ?? outcome?.kind ?? 'dropped', detail, applied };
  if (outcome?.kind === 'mapped') {
    e.to = outcome.to;
    if (outcome.note) e.how = outcome.note;
  } else if (outcome?.kind === 'approximated') {
    e.to = outcome.to;
    e.how = outcome.how;
  } else if (outcome?.kind === 'dropped') {
    e.why = outcome.why;
    e.instead = outcome.instead;
  }
  if (override) Object.assign(e, override);
  if (e.kind === 'dropped') {
    delete e.to;
    delete e.how;
  }
  if (e.kind === 'dropped' && (!e.why || !e.instead)) {
    e.why ??= 'No Pantavisor equivalent for this value.';
    e.instead ??= 'See the detail.';
  }
  if (e.kind !== 'dropped' && !e.to) e.to = 'see the detail';
  return e;
}

interface FieldCtx {
  doc: Document;
  node: YamlNode | null;
  pos: (n: YamlNode | null | undefined) => { line: number; column: number };
  project: ComposeProject;
  entries: ReportEntry[];
  problems: ReportProblem[];
  composeFile: string;
  input: ConvertInput;
  deviceType: string | undefined;
  arch: BalenaArch | undefined;
  platform: string | undefined;
  releaseHash: string;
  topVolumes: Set<string>;
  owners: Map<string, { svc: ServiceState; target: string }>;
}

interface FieldResult {
  detail: string;
  applied: boolean;
  kind?: OutcomeKind;
  override?: Partial<Pick<ReportEntry, 'to' | 'how' | 'why' | 'instead'>>;
}

const str = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === null || v === undefined ? [] : [v]);

/** Converts one service field; returns what happened for the report. */
function convertField(svc: ServiceState, key: string, value: unknown, c: FieldCtx): FieldResult {
  const manual = (detail = ''): FieldResult => ({ detail, applied: false });
  switch (key) {
    case 'image': {
      const ref = parseImageRef(str(value));
      if (mapEntries(c.doc, svc.node).some((e) => e.key === 'build')) {
        return {
          detail: `names the built image: docker_name "${ref.name}", docker_tag "${svc.dockerTag}"`,
          applied: true,
        };
      }
      svc.dockerName = ref.name;
      svc.dockerTag = ref.tag ?? 'latest';
      if (ref.digest) svc.dockerDigest = `${ref.name}@${ref.digest}`;
      return {
        detail: `docker_name "${ref.name}", docker_tag "${svc.dockerTag}"${ref.digest ? `, docker_digest "${svc.dockerDigest ?? ''}"` : ''}`,
        applied: true,
      };
    }
    case 'build':
      return convertBuild(svc, value, c);
    case 'command':
    case 'entrypoint': {
      const words = Array.isArray(value) ? value.map(str) : splitShellWords(str(value));
      const k = key === 'command' ? 'Cmd' : 'Entrypoint';
      svc.config[k] = words;
      if (key === 'command') svc.commandSet = true;
      else svc.entrypointSet = true;
      return { detail: `config.${k} = ${JSON.stringify(words)}`, applied: true };
    }
    case 'working_dir':
      svc.config['WorkingDir'] = str(value);
      return { detail: `config.WorkingDir = "${str(value)}"`, applied: true };
    case 'environment':
    case 'env_file': {
      const target = key === 'environment' ? svc.env : svc.envFromFile;
      const unset: string[] = [];
      const add = (k: string, v: string | undefined): void => {
        if (v === undefined) unset.push(k);
        else target.set(k, v);
      };
      if (key === 'env_file') {
        const missing: string[] = [];
        for (const f of list(value)) {
          const path = typeof f === 'string' ? f : str((f as { path?: unknown } | null)?.path);
          const text = c.project.read(joinRel(path));
          if (text === undefined) {
            missing.push(path);
            continue;
          }
          for (const raw of text.split(/\r?\n/)) {
            const line = raw.trim();
            if (!line || line.startsWith('#')) continue;
            const eq = line.indexOf('=');
            add(eq < 0 ? line : line.slice(0, eq), eq < 0 ? undefined : line.slice(eq + 1));
          }
        }
        if (missing.length)
          return {
            detail: `cannot read ${missing.join(', ')}; its variables are missing`,
            applied: false,
            kind: 'dropped',
            override: {
              why: 'The env file is not in the project.',
              instead: 'Add the file, or list the variables under `environment`.',
            },
          };
      } else if (Array.isArray(value)) {
        for (const item of value) {
          const s = str(item);
          const eq = s.indexOf('=');
          add(eq < 0 ? s : s.slice(0, eq), eq < 0 ? undefined : s.slice(eq + 1));
        }
      } else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value as Record<string, unknown>))
          add(k, v === null || v === undefined ? undefined : str(v));
      }
      const known = !!c.input.images?.[svc.name];
      const where = known
        ? 'config.Env (merged over the image Env)'
        : 'args.PV_LXC_EXTRA_ENV (after the image Env)';
      const d = `${target.size} variable(s) → ${where}`;
      if (unset.length)
        return {
          detail: `${d}; ${unset.join(', ')} without a value (balena takes it from the dashboard): set it in the container's environment`,
          applied: true,
          kind: 'approximated',
          override: {
            how: 'Variables without a value are left out; on balena they come from the dashboard.',
          },
        };
      return { detail: d, applied: true };
    }
    case 'volumes': {
      const notes: string[] = [];
      let worst: OutcomeKind = 'mapped';
      for (const item of seqItems(c.doc, c.node)) {
        const v = js(c.doc, item);
        const line = c.pos(item).line;
        let source = '';
        let target = '';
        let ro = false;
        let type = 'volume';
        if (typeof v === 'string') {
          const parts = v.split(':');
          if (parts.length === 1) target = parts[0] ?? '';
          else {
            source = parts[0] ?? '';
            target = parts[1] ?? '';
            ro = (parts[2] ?? '').split(',').includes('ro');
          }
          if (source.startsWith('/') || source.startsWith('.') || source.startsWith('~')) type = 'bind';
        } else if (v && typeof v === 'object') {
          const o = v as Record<string, unknown>;
          type = str(o['type']) || 'volume';
          source = str(o['source']);
          target = str(o['target']);
          ro = o['read_only'] === true;
        }
        if (type === 'bind') {
          worst = 'dropped';
          notes.push(
            `line ${line}: bind mount ${source} → ${target} dropped (balena rejects bind mounts; use a feature label, \`PV_SECURITY_WITH_HOST\` or the \`_config/${svc.container}/\` overlay)`,
          );
          continue;
        }
        if (type === 'tmpfs') {
          svc.extraConf.push(`lxc.mount.entry = tmpfs ${target.replace(/^\//, '')} tmpfs rw,create=dir 0 0`);
          notes.push(`line ${line}: tmpfs ${target} → lxc.mount.entry`);
          continue;
        }
        if (!target.startsWith('/')) {
          worst = 'dropped';
          notes.push(`line ${line}: "${str(v)}" has no absolute target path; dropped`);
          continue;
        }
        svc.volumes.push({ source, target, ro, line });
        if (source && !c.topVolumes.has(source))
          notes.push(
            `line ${line}: volume "${source}" is not declared under top-level volumes (balena rejects that)`,
          );
        const owner = source ? c.owners.get(source) : undefined;
        if (!source) {
          svc.persistence[target] = 'revision';
          notes.push(
            `line ${line}: anonymous volume at ${target} → persistence "revision" (reset on each new revision)`,
          );
        } else if (!owner || owner.svc === svc) {
          c.owners.set(source, { svc, target });
          svc.persistence[target] = 'permanent';
          notes.push(
            `line ${line}: volume "${source}" → persistence {"${target}": "permanent"}${ro ? ' (read-only on balena, read-write here)' : ''}`,
          );
          if (ro && worst === 'mapped') worst = 'approximated';
        } else {
          svc.volumeImports.push(`${owner.svc.container}:${owner.target}:${target}${ro ? ':ro' : ''}`);
          notes.push(
            `line ${line}: volume "${source}" belongs to "${owner.svc.container}" → args.PV_VOLUME_IMPORTS "${owner.svc.container}:${owner.target}:${target}${ro ? ':ro' : ''}" (shared)`,
          );
          if (worst === 'mapped') worst = 'approximated';
        }
      }
      return {
        detail: notes.join('; '),
        applied: true,
        ...(worst !== 'mapped'
          ? {
              kind: worst,
              override:
                worst === 'approximated'
                  ? {
                      how: 'A volume used by several services belongs to the first one; the others import it (`args.PV_VOLUME_IMPORTS`), which needs the owner in the same revision. Read-only volumes are only read-only when imported.',
                    }
                  : {
                      why: 'Bind mounts have no Pantavisor equivalent in a converted revision.',
                      instead:
                        'Use a feature label, `args.PV_SECURITY_WITH_HOST`, or ship the files in the `_config/<container>/` overlay.',
                    },
            }
          : {}),
      };
    }
    case 'tmpfs': {
      for (const t of list(value)) {
        const [path = '', opts] = str(t).split(':');
        svc.extraConf.push(
          `lxc.mount.entry = tmpfs ${path.replace(/^\//, '')} tmpfs rw${opts ? `,${opts}` : ''},create=dir 0 0`,
        );
      }
      return { detail: `${list(value).length} tmpfs mount(s) → args.PV_LXC_EXTRA_CONF`, applied: true };
    }
    case 'restart': {
      // YAML 1.1 readers see an unquoted `no` as false; balena treats it as "no".
      const raw = value === false ? 'no' : str(value);
      const [policy = '', n] = raw.split(':');
      if (['no', 'always', 'unless-stopped', 'on-failure'].includes(policy)) {
        svc.restart = policy;
        svc.maxRetries = policy === 'on-failure' && n ? Number(n) || 0 : 0;
        return {
          detail: `group auto_recovery policy "${policy}"${svc.maxRetries ? `, max_retries ${svc.maxRetries}` : ''}`,
          applied: true,
        };
      }
      svc.restart = 'always';
      return {
        detail: `"${raw}" is not a restart policy; balena uses "always", and so does the converter`,
        applied: true,
        kind: 'approximated',
        override: { how: 'Unknown policies become `always`, as on balena.' },
      };
    }
    case 'depends_on': {
      const deps = Array.isArray(value)
        ? value.map(str)
        : value && typeof value === 'object'
          ? Object.keys(value)
          : [];
      svc.deps = deps;
      return {
        detail: `starts after ${deps.map((d) => `"${d}"`).join(', ')} (an earlier group)`,
        applied: true,
      };
    }
    case 'privileged':
      if (value === true) {
        svc.args['PV_SECURITY_FULLDEV'] = 'yes';
        return {
          detail: 'args.PV_SECURITY_FULLDEV = "yes" (host /dev bound); all devices and capabilities allowed',
          applied: true,
        };
      }
      return {
        detail: 'false: nothing written (Pantavisor containers allow all devices unless restricted)',
        applied: true,
      };
    case 'devices': {
      const devs = list(value).map((d) => {
        const s = typeof d === 'string' ? d : str((d as Record<string, unknown> | null)?.['source']);
        const [host = '', inner] = s.split(':');
        return { host, inner: inner && inner.startsWith('/') ? inner : host };
      });
      if (svc.privileged)
        return {
          detail: `${devs.map((d) => d.host).join(', ')}: already visible through the bound host /dev (privileged)`,
          applied: true,
        };
      for (const d of devs)
        svc.extraConf.push(
          `lxc.mount.entry = ${d.host} ${d.inner.replace(/^\//, '')} none bind,optional,create=file 0 0`,
        );
      return {
        detail: `${devs.map((d) => d.host).join(', ')} bound via args.PV_LXC_EXTRA_CONF (the device cgroup allows all devices)`,
        applied: true,
      };
    }
    case 'device_cgroup_rules':
      return {
        detail: 'nothing written: the template allows all devices by default',
        applied: true,
        kind: 'mapped',
      };
    case 'cap_add':
      return {
        detail: `${list(value).map(str).join(', ')}: nothing to add, LXC keeps every capability unless told otherwise`,
        applied: true,
      };
    case 'cap_drop': {
      const caps = list(value).map((x) => str(x).replace(/^CAP_/i, ''));
      if (caps.some((x) => x.toUpperCase() === 'ALL')) {
        const keep =
          (js(c.doc, mapEntries(c.doc, svc.node).find((e) => e.key === 'cap_add')?.value) as
            unknown[] | null) ?? [];
        svc.args['PV_LXC_CAP_KEEP'] = list(keep).map((x) => str(x).replace(/^CAP_/i, ''));
        return {
          detail: `drop ALL → args.PV_LXC_CAP_KEEP = ${JSON.stringify(svc.args['PV_LXC_CAP_KEEP'])} (only the cap_add list is kept)`,
          applied: true,
        };
      }
      svc.args['PV_LXC_CAP_DROP'] = caps;
      return { detail: `args.PV_LXC_CAP_DROP = ${JSON.stringify(caps)}`, applied: true };
    }
    case 'network_mode': {
      const m = str(value);
      if (m === 'host')
        return { detail: 'host networking (the template default)', applied: true, kind: 'mapped' };
      if (m === 'none') {
        svc.args['PV_LXC_NETWORK_TYPE'] = 'empty';
        svc.networkNone = true;
        return { detail: 'args.PV_LXC_NETWORK_TYPE = "empty" (no network)', applied: true, kind: 'mapped' };
      }
      return {
        detail: `"${m}" → host networking; services reach each other on localhost instead of by name`,
        applied: true,
      };
    }
    case 'networks':
      return {
        detail: 'host networking for every service; network names and aliases are not resolvable',
        applied: true,
      };
    case 'ports':
    case 'expose': {
      const notes: string[] = [];
      for (const item of seqItems(c.doc, c.node)) {
        const v = js(c.doc, item);
        const line = c.pos(item).line;
        let target = '';
        let published = '';
        let proto = 'tcp';
        if (typeof v === 'object' && v) {
          const o = v as Record<string, unknown>;
          target = str(o['target']);
          published = str(o['published']);
          proto = str(o['protocol']) || 'tcp';
        } else {
          let s = str(v);
          const slash = s.indexOf('/');
          if (slash >= 0) {
            proto = s.slice(slash + 1);
            s = s.slice(0, slash);
          }
          const parts = s.split(':');
          target = parts[parts.length - 1] ?? '';
          published = parts.length > 1 ? (parts[parts.length - 2] ?? '') : '';
        }
        const [from = '', to = from] = target.split('-');
        const lo = Number(from);
        const hi = Number(to);
        const span =
          Number.isInteger(lo) && Number.isInteger(hi) && hi >= lo && hi - lo < 1024 ? hi - lo + 1 : 1;
        for (let i = 0; i < span; i++)
          svc.ports.push({ port: `${span > 1 ? lo + i : target}/${proto}`, line, published });
        if (key === 'ports')
          notes.push(
            published && published.split('-')[0] !== from
              ? `line ${line}: published ${published} → the service is reachable on ${target}/${proto}, not ${published}`
              : `line ${line}: ${target}/${proto} reachable on the host network`,
          );
      }
      if (key === 'expose') return { detail: 'checked for port clashes only', applied: true };
      return {
        detail: notes.join('; '),
        applied: true,
        kind: 'approximated',
        override: {
          to: 'host networking (the service listens on the device directly)',
          how: 'No port publishing: the container port is the device port; a different published port is not honoured.',
        },
      };
    }
    case 'hostname':
      svc.extraConf.push(`lxc.uts.name = ${str(value)}`);
      return { detail: `lxc.uts.name = ${str(value)} via args.PV_LXC_EXTRA_CONF`, applied: true };
    case 'stop_signal':
      svc.extraConf.push(`lxc.signal.halt = ${str(value)}`);
      return { detail: `lxc.signal.halt = ${str(value)} via args.PV_LXC_EXTRA_CONF`, applied: true };
    case 'sysctls': {
      const pairs = Array.isArray(value)
        ? value.map((x) => str(x).split('=') as [string, string])
        : Object.entries((value ?? {}) as Record<string, unknown>).map(
            ([k, v]) => [k, str(v)] as [string, string],
          );
      for (const [k, v] of pairs) svc.extraConf.push(`lxc.sysctl.${k} = ${v ?? ''}`);
      return { detail: `${pairs.length} lxc.sysctl line(s) via args.PV_LXC_EXTRA_CONF`, applied: true };
    }
    case 'ulimits': {
      const out: string[] = [];
      for (const [k, v] of Object.entries((value ?? {}) as Record<string, unknown>)) {
        const o = v && typeof v === 'object' ? (v as Record<string, unknown>) : { soft: v, hard: v };
        out.push(`lxc.prlimit.${k} = ${str(o['soft'])}:${str(o['hard'])}`);
      }
      svc.extraConf.push(...out);
      return { detail: `${out.length} lxc.prlimit line(s) via args.PV_LXC_EXTRA_CONF`, applied: true };
    }
    case 'mem_limit':
    case 'mem_reservation':
    case 'cpu_shares':
    case 'cpu_quota':
    case 'cpuset':
    case 'pids_limit': {
      const line = cgroupLine(key, value);
      if (!line) return manual(`"${str(value)}" could not be read; add the cgroup line by hand`);
      svc.cgroup.push(line);
      return { detail: `lxc.cgroup.${line} via args.PVR_LXC_CGROUP_V1 (cgroup v1 only)`, applied: true };
    }
    case 'shm_size': {
      const bytes = parseByteSize(value);
      if (bytes === undefined) return manual(`"${str(value)}" could not be read`);
      svc.extraConf.push(
        `lxc.mount.entry = tmpfs dev/shm tmpfs rw,nosuid,nodev,size=${bytes},create=dir 0 0`,
      );
      return { detail: `/dev/shm tmpfs of ${bytes} bytes via args.PV_LXC_EXTRA_CONF`, applied: true };
    }
    case 'oom_score_adj':
      svc.extraConf.push(`lxc.proc.oom_score_adj = ${str(value)}`);
      return { detail: `lxc.proc.oom_score_adj via args.PV_LXC_EXTRA_CONF`, applied: true };
    case 'container_name':
      return { detail: `the container folder is "${svc.container}" (from the service name)`, applied: true };
    case 'platform':
      svc.dockerPlatform = str(value);
      return { detail: `docker_platform "${str(value)}"`, applied: true };
    case 'labels':
      convertLabels(svc, c);
      return { detail: 'each label is listed below', applied: true };
    case 'extends':
    case 'label_file':
      // The table promises these are resolved first; the converter does not do it yet, so the
      // report must not claim a mapping.
      return {
        detail: 'not resolved by this pvkit version',
        applied: false,
        kind: 'dropped',
        override: {
          why: `pvkit does not resolve \`${key}\` yet.`,
          instead: 'Inline the referenced settings into the service and convert again.',
        },
      };
    default:
      return manual();
  }
}

function cgroupLine(key: string, value: unknown): string | undefined {
  switch (key) {
    case 'mem_limit':
    case 'mem_reservation': {
      const b = parseByteSize(value);
      return b === undefined
        ? undefined
        : `${key === 'mem_limit' ? 'memory.limit_in_bytes' : 'memory.soft_limit_in_bytes'} = ${b}`;
    }
    case 'cpu_shares':
      return `cpu.shares = ${str(value)}`;
    case 'cpu_quota':
      return `cpu.cfs_quota_us = ${str(value)}`;
    case 'cpuset':
      return `cpuset.cpus = ${str(value)}`;
    case 'pids_limit':
      return `pids.max = ${str(value)}`;
  }
  return undefined;
}

function convertLabels(svc: ServiceState, c: FieldCtx): void {
  const node = deref(c.doc, c.node);
  const labels: { key: string; value: string; node: YamlNode | null }[] = [];
  if (isMap(node)) {
    for (const e of mapEntries(c.doc, node))
      labels.push({ key: e.key, value: str(js(c.doc, e.value)), node: e.keyNode });
  } else if (isSeq(node)) {
    for (const item of node.items as YamlNode[]) {
      const s = isScalar(item) ? str(item.value) : '';
      const eq = s.indexOf('=');
      labels.push({ key: eq < 0 ? s : s.slice(0, eq), value: eq < 0 ? '' : s.slice(eq + 1), node: item });
    }
  }
  for (const l of labels) {
    const p = c.pos(l.node);
    const base = { scope: 'label' as const, service: svc.name, key: l.key, file: c.composeFile, ...p };
    const name = LEGACY_LABEL_RENAMES[l.key] ?? l.key.replace(/^io\.resin\./, 'io.balena.');
    const info = labelInfo(name);
    const legacy = name !== l.key ? ` (legacy name of ${name})` : '';
    if (!info) {
      const balenaish = name.startsWith('io.balena.');
      c.entries.push(
        outcomeEntry(
          base,
          {
            kind: 'dropped',
            why: balenaish
              ? 'Not a label balena documents, so it does nothing on balena either.'
              : 'The template does not use container labels.',
            instead: balenaish
              ? 'Check the spelling against balena’s label list, or remove it.'
              : 'Nothing to do unless a tool on the device reads labels; configure that tool directly.',
          },
          '',
          false,
        ),
      );
      continue;
    }
    const on = info.valueType !== 'flag' || l.value === '1' || l.value === 'true';
    const tableBase = { ...base, tableKey: info.label };
    if (info.valueType === 'flag' && !on) {
      c.entries.push(
        outcomeEntry(
          tableBase,
          { kind: 'mapped', to: 'nothing', note: 'The feature is off.' },
          `value "${l.value}": feature off${legacy}`,
          true,
        ),
      );
      continue;
    }
    let detail = legacy.trim();
    let applied = info.pantavisor.kind !== 'dropped';
    switch (info.label) {
      case 'io.balena.features.procfs':
        svc.args['PV_SECURITY_WITH_HOSTPROC'] = 'yes';
        detail = `args.PV_SECURITY_WITH_HOSTPROC = "yes"${legacy}`;
        break;
      case 'io.balena.features.supervisor-api':
        svc.args['PV_ROLES'] = ['mgmt'];
        detail = `args.PV_ROLES = ["mgmt"]${legacy}`;
        break;
      case 'io.balena.features.requires.arch.sw':
        if (c.arch && c.arch !== l.value)
          c.problems.push({
            severity: 'warning',
            message: `"${svc.name}" requires architecture ${l.value}, but the target is ${c.arch}.`,
            file: c.composeFile,
            line: p.line,
          });
        applied = false;
        break;
      default:
        if (info.pantavisor.kind === 'approximated') applied = false;
    }
    c.entries.push(outcomeEntry(tableBase, info.pantavisor, detail, applied));
  }
}

function convertBuild(svc: ServiceState, value: unknown, c: FieldCtx): FieldResult {
  const o: Record<string, unknown> =
    typeof value === 'string'
      ? { context: value }
      : value && typeof value === 'object'
        ? (value as Record<string, unknown>)
        : {};
  // Sub-fields of the long form are reported one by one.
  const node = deref(c.doc, c.node);
  if (isMap(node)) {
    for (const e of mapEntries(c.doc, node)) {
      const tk = `service.build.${e.key}`;
      const used = ['context', 'dockerfile', 'args', 'target'].includes(e.key);
      c.entries.push(
        fieldInfo(tk)
          ? fromTable(
              { scope: 'build', service: svc.name, key: e.key, file: c.composeFile, ...c.pos(e.keyNode) },
              tk,
              used ? 'passed to the image build' : 'not passed to the build',
              used,
            )
          : outcomeEntry(
              { scope: 'build', service: svc.name, key: e.key, file: c.composeFile, ...c.pos(e.keyNode) },
              { kind: 'dropped', why: 'Not a build field pvkit knows.', instead: 'Remove it.' },
              '',
              false,
            ),
      );
    }
  }
  const context = joinRel(str(o['context']) || '.');
  if (context.startsWith('..') || c.project.stat(context) !== 'dir') {
    svc.buildError = `build context "${str(o['context'])}" is not a folder inside the project`;
    return {
      detail: svc.buildError,
      applied: false,
      kind: 'dropped',
      override: { why: 'The build context is missing.', instead: 'Fix the context path and convert again.' },
    };
  }
  const explicit = str(o['dockerfile']) || undefined;
  const resolved = resolveDockerfile(c.project, context, explicit, {
    appName: c.input.projectName,
    serviceName: svc.name,
    ...(c.deviceType ? { deviceType: c.deviceType } : {}),
    ...(c.arch ? { arch: c.arch } : {}),
    releaseHash: c.releaseHash,
  });
  if ('error' in resolved) {
    svc.buildError = resolved.error;
    return {
      detail: resolved.error,
      applied: false,
      kind: 'dropped',
      override: { why: 'No Dockerfile to build.', instead: 'Add the Dockerfile and convert again.' },
    };
  }
  const args: Record<string, string> = {};
  const rawArgs = o['args'];
  if (Array.isArray(rawArgs)) {
    for (const a of rawArgs) {
      const s = str(a);
      const eq = s.indexOf('=');
      if (eq > 0) args[s.slice(0, eq)] = s.slice(eq + 1);
    }
  } else if (rawArgs && typeof rawArgs === 'object') {
    for (const [k, v] of Object.entries(rawArgs as Record<string, unknown>)) if (v !== null) args[k] = str(v);
  }
  const name = svc.dockerName ?? `${slug(c.input.projectName)}_${svc.container}`;
  const tag = `${name}:${svc.dockerTag ?? 'latest'}`;
  svc.dockerName = name;
  svc.dockerTag ??= 'latest';
  const rendered = resolved.template ? `.pvr/convert/${svc.container}.Dockerfile` : undefined;
  const out = c.input.outDirLabel ?? '<out>';
  const fpath = (p: string): string => (out === '.' ? p : `${out}/${p}`);
  const proj = c.input.projectDirLabel ?? '.';
  const q = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const target = str(o['target']) || undefined;
  const cmd = [
    'docker',
    'build',
    ...(c.platform ? ['--platform', c.platform] : []),
    '-t',
    tag,
    '-f',
    rendered ? fpath(rendered) : `${proj}/${resolved.path}`,
    ...Object.keys(args)
      .sort()
      .flatMap((k) => ['--build-arg', `${k}=${args[k] ?? ''}`]),
    ...(target ? ['--target', target] : []),
    `${proj}/${context}`,
  ]
    .map(q)
    .join(' ');
  svc.build = {
    service: svc.name,
    container: svc.container,
    context,
    dockerfile: resolved.path,
    dockerfileText: resolved.text,
    ...(rendered ? { renderedDockerfile: rendered } : {}),
    buildArgs: args,
    ...(target ? { target } : {}),
    tag,
    ...(c.platform ? { platform: c.platform } : {}),
    command: cmd,
  };
  if (resolved.unresolved.length)
    c.problems.push({
      severity: 'warning',
      message: `${resolved.path}: ${resolved.unresolved.join(', ')} have no value (no device type); pass --device-type.`,
      file: resolved.path,
    });
  return {
    detail: `builds ${resolved.path}${resolved.template ? ' (template variables substituted)' : ''} from ${context} as ${tag}`,
    applied: true,
  };
}

/** `[registry/]name[:tag][@sha256:…]`. */
export function parseImageRef(ref: string): { name: string; tag?: string; digest?: string } {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag: string | undefined;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

interface BalenaYml {
  defaultDeviceType?: string;
  env: Map<string, string>;
}

function readBalenaYml(
  project: ComposeProject,
  entries: ReportEntry[],
  problems: ReportProblem[],
): BalenaYml {
  const out: BalenaYml = { env: new Map() };
  const file =
    project.stat('balena.yml') === 'file'
      ? 'balena.yml'
      : project.stat('.balena/balena.yml') === 'file'
        ? '.balena/balena.yml'
        : undefined;
  if (!file) return out;
  const text = project.read(file) ?? '';
  const doc = parseDocument(text, { strict: false, uniqueKeys: false });
  const li = new LineIndex(text);
  const at = (n: YamlNode | null | undefined): { line: number; column: number } => {
    const o = n?.range?.[0];
    if (o === undefined) return { line: 0, column: 0 };
    const p = li.positionAt(o);
    return { line: p.line + 1, column: p.character + 1 };
  };
  if (doc.errors.length) {
    problems.push({
      severity: 'warning',
      message: `${file} is not valid YAML (${doc.errors[0]?.message.split('\n')[0] ?? ''}); it is ignored.`,
      file,
      line: 1,
    });
    return out;
  }
  const root = deref(doc, doc.contents);
  const add = (
    key: string,
    node: YamlNode | null,
    kind: OutcomeKind,
    to: string,
    detail: string,
    why?: string,
  ): void => {
    const e: ReportEntry = {
      scope: 'balena',
      key,
      file,
      ...at(node),
      kind,
      detail,
      applied: kind !== 'dropped',
    };
    if (kind === 'dropped') {
      e.why = why ?? 'Only used by balenaCloud.';
      e.instead = 'Nothing to do.';
    } else e.to = to;
    entries.push(e);
  };
  const envFrom = (node: YamlNode | null, key: string): void => {
    const v = js(doc, node);
    const items = Array.isArray(v) ? v : v && typeof v === 'object' ? [v] : [];
    for (const it of items)
      if (it && typeof it === 'object')
        for (const [k, val] of Object.entries(it as Record<string, unknown>)) out.env.set(k, str(val));
    add(
      key,
      node,
      'mapped',
      'environment of every container (before each service’s own `environment`)',
      `${out.env.size} variable(s)`,
    );
  };
  for (const e of mapEntries(doc, root)) {
    if (e.key === 'data') {
      for (const d of mapEntries(doc, e.value)) {
        const k = `data.${d.key}`;
        if (d.key === 'defaultDeviceType') {
          out.defaultDeviceType = str(js(doc, d.value));
          add(
            k,
            d.keyNode,
            'mapped',
            'target device type → `_hostconfig/pvr/docker.json` platforms',
            out.defaultDeviceType,
          );
        } else if (d.key === 'applicationEnvironmentVariables') envFrom(d.value, k);
        else if (d.key === 'supportedDeviceTypes')
          add(k, d.keyNode, 'mapped', 'the default target when there is only one', '');
        else if (d.key === 'applicationConfigVariables')
          add(
            k,
            d.keyNode,
            'dropped',
            '',
            '',
            'Device configuration (config.txt, `BALENA_HOST_CONFIG_*`) belongs to the BSP on Pantavisor, not to an app revision.',
          );
        else add(k, d.keyNode, 'dropped', '', '', 'Only used by balenaCloud.');
      }
    } else if (e.key === 'applicationEnvironmentVariables') envFrom(e.value, e.key);
    else if (e.key === 'name')
      add(e.key, e.keyNode, 'mapped', 'the commit message and built image names', str(js(doc, e.value)));
    else add(e.key, e.keyNode, 'dropped', '', '', 'Fleet metadata for balenaHub and balenaCloud.');
  }
  if (!out.defaultDeviceType) {
    const sup = js(
      doc,
      mapEntries(doc, mapEntries(doc, root).find((x) => x.key === 'data')?.value).find(
        (x) => x.key === 'supportedDeviceTypes',
      )?.value,
    );
    if (Array.isArray(sup) && sup.length === 1) out.defaultDeviceType = str(sup[0]);
  }
  return out;
}

/** Every label the table knows, for completeness checks. */
export const KNOWN_LABELS: readonly string[] = BALENA_LABELS.map((l) => l.label);
