import { isMap, isScalar } from 'yaml';
import { deref, mapEntries, mapGet, scalarString, type YamlNode } from '../parse/parseYaml';
import { CODES } from './codes';
import { joinRel } from './ComposeProject';
import { BALENA_BUILD_VARIABLES, fieldInfo } from './mapping';
import type { RuleContext } from './validateCompose';

const DOCKERFILE = /^Dockerfile(\..+)?$/;
const KNOWN_VARIABLES = new Set([
  ...BALENA_BUILD_VARIABLES,
  // The pre-rename names still work on balena's builders.
  ...BALENA_BUILD_VARIABLES.map((v) => v.replace(/^BALENA_/, 'RESIN_')),
]);

/** Where a diagnostic on another file of the project goes: beside the compose file. */
function siblingPath(composePath: string, rel: string): string {
  const dir = composePath.replace(/[^/\\]*$/, '');
  return dir + rel;
}

/**
 * Checks `build`: balena's build field restrictions, that the context folder exists, that it
 * holds a Dockerfile balena can use, and the `%%BALENA_*%%` variables of `Dockerfile.template`.
 */
export function checkBuild(ctx: RuleContext, service: string, build: YamlNode | null): void {
  const { doc } = ctx;
  let contextNode: YamlNode | null = null;
  let dockerfileNode: YamlNode | null = null;
  if (isScalar(build)) {
    contextNode = build;
  } else if (isMap(build)) {
    for (const e of mapEntries(doc, build)) {
      if (e.key.startsWith('x-')) continue;
      const info = fieldInfo(`service.build.${e.key}`);
      if (info && ctx.balena && info.status === 'rejected') {
        const msg =
          e.key === 'secrets'
            ? 'balena rejects `build.secrets`: use build secrets in `.balena/balena.yml` instead.'
            : `balena rejects \`services.${service}.build.${e.key}\`; the release build fails. Remove it.`;
        ctx.report(e.keyNode, 'error', CODES.rejected, msg);
      }
      if (e.key === 'context') contextNode = deref(doc, e.value);
      if (e.key === 'dockerfile') dockerfileNode = deref(doc, e.value);
    }
  } else {
    return;
  }
  const context = isScalar(contextNode) && contextNode.value !== null ? scalarString(contextNode.value) : '.';
  const where = contextNode ?? mapGet(doc, build, 'context')?.keyNode ?? build;
  if (/^([a-z]+:\/\/|git@)|\.git(#.*)?$/i.test(context)) {
    if (ctx.balena)
      ctx.report(
        where,
        'error',
        CODES.remoteContext,
        `balena cannot build from a remote context ("${context}"): put the sources in a subfolder of the project.`,
      );
    return;
  }
  const project = ctx.project;
  if (!project) return;
  const dir = joinRel(ctx.baseDir, context);
  if (dir.startsWith('..') && ctx.balena) {
    ctx.report(
      where,
      'error',
      CODES.contextMissing,
      `Build context "${context}" is outside the project folder; balena only sends the project folder to its builders.`,
    );
    return;
  }
  if (project.stat(dir) !== 'dir') {
    ctx.report(
      where,
      'error',
      CODES.contextMissing,
      `Build context "${context}" of service ${service} does not exist (looked for folder ${dir}).` +
        (/^[a-z0-9.-]+\/[a-z0-9._/-]+(:[\w.-]+)?$/.test(context)
          ? ` It looks like an image name: write \`image: ${context}\` instead of \`build\`.`
          : ''),
    );
    return;
  }
  const names = project.list(dir) ?? [];
  if (isScalar(dockerfileNode) && dockerfileNode.value !== null) {
    const df = scalarString(dockerfileNode.value);
    if (project.stat(joinRel(dir, df)) !== 'file')
      ctx.report(
        dockerfileNode,
        'error',
        CODES.dockerfileMissing,
        `Dockerfile "${df}" not found in build context ${dir}.`,
      );
  } else {
    const usable = names.filter((n) => DOCKERFILE.test(n) || (ctx.balena && n === 'package.json'));
    if (usable.length === 0) {
      ctx.report(
        where,
        'error',
        CODES.dockerfileMissing,
        ctx.balena
          ? `No Dockerfile in build context ${dir}: balena looks for Dockerfile.<device-type>, Dockerfile.<arch>, Dockerfile.template, Dockerfile or package.json.`
          : `No Dockerfile in build context ${dir}.`,
      );
    }
  }
  if (!ctx.balena) return;
  for (const n of names.filter((x) => x.endsWith('.template') && DOCKERFILE.test(x))) {
    const rel = joinRel(dir, n);
    const text = project.read(rel);
    if (text === undefined) continue;
    const re = /%%([A-Za-z0-9_]+)%%/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text))) {
      const name = m[1] ?? '';
      if (KNOWN_VARIABLES.has(name)) continue;
      ctx.reportRange(
        m.index,
        m.index + m[0].length,
        'warning',
        CODES.unknownBuildVariable,
        `balena does not define %%${name}%%; it stays in the Dockerfile literally. Known: ${BALENA_BUILD_VARIABLES.map((v) => `%%${v}%%`).join(', ')}.`,
        undefined,
        siblingPath(ctx.file, rel),
      );
    }
  }
}
