import { decodeSrcJson, foldFieldName, type PvrSource } from './decodeSrcJson';
import { goJson } from './goFormat';
import { GoJsonSyntaxError, byteLineCol, isValidGoJson, parseGoJson, type JsonNode } from './goJsonDecode';
import { isGoMap, toGoValue, type GoValue } from './goValue';
import { renderLxcConf } from './renderLxcConf';
import { renderRunJson } from './renderRunJson';
import {
  TemplateContext,
  TemplateError,
  describe,
  type TemplateCompat,
  type TemplateWarning,
} from './TemplateContext';

export type { TemplateCompat, TemplateWarning } from './TemplateContext';
export type { PvrSource } from './decodeSrcJson';

/**
 * src.json as accepted by {@link renderContainerFiles}:
 * - `Uint8Array` (e.g. a Buffer): the file's bytes, decoded exactly as pvr decodes them (a BOM is an
 *   error, invalid UTF-8 becomes U+FFFD per byte, numbers keep their spelling);
 * - `string`: the file's text; it is UTF-8 encoded first, so it behaves like the same file on disk;
 * - any other value: an already-parsed src.json object (from `JSON.parse`, a converter, ...). It is
 *   serialised the way Go would marshal it and then decoded like a file. JavaScript numbers lose
 *   their spelling (`4.0` becomes `4`); use {@link JsonNumber} values to keep one. Member order does
 *   not matter: pvr visits every object in sorted key order.
 */
export type SrcJsonInput = string | Uint8Array | Record<string, unknown> | Map<string, unknown>;

/** Whether the base app (src.json `base`, when it names another app) can be used. */
export type BaseStatus = 'ok' | 'missing' | 'stale';

export interface RenderOptions {
  /** The app directory name (pvr's `<app>` argument, leading and trailing `/` removed). */
  name: string;
  /** `fixed` (default) corrects pvr's invalid run.json output; `pvr037` reproduces it byte for byte. */
  compat?: TemplateCompat;
  /**
   * The parsed content of the repository's tracked `groups.json`, if there is one: its last
   * group becomes the default group (pvr-template.md §3). Omit when the file is absent or untracked.
   */
  groups?: unknown;
  /**
   * Set by callers that know the repository: the state of the base app named by src.json `base`
   * (only consulted when `base` is set and differs from `name`). pvr needs the base app to exist and
   * its root.squashfs to be current; `stale` fails only in `pvr037` mode, since pvkit never fetches.
   */
  baseStatus?: BaseStatus;
}

/** Why nothing was written, with pvr's exit status for that case. */
export interface RenderFailure {
  /** `decode`: src.json unreadable (2); `source`: a pipeline check before rendering; `template`: a template error (3). */
  stage: 'decode' | 'source' | 'template';
  exitCode: 2 | 3;
  code: string;
  message: string;
  /** Where in src.json (byte offset, and 1-based line/column in bytes), when known. */
  offset?: number;
  line?: number;
  column?: number;
}

export interface RenderResult {
  /** The exact text of `run.json`; undefined when rendering failed. */
  runJson: string | undefined;
  /** The exact text of `lxc.container.conf`; undefined when pvr writes none (data/MOUNTED apps) or on failure. */
  lxcConf: string | undefined;
  warnings: TemplateWarning[];
  error?: RenderFailure;
  /** The decoded src.json (absent when it could not be decoded). */
  source?: PvrSource;
}

/**
 * Renders a container's `run.json` and `lxc.container.conf` from its `src.json` exactly as
 * `pvr app install` (pvr 037, template `builtin-lxc-docker`) writes them; see pvr-template.md for
 * the specification. Pure: the caller reads src.json and groups.json and writes the results.
 * Nothing is returned for a file when pvr would write nothing; a failure returns no file at all
 * (pvr's rendering is all-or-nothing).
 */
export function renderContainerFiles(input: SrcJsonInput, options: RenderOptions): RenderResult {
  const compat = options.compat ?? 'fixed';
  const fail = (e: RenderFailure, source?: PvrSource, warnings: TemplateWarning[] = []): RenderResult => ({
    runJson: undefined,
    lxcConf: undefined,
    warnings,
    error: e,
    ...(source ? { source } : {}),
  });

  // Step 1: decode (pvr exit 2, nothing written).
  let bytes: string | Uint8Array;
  if (typeof input === 'string' || input instanceof Uint8Array) bytes = input;
  else {
    try {
      bytes = goJson(toGoValue(input));
    } catch (e) {
      return fail({ stage: 'decode', exitCode: 2, code: 'src-json-value', message: String(e) });
    }
  }
  let decoded: ReturnType<typeof decodeSrcJson>;
  let tree: JsonNode;
  try {
    tree = parseGoJson(bytes);
    decoded = decodeSrcJson(tree);
  } catch (e) {
    if (!(e instanceof GoJsonSyntaxError)) throw e;
    const { line, col } = byteLineCol(bytes, e.offset);
    const hint = e.offset === 0 && startsWithBom(bytes) ? ' (remove the UTF-8 byte-order mark)' : '';
    return fail({
      stage: 'decode',
      exitCode: 2,
      code: 'src-json-syntax',
      message: `src.json:${line}:${col}: ${e.message}${hint}`,
      offset: e.offset,
      line,
      column: col,
    });
  }
  const src = decoded.source;
  if (decoded.error) {
    const { line, col } = byteLineCol(bytes, decoded.error.offset);
    return fail(
      {
        stage: 'decode',
        exitCode: 2,
        code: 'src-json-type',
        message: `src.json:${line}:${col}: ${decoded.error.message}`,
        offset: decoded.error.offset,
        line,
        column: col,
      },
      src,
    );
  }
  const sourceFail = (code: string, message: string, exitCode: 2 | 3 = 3): RenderResult =>
    fail({ stage: 'source', exitCode, code, message: `src.json: ${message}` }, src);

  if (src.pvr || src.rootfsUrl) {
    return sourceFail(
      'src-unsupported-source',
      'pvr/rootfs_url sources are not rendered by pvkit (docker sources only)',
    );
  }
  // Step 2: docker_source.
  if (src.dockerSource && src.dockerSource.split(',').some((s) => s !== 'remote' && s !== 'local')) {
    return sourceFail(
      'src-docker-source',
      `docker_source "${src.dockerSource}" is invalid: use a comma list of "remote" and "local"`,
    );
  }
  // Step 3: the base app.
  if (src.base && src.base !== options.name) {
    const status = options.baseStatus ?? 'ok';
    if (status === 'missing') {
      return sourceFail(
        'src-base-missing',
        `base app "${src.base}" does not exist in this repository (no ${src.base}/src.json)`,
      );
    }
    if (status === 'stale' && compat === 'pvr037') {
      return sourceFail(
        'src-base-stale',
        `base app "${src.base}" has no up-to-date root.squashfs (root.squashfs.docker-digest differs from its docker_digest); pvr would fetch the image`,
      );
    }
  }
  // Steps 4 and 5: pvr would ask a registry for what is missing; offline that fails.
  if (!src.dockerName) return sourceFail('src-docker-name', 'docker_name is empty: set it to the image name');
  if (!src.dockerConfig) {
    return sourceFail(
      'src-docker-config',
      'docker_config is missing: pvr would fetch the image config from a registry; add the image config (pvkit app update or image import does)',
    );
  }
  // Step 6: pvr type-asserts these two arguments and crashes on anything but a string.
  for (const k of ['PV_GROUP', 'PV_RUNLEVEL']) {
    const v = src.args?.get(k);
    if (v !== undefined && v !== null && typeof v !== 'string') {
      return sourceFail(
        'src-arg-type',
        `args.${k} must be a string, not ${describe(v)} (pvr 037 crashes on it)`,
        2,
      );
    }
  }
  // Step 7.
  if (src.template !== 'builtin-lxc-docker') {
    return sourceFail(
      'src-template',
      src.template
        ? `invalid template "${src.template}": the only template is "builtin-lxc-docker"`
        : 'empty template: set "template": "builtin-lxc-docker"',
    );
  }

  // Step 8: render both, all or nothing.
  const ctx = new TemplateContext(options.name, src, effectiveGroup(src, options.groups), compat);
  let conf: string;
  let run: string;
  try {
    conf = renderLxcConf(ctx);
    run = renderRunJson(ctx);
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    const offset = locateTemplateError(tree, e.message);
    const at = offset === undefined ? undefined : byteLineCol(bytes, offset);
    return fail(
      {
        stage: 'template',
        exitCode: 3,
        code: 'template-error',
        message: at ? `src.json:${at.line}:${at.col}: ${e.message}` : e.message,
        ...(at ? { offset, line: at.line, column: at.col } : {}),
      },
      src,
      ctx.warnings,
    );
  }
  const noValue = conf.split('\n').find((l) => l.includes('<no value>'));
  if (noValue !== undefined) {
    ctx.warn(
      'conf-no-value',
      `lxc.container.conf line "${noValue}" prints a missing or null value as "<no value>" (as pvr does); set the argument it comes from.`,
    );
  }
  if (!isValidGoJson(run) && !ctx.warnings.some((w) => w.code.startsWith('run-json-'))) {
    ctx.warn('run-json-invalid', 'run.json is not valid JSON');
  }
  if (
    options.groups !== undefined &&
    ctx.effectiveGroup &&
    !groupNames(options.groups).includes(ctx.effectiveGroup)
  ) {
    ctx.warn('group-unknown', `group "${ctx.effectiveGroup}" is not defined in groups.json`);
  }
  return { runJson: run, lxcConf: conf === '' ? undefined : conf, warnings: ctx.warnings, source: src };
}

/**
 * Where in src.json the value a template error names (`args.X ...`, `docker_config/config X ...`,
 * `dm_enabled ...`) is: the last top-level member that holds it, `config` before `docker_config`.
 */
function locateTemplateError(tree: JsonNode, message: string): number | undefined {
  const member = (fields: string[], key: string | undefined): number | undefined => {
    if (tree.kind !== 'object') return undefined;
    for (const field of fields) {
      for (const m of [...tree.members].reverse()) {
        if (foldFieldName(m.key) !== field) continue;
        if (key === undefined) return m.value.start;
        if (m.value.kind !== 'object') continue;
        const hit = [...m.value.members].reverse().find((x) => x.key === key);
        if (
          hit &&
          !(
            key !== undefined &&
            field === 'config' &&
            hit.value.kind === 'literal' &&
            hit.value.value === null
          )
        ) {
          return hit.value.start;
        }
      }
    }
    return undefined;
  };
  const arg = /^args\.([^\s:]+)/.exec(message);
  if (arg) return member(['args'], arg[1]);
  const docker = /^docker_config\/config (\w+)/.exec(message);
  if (docker) return member(['config', 'docker_config'], docker[1]);
  if (message.startsWith('dm_enabled')) return member(['dm_enabled'], undefined);
  return undefined;
}

function startsWithBom(b: string | Uint8Array): boolean {
  return typeof b === 'string' ? b.startsWith('\ufeff') : b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
}

function groupNames(groups: unknown): string[] {
  const g = toGoValueSafe(groups);
  if (!Array.isArray(g)) return [];
  return g.flatMap((x) => {
    const n = isGoMap(x) ? x.get('name') : undefined;
    return typeof n === 'string' ? [n] : [];
  });
}

function toGoValueSafe(v: unknown): GoValue | undefined {
  try {
    return toGoValue(v);
  } catch {
    return undefined;
  }
}

/**
 * The group run.json gets (§3): PV_GROUP when set (even `""`, which means none); otherwise, when
 * PV_RUNLEVEL is unset too, the `name` of the last entry of groups.json.
 */
export function effectiveGroup(src: PvrSource, groups: unknown): string | undefined {
  const g = src.args?.get('PV_GROUP');
  if (g !== undefined && g !== null) return typeof g === 'string' ? g : undefined;
  const rl = src.args?.get('PV_RUNLEVEL');
  if (rl !== undefined && rl !== null) return undefined;
  const list = groups === undefined ? undefined : toGoValueSafe(groups);
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const last = list[list.length - 1];
  const name = isGoMap(last) ? last.get('name') : undefined;
  return typeof name === 'string' ? name : undefined;
}
