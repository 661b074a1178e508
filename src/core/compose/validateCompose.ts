import { isMap, isScalar, isSeq, type Document, type Scalar } from 'yaml';
import type { ValidateFunction } from 'ajv';
import type { CoreDiagnostic, Severity } from '../diagnostics';
import { normalizeDiagnostics } from '../diagnostics';
import {
  deref,
  scalarString,
  mapEntries,
  mapGet,
  parseYaml,
  seqItems,
  type ParsedYaml,
  type YamlNode,
} from '../parse/parseYaml';
import { createAjv } from '../schema/schemaSet';
import composeSchema from '../../../schemas/balena-compose.schema.json';
import balenaYmlSchema from '../../../schemas/balena-yml.schema.json';
import { CODES, COMPOSE_SOURCE, GENERIC_CODES } from './codes';
import type { ComposeProject } from './ComposeProject';
import { joinRel } from './ComposeProject';
import { yamlSchemaDiagnostics } from './yamlSchemaDiagnostics';
import {
  describeOutcome,
  fieldInfo,
  type ComposeFieldInfo,
  type PantavisorOutcome,
  type PvSeverity,
} from './mapping';
import { checkLabels } from './labelRules';
import { checkBuild } from './buildRules';
import { bindToNamedFix, removePairFix, quoteFix, type Fix } from './fixes';

/** `balena`: full balena + Pantavisor rules; `plain`: only what any compose user wants; `auto`: detect. */
export type ComposeMode = 'auto' | 'balena' | 'plain';

/** How many Pantavisor convertibility notes to show. */
export type PantavisorNotes = 'all' | 'warnings' | 'off';

export interface ComposeValidationOptions {
  /** Path of the compose file as the caller names it; diagnostics carry it as `file`. */
  composePath: string;
  composeText: string;
  /** The project folder around the compose file; without it, file checks are skipped. */
  project?: ComposeProject;
  /** Text of balena.yml when the caller already has it (else read through `project`). */
  balenaYmlText?: string;
  /** Path to report balena.yml diagnostics on (default `balena.yml` beside the compose file). */
  balenaYmlPath?: string;
  mode?: ComposeMode;
  /** False when another extension (Red Hat YAML) already reports syntax and generic schema errors. */
  genericDiagnostics?: boolean;
  pantavisorNotes?: PantavisorNotes;
}

export interface ComposeValidationResult {
  diagnostics: CoreDiagnostic[];
  /** Whether balena rules were applied (a balena project or `mode: 'balena'`). */
  balena: boolean;
  parsed: ParsedYaml;
}

let composeValidator: ValidateFunction | undefined;
let balenaYmlValidator: ValidateFunction | undefined;

function validators(): { compose: ValidateFunction; balenaYml: ValidateFunction } {
  if (!composeValidator || !balenaYmlValidator) {
    const ajv = createAjv();
    composeValidator = ajv.compile(composeSchema);
    balenaYmlValidator = ajv.compile(balenaYmlSchema);
  }
  return { compose: composeValidator, balenaYml: balenaYmlValidator };
}

/** The mutable state the rules share while checking one file. */
export interface RuleContext {
  doc: Document;
  text: string;
  file: string;
  project: ComposeProject | undefined;
  /** Folder of the compose file, relative to the project root (`.`). */
  baseDir: string;
  balena: boolean;
  notes: PantavisorNotes;
  out: CoreDiagnostic[];
  report(
    node: YamlNode | null | undefined,
    severity: Severity,
    code: string,
    message: string,
    fix?: Fix,
    file?: string,
  ): void;
  reportRange(
    start: number,
    end: number,
    severity: Severity,
    code: string,
    message: string,
    fix?: Fix,
    file?: string,
  ): void;
  /** The Pantavisor note for a table row, on `node`. */
  pvNote(
    target: YamlNode | { start: number; end: number } | null | undefined,
    what: string,
    outcome: PantavisorOutcome,
    severity: PvSeverity,
  ): void;
}

/**
 * Validates one compose file of a balena project: YAML syntax, the balena compose schema, what
 * balena rejects (errors) and drops or ignores (warnings), YAML traps, build contexts and
 * Dockerfiles, and how each field converts to Pantavisor. Pure: every file access goes through
 * `project`. Offsets are UTF-16 offsets into `composeText`.
 */
export function validateCompose(opts: ComposeValidationOptions): ComposeValidationResult {
  const { composePath: file, composeText: text, project } = opts;
  const parsed = parseYaml(text);
  const { doc } = parsed;
  const out: CoreDiagnostic[] = [];
  const ctx: RuleContext = {
    doc,
    text,
    file,
    project,
    baseDir: '.',
    balena: false,
    notes: opts.pantavisorNotes ?? 'all',
    out,
    reportRange(start, end, severity, code, message, fix, onFile) {
      const d: CoreDiagnostic = {
        file: onFile ?? file,
        start,
        end: Math.max(end, start),
        severity,
        code,
        message,
        source: COMPOSE_SOURCE,
      };
      if (fix) d.data = { fix };
      out.push(d);
    },
    report(node, severity, code, message, fix, onFile) {
      const r = node?.range;
      this.reportRange(r ? r[0] : 0, r ? r[1] : 0, severity, code, message, fix, onFile);
    },
    pvNote(target, what, outcome, severity) {
      if (!this.balena || severity === 'none' || this.notes === 'off' || !target) return;
      if (severity === 'info' && this.notes === 'warnings') return;
      const [start, end] = 'start' in target ? [target.start, target.end] : (target.range ?? [0, 0]);
      this.reportRange(
        start,
        end,
        severity === 'warning' ? 'warning' : 'info',
        outcome.kind === 'dropped' ? CODES.pvDropped : CODES.pvNote,
        `Pantavisor (${what}): ${describeOutcome(outcome)}`,
      );
    },
  };

  for (const e of parsed.errors) {
    ctx.reportRange(e.start, e.end, e.severity, CODES.syntax, `YAML: ${e.message}`);
  }

  const root = deref(doc, doc.contents);
  const balenaYml = opts.balenaYmlText ?? project?.read('balena.yml') ?? project?.read('.balena/balena.yml');
  ctx.balena =
    opts.mode === 'balena' ||
    (opts.mode !== 'plain' && isBalenaProject(text, project, balenaYml !== undefined, doc, root));

  if (root && !isMap(root)) {
    ctx.report(root, 'error', CODES.notMapping, 'A compose file must be a mapping with a `services` key.');
  } else if (root) {
    const value = toJsOrReport(doc, text, (start, end, message) =>
      ctx.reportRange(start, end, 'error', CODES.syntax, message),
    );
    const validate = validators().compose;
    if (value.ok && !validate(value.value)) {
      out.push(...yamlSchemaDiagnosticsFor(validate, doc, file, CODES.schema));
    }
    checkTopLevel(ctx, root);
  }

  if (ctx.balena && balenaYml !== undefined && opts.balenaYmlText === undefined && project) {
    out.push(...validateBalenaYml(balenaYml, opts.balenaYmlPath ?? 'balena.yml'));
  }

  let diagnostics = out;
  if (opts.genericDiagnostics === false) diagnostics = out.filter((d) => !GENERIC_CODES.has(d.code));
  return { diagnostics: normalizeDiagnostics(diagnostics), balena: ctx.balena, parsed };
}

function yamlSchemaDiagnosticsFor(
  v: ValidateFunction,
  doc: Document,
  file: string,
  code: string,
): CoreDiagnostic[] {
  return yamlSchemaDiagnostics(v.errors ?? [], doc, file, code, COMPOSE_SOURCE);
}

/** Validates balena.yml text against its schema; every problem is a warning. */
export function validateBalenaYml(text: string, file: string): CoreDiagnostic[] {
  const parsed = parseYaml(text);
  const out: CoreDiagnostic[] = parsed.errors.map((e) => ({
    file,
    start: e.start,
    end: e.end,
    severity: e.severity,
    code: CODES.balenaYmlSyntax,
    message: `YAML: ${e.message}`,
    source: COMPOSE_SOURCE,
  }));
  if (parsed.doc.contents) {
    const v = validators().balenaYml;
    const value = toJsOrReport(parsed.doc, text, (start, end, message) =>
      out.push({
        file,
        start,
        end,
        severity: 'error',
        code: CODES.balenaYmlSyntax,
        message,
        source: COMPOSE_SOURCE,
      }),
    );
    if (value.ok && !v(value.value))
      // balena's builder does not read balena.yml; only balenaHub and the Deploy button do, so
      // every schema problem here is a warning.
      out.push(
        ...yamlSchemaDiagnostics(v.errors ?? [], parsed.doc, file, CODES.balenaYmlSchema, COMPOSE_SOURCE).map(
          (d) => ({
            ...d,
            severity: 'warning' as const,
            message: `${d.message} (balenaHub and the Deploy button read this file)`,
          }),
        ),
      );
  }
  return normalizeDiagnostics(out);
}

/**
 * Converts the document to plain data for the schema. `yaml` throws here for problems it does not
 * report while parsing (an alias to an anchor defined later, alias bombs); those become one
 * diagnostic on the alias instead of a crash.
 */
function toJsOrReport(
  doc: Document,
  text: string,
  report: (start: number, end: number, message: string) => void,
): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: 1000 }) };
  } catch (e) {
    const message = (e as Error).message;
    const name = /alias[^:]*: (\S+)/i.exec(message)?.[1];
    const at = name ? text.indexOf(`*${name}`) : -1;
    report(Math.max(at, 0), at >= 0 ? at + 1 + (name?.length ?? 0) : 0, `YAML: ${message}`);
    return { ok: false };
  }
}

/**
 * A balena project has a balena.yml, `io.balena`/`io.resin` labels, or a `Dockerfile.template`
 * in one of its build contexts. Anything else is treated as a plain compose file.
 */
function isBalenaProject(
  text: string,
  project: ComposeProject | undefined,
  hasBalenaYml: boolean,
  doc: Document,
  root: YamlNode | null,
): boolean {
  if (hasBalenaYml || /io\.(balena|resin)\./.test(text)) return true;
  if (!project) return false;
  for (const svc of mapEntries(doc, mapGet(doc, root, 'services')?.value)) {
    const build = deref(doc, mapGet(doc, svc.value, 'build')?.value);
    const ctxNode = isScalar(build) ? build : deref(doc, mapGet(doc, build, 'context')?.value);
    const context = isScalar(ctxNode) ? String(ctxNode.value) : '.';
    if (project.list(joinRel(context))?.includes('Dockerfile.template')) return true;
  }
  return false;
}

// The supervisor lower-cases and trims the value, then replaces anything else with `always`
// (including Docker's `on-failure:N` retry count).
const RESTART_POLICIES = /^\s*(no|always|unless-stopped|on-failure)\s*$/i;
const YAML11_BOOLEANS =
  /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;

function scalarText(ctx: RuleContext, node: YamlNode | null | undefined): string | undefined {
  const n = deref(ctx.doc, node);
  return isScalar(n) && n.value !== null && n.value !== undefined ? scalarString(n.value) : undefined;
}

function isPlain(n: unknown): boolean {
  return isScalar(n) && (n.type === 'PLAIN' || n.type === undefined);
}

/** Reports the balena status and the Pantavisor note of one field from the table. */
function checkField(
  ctx: RuleContext,
  info: ComposeFieldInfo,
  keyNode: YamlNode,
  where: string,
  value: YamlNode | null,
  merged = false,
): void {
  const name = info.key.replace(/^(service|top|volume|network)\./, '');
  // Entries merged from an anchor are reported once, at the anchor, for every service using it.
  const label = info.key.startsWith('top.') || merged ? name : `${where}.${name}`;
  if (ctx.balena) {
    const reason = info.statusReason ? `: ${info.statusReason}` : '';
    switch (info.status) {
      case 'rejected':
        ctx.report(
          keyNode,
          'error',
          CODES.rejected,
          `balena rejects \`${label}\`${reason || '; the release build fails'}. Remove it.`,
        );
        return;
      case 'dropped':
        ctx.report(
          keyNode,
          'warning',
          CODES.dropped,
          `balena removes \`${label}\` from the composition${reason}.`,
          removePairFix(ctx, keyNode, value, `Remove \`${name}\``),
        );
        break;
      case 'ignored':
        ctx.report(keyNode, 'warning', CODES.ignored, `balena ignores \`${label}\`${reason}.`);
        break;
      case 'supported':
        break;
    }
  }
  ctx.pvNote(keyNode, name, info.pantavisor, info.pvSeverity);
}

function checkTopLevel(ctx: RuleContext, root: YamlNode): void {
  const { doc } = ctx;
  const entries = mapEntries(doc, root);
  const volumesNode = entries.find((e) => e.key === 'volumes')?.value ?? null;
  const declaredVolumes = new Set(mapEntries(doc, volumesNode).map((e) => e.key));
  for (const e of entries) {
    if (e.key.startsWith('x-')) continue;
    const info = fieldInfo(`top.${e.key}`);
    if (info && e.key !== 'services' && e.key !== 'volumes' && e.key !== 'networks')
      checkField(ctx, info, e.keyNode, '', e.value);
    if (e.key === 'version' && ctx.balena) {
      const v = scalarText(ctx, e.value);
      if (v && /^3/.test(v))
        ctx.report(
          e.value,
          'warning',
          CODES.version,
          `Compose format ${v}: balena follows format 2.4, and fields introduced in format 3 (\`deploy\`, long-syntax volumes, configs, secrets) are not supported. Use \`version: '2.4'\`.`,
        );
    }
  }
  if (ctx.balena) {
    for (const v of mapEntries(doc, volumesNode)) checkNamedVolume(ctx, v.key, v.value);
    for (const n of mapEntries(doc, entries.find((e) => e.key === 'networks')?.value))
      checkNetwork(ctx, n.key, n.value);
  }
  for (const svc of mapEntries(doc, entries.find((e) => e.key === 'services')?.value)) {
    if (!isMap(deref(doc, svc.value))) continue;
    checkService(ctx, svc.key, svc.value as YamlNode, declaredVolumes);
  }
  if (ctx.balena) checkInterpolation(ctx, root);
}

function checkNamedVolume(ctx: RuleContext, name: string, value: YamlNode | null): void {
  for (const e of mapEntries(ctx.doc, value)) {
    const info = fieldInfo(`volume.${e.key}`);
    if (info) checkField(ctx, info, e.keyNode, `volumes.${name}`, e.value);
    if (e.key === 'driver') {
      const d = scalarText(ctx, e.value);
      if (d !== undefined && d !== 'local' && d !== 'default')
        ctx.report(
          e.value,
          'error',
          CODES.rejected,
          `balena supports only the "local" and "default" volume drivers, got "${d}". Remove \`driver\`.`,
        );
    }
  }
}

function checkNetwork(ctx: RuleContext, name: string, value: YamlNode | null): void {
  const { doc } = ctx;
  for (const e of mapEntries(doc, value)) {
    const info = fieldInfo(`network.${e.key}`);
    if (info) checkField(ctx, info, e.keyNode, `networks.${name}`, e.value);
    if (e.key === 'driver') {
      const d = scalarText(ctx, e.value);
      if (d !== undefined && d !== 'bridge' && d !== 'default')
        ctx.report(
          e.value,
          'error',
          CODES.rejected,
          `balena supports only the "bridge" and "default" network drivers, got "${d}".`,
        );
    } else if (e.key === 'ipam') {
      for (const c of seqItems(doc, mapGet(doc, e.value, 'config')?.value)) {
        const aux = mapGet(doc, c, 'aux_addresses');
        if (aux)
          ctx.report(
            aux.keyNode,
            'error',
            CODES.rejected,
            'balena does not support `ipam.config.aux_addresses`. Remove it.',
          );
      }
    } else if (e.key === 'driver_opts') {
      const bridge = mapGet(doc, e.value, 'com.docker.network.bridge.name');
      if (bridge)
        ctx.report(
          bridge.keyNode,
          'warning',
          CODES.dangerousValue,
          '`com.docker.network.bridge.name` may interfere with the device firewall on balena.',
        );
    }
  }
}

const ALLOWED_BIND_SOURCES: Readonly<Record<string, string>> = {
  '/var/run/docker.sock': 'io.balena.features.balena-socket',
  '/var/run/balena-engine.sock': 'io.balena.features.balena-socket',
  '/var/run/balena.sock': 'io.balena.features.balena-socket',
  '/run/dbus': 'io.balena.features.dbus',
  '/sys': 'io.balena.features.sysfs',
  '/proc': 'io.balena.features.procfs',
  '/lib/modules': 'io.balena.features.kernel-modules',
  '/lib/firmware': 'io.balena.features.firmware',
  '/var/log/journal': 'io.balena.features.journal-logs',
  '/run/log/journal': 'io.balena.features.journal-logs',
  '/etc/machine-id': 'io.balena.features.journal-logs',
};

function checkService(ctx: RuleContext, name: string, svc: YamlNode, declaredVolumes: Set<string>): void {
  const { doc } = ctx;
  const where = `services.${name}`;
  const entries = mapEntries(doc, svc);
  const networkMode = scalarText(ctx, entries.find((e) => e.key === 'network_mode')?.value);
  for (const e of entries) {
    if (e.key.startsWith('x-')) continue;
    const info = fieldInfo(`service.${e.key}`);
    // Host networking is what Pantavisor does by default: nothing to say about it.
    const quiet = e.key === 'network_mode' && networkMode === 'host';
    if (info)
      checkField(ctx, quiet ? { ...info, pvSeverity: 'none' } : info, e.keyNode, where, e.value, e.merged);
    const v = deref(doc, e.value);
    const text = scalarText(ctx, e.value);
    switch (e.key) {
      case 'volumes':
        checkServiceVolumes(ctx, where, v, declaredVolumes);
        break;
      case 'labels':
        if (ctx.balena) checkLabels(ctx, v);
        break;
      case 'build':
        checkBuild(ctx, name, v);
        break;
      default:
        if (ctx.balena) checkServiceValue(ctx, where, e.key, e.keyNode, e.value, v, text, networkMode);
    }
  }
}

function checkServiceValue(
  ctx: RuleContext,
  where: string,
  key: string,
  keyNode: YamlNode,
  raw: YamlNode | null,
  v: YamlNode | null,
  text: string | undefined,
  networkMode: string | undefined,
): void {
  const { doc } = ctx;
  switch (key) {
    case 'restart': {
      if (
        isScalar(v) &&
        isPlain(v) &&
        (typeof v.value === 'boolean' || YAML11_BOOLEANS.test(ctx.text.slice(v.range?.[0], v.range?.[1])))
      ) {
        const src = ctx.text.slice(v.range?.[0], v.range?.[1]);
        const falsy = /^(false|off|n|no)$/i.test(src);
        ctx.report(
          v,
          'warning',
          CODES.restartBoolean,
          `Unquoted \`${src}\` is the boolean ${falsy ? 'false' : 'true'} in YAML 1.1, which docker-compose and older balena tools use; the supervisor then falls back to \`always\`. ${falsy ? 'Write `restart: "no"`.' : 'Write `restart: always` or `restart: "no"`.'}`,
          // Only the false spellings have a certain fix: they can only have meant "no".
          falsy ? quoteFix(ctx, v, 'no') : undefined,
        );
      } else if (text !== undefined && !RESTART_POLICIES.test(text)) {
        ctx.report(
          v,
          'warning',
          CODES.restartUnknown,
          `Unknown restart policy "${text}": balena's supervisor replaces it with \`always\`. Use one of "no", "always", "on-failure", "unless-stopped".`,
        );
      }
      break;
    }
    case 'network_mode':
      if (text?.startsWith('container:'))
        ctx.report(
          v,
          'error',
          CODES.rejected,
          'balena rejects `network_mode: container:…`; use `service:<name>` or `host`.',
        );
      else if (text !== undefined && !/^(bridge|host|none|service:.+)$/.test(text))
        ctx.report(
          v,
          'warning',
          CODES.ignored,
          `balena supports only \`bridge\`, \`host\`, \`none\` and \`service:<name>\` for network_mode, got "${text}".`,
        );
      break;
    case 'pid':
      if (text?.startsWith('container:'))
        ctx.report(
          v,
          'error',
          CODES.rejected,
          'balena rejects `pid: container:…`; only `host` is supported.',
        );
      break;
    case 'ipc':
      if (text && /^(service|container):/.test(text))
        ctx.report(
          v,
          'error',
          CODES.rejected,
          `balena rejects \`ipc: ${text}\`; use \`host\`, \`shareable\` or \`private\`.`,
        );
      break;
    case 'volumes_from':
      for (const item of seqItems(doc, v)) {
        if (scalarText(ctx, item)?.startsWith('container:'))
          ctx.report(
            item,
            'error',
            CODES.rejected,
            'balena rejects `volumes_from` entries that reference a container; name a service.',
          );
      }
      break;
    case 'security_opt':
      for (const item of seqItems(doc, v)) {
        const s = scalarText(ctx, item) ?? '';
        if (!/^(no-new-privileges([:=](true|false))?|(apparmor|seccomp)[:=]unconfined)$/.test(s))
          ctx.report(
            item,
            'error',
            CODES.rejected,
            `balena allows only \`no-new-privileges\` and unconfined apparmor or seccomp in security_opt, got "${s}".`,
          );
      }
      break;
    case 'devices':
      for (const item of seqItems(doc, v)) {
        const s = scalarText(ctx, item) ?? '';
        if (/^[a-z0-9.-]+\.[a-z]+\/[a-zA-Z0-9._-]+=/.test(s))
          ctx.report(
            item,
            'error',
            CODES.rejected,
            `balena rejects CDI device names ("${s}"); give the device path, e.g. \`/dev/dri:/dev/dri\`.`,
          );
      }
      break;
    case 'pids_limit':
      if (isScalar(v) && typeof v.value === 'number' && v.value < 0)
        ctx.report(
          v,
          'error',
          CODES.rejected,
          'balena rejects a negative `pids_limit`; remove it for no limit.',
        );
      break;
    case 'oom_score_adj':
      if (isScalar(v) && typeof v.value === 'number' && v.value < -900)
        ctx.report(
          v,
          'warning',
          CODES.dangerousValue,
          '`oom_score_adj` under -900 may break device functionality (the supervisor and OS services get killed first).',
        );
      break;
    case 'profiles':
      for (const item of seqItems(doc, v)) {
        const s = scalarText(ctx, item) ?? '';
        if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(s))
          ctx.report(
            item,
            'error',
            CODES.rejected,
            `"${s}" is not a valid profile name (letters, digits, \`_\`, \`.\`, \`-\`).`,
          );
      }
      break;
    case 'ports':
      if (networkMode === 'host')
        ctx.report(
          keyNode,
          'warning',
          CODES.portsHost,
          'balena ignores `ports` under `network_mode: host`: the service already listens on the host network.',
          removePairFix(ctx, keyNode, raw, 'Remove `ports`'),
        );
      for (const item of seqItems(doc, v)) checkPort(ctx, item);
      break;
    case 'depends_on':
      for (const dep of mapEntries(doc, v)) {
        const cond = mapGet(doc, dep.value, 'condition');
        const c = scalarText(ctx, cond?.value);
        if (cond && c !== 'service_started')
          ctx.report(
            cond.value ?? cond.keyNode,
            'error',
            CODES.rejected,
            `balena supports only \`condition: service_started\` in depends_on (got "${c ?? ''}"); use the short form \`- ${dep.key}\`.`,
          );
      }
      break;
    case 'networks':
      for (const n of mapEntries(doc, v)) {
        const lli = mapGet(doc, n.value, 'link_local_ips');
        if (lli)
          ctx.report(
            lli.keyNode,
            'error',
            CODES.rejected,
            'balena does not support `link_local_ips`. Remove it.',
          );
      }
      break;
    case 'extends': {
      const f = scalarText(ctx, mapGet(doc, v, 'file')?.value);
      if (f && ctx.project && ctx.project.stat(joinRel(ctx.baseDir, f)) !== 'file')
        ctx.report(
          mapGet(doc, v, 'file')?.value,
          'error',
          CODES.extendsMissing,
          `extends.file "${f}" does not exist next to ${where}'s compose file.`,
        );
      break;
    }
    default:
      break;
  }
}

function checkPort(ctx: RuleContext, item: YamlNode): void {
  const { doc } = ctx;
  const n = deref(doc, item);
  if (isMap(n)) {
    for (const e of mapEntries(doc, n)) {
      if (e.key === 'name' || e.key === 'app_protocol' || e.key === 'mode')
        ctx.report(
          e.keyNode,
          'warning',
          CODES.portFieldDropped,
          `balena removes \`ports.${e.key}\` from the composition.`,
          removePairFix(ctx, e.keyNode, e.value, `Remove \`${e.key}\``),
        );
      if (e.key === 'protocol') {
        const p = scalarText(ctx, e.value);
        if (p && !/^(tcp|udp|sctp)$/.test(p))
          ctx.report(e.value, 'error', CODES.rejected, `Invalid port protocol "${p}": use tcp, udp or sctp.`);
      }
    }
    return;
  }
  const s = scalarText(ctx, n);
  const m = s ? /\/([^/]*)$/.exec(s) : null;
  if (m && !/^(tcp|udp|sctp)$/.test(m[1] ?? ''))
    ctx.report(
      n,
      'error',
      CODES.rejected,
      `Invalid port protocol "${m[1] ?? ''}" in "${s ?? ''}": use tcp, udp or sctp.`,
    );
}

function checkServiceVolumes(
  ctx: RuleContext,
  where: string,
  v: YamlNode | null,
  declared: Set<string>,
): void {
  const { doc } = ctx;
  for (const item of seqItems(doc, v)) {
    const n = deref(doc, item);
    if (isMap(n)) {
      if (!ctx.balena) continue;
      const type = scalarText(ctx, mapGet(doc, n, 'type')?.value) ?? 'volume';
      const source = scalarText(ctx, mapGet(doc, n, 'source')?.value);
      if (type === 'bind' && source && ALLOWED_BIND_SOURCES[source]) {
        ctx.report(
          n,
          'warning',
          CODES.featureBindMount,
          `Bind mount of ${source}: prefer the label \`${ALLOWED_BIND_SOURCES[source]}: '1'\`.`,
        );
      } else if (type !== 'volume' && type !== 'tmpfs') {
        ctx.report(
          mapGet(doc, n, 'type')?.value ?? n,
          'error',
          CODES.volumeType,
          `balena rejects volumes of type "${type}" in ${where}: only named volumes are supported. Declare a named volume under top-level \`volumes\`.`,
        );
      } else if (mapGet(doc, n, 'volume') || mapGet(doc, n, 'tmpfs') || mapGet(doc, n, 'bind')) {
        ctx.report(
          n,
          'error',
          CODES.longVolume,
          `balena rejects long-syntax volumes with \`${type}\` options in ${where}; use the short syntax \`name:/path[:ro]\` (tmpfs options go in \`tmpfs:\`).`,
        );
      } else if (type === 'volume' && (!source || !scalarText(ctx, mapGet(doc, n, 'target')?.value))) {
        ctx.report(
          n,
          'error',
          CODES.volumeIncomplete,
          `A volume in ${where} must specify source and target.`,
        );
      } else {
        ctx.report(
          n,
          'info',
          CODES.longVolume,
          `balena documents only the short volume syntax (its builder converts this one); you can write \`${source ?? ''}:${scalarText(ctx, mapGet(doc, n, 'target')?.value) ?? ''}\`.`,
        );
        if (type === 'volume' && source && !declared.has(source))
          ctx.report(
            mapGet(doc, n, 'source')?.value,
            'error',
            CODES.undefinedVolume,
            `Volume "${source}" is not declared under top-level \`volumes\`.`,
          );
      }
      continue;
    }
    const s = scalarText(ctx, n);
    if (s === undefined) continue;
    const parts = s.split(':');
    const src = parts[0] ?? '';
    if (parts.length === 1) {
      if (ctx.balena)
        ctx.report(
          n,
          'error',
          CODES.volumeIncomplete,
          `"${s}" has no volume name: balena needs \`name:/path\` (anonymous volumes are not supported). Declare a named volume.`,
        );
      continue;
    }
    if (/^[./~]/.test(src) || /^\$\{?[A-Za-z_]/.test(src)) {
      if (!ctx.balena) continue;
      const feature = ALLOWED_BIND_SOURCES[src.replace(/\/$/, '')];
      if (feature) {
        ctx.report(
          n,
          'warning',
          CODES.featureBindMount,
          `Bind mount of ${src}: balena converts it to the label \`${feature}\` only when all mounts of that feature are present; set \`${feature}: '1'\` instead.`,
        );
      } else {
        const name = volumeNameFor(src);
        ctx.report(
          n,
          'error',
          CODES.bindMount,
          `balena does not support bind mounts ("${src}"): use a named volume, e.g. \`${name}:${parts[1] ?? ''}\`, and declare it under top-level \`volumes\`.`,
          bindToNamedFix(ctx, n as Scalar, src, name, declared),
        );
      }
      continue;
    }
    if (!declared.has(src))
      ctx.report(
        n,
        'error',
        CODES.undefinedVolume,
        `Volume "${src}" is not declared under top-level \`volumes\` (add \`${src}:\` there).`,
      );
  }
}

/** A volume name derived from a host path: its last component, cleaned to compose's name rules. */
export function volumeNameFor(hostPath: string): string {
  const last = hostPath.replace(/\/+$/, '').split('/').pop() ?? '';
  const clean = last.replace(/[^a-zA-Z0-9_.-]/g, '-').replace(/^[^a-zA-Z0-9]+/, '');
  return clean || 'data';
}

function checkInterpolation(ctx: RuleContext, root: YamlNode): void {
  const visit = (n: unknown, depth: number): void => {
    if (depth > 64) return;
    if (isScalar(n)) {
      if (typeof n.value !== 'string' || !n.range) return;
      const src = ctx.text.slice(n.range[0], n.range[1]);
      const re = /(^|[^$])\$\{[^}]*\}/g;
      let m: RegExpExecArray | null;
      while ((m = re.exec(src))) {
        const start = n.range[0] + m.index + (m[1] ?? '').length;
        const len = m[0].length - (m[1] ?? '').length;
        ctx.reportRange(
          start,
          start + len,
          'warning',
          CODES.interpolation,
          `balena does not substitute \`${m[0].slice((m[1] ?? '').length)}\` from fleet or device variables: the value is resolved (usually to empty) on the build machine. Set the value directly or read it at run time.`,
        );
      }
    } else if (isMap(n)) {
      for (const p of n.items) visit(p.value, depth + 1);
    } else if (isSeq(n)) {
      for (const i of n.items) visit(i, depth + 1);
    }
  };
  visit(root, 0);
}
