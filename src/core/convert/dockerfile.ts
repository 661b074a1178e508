import { joinRel, type ComposeProject } from '../compose/ComposeProject';
import type { BalenaArch } from './deviceTypes';

/** Which Dockerfile balena would build for a service, and why. */
export interface ResolvedDockerfile {
  /** Project-relative path of the Dockerfile used. */
  path: string;
  /** True for `Dockerfile.template`: `%%BALENA_*%%` variables were substituted. */
  template: boolean;
  /** The Dockerfile text to build (after substitution). */
  text: string;
  /** The names tried, in balena's order, for the report. */
  tried: string[];
  /** `%%BALENA_*%%` variables that had no value (left in the text). */
  unresolved: string[];
}

/** Values for the `%%BALENA_*%%` build variables. */
export interface BuildVariables {
  appName: string;
  serviceName: string;
  deviceType?: string;
  arch?: BalenaArch;
  /** balena passes the release hash; pvkit passes a hash of the project files (stable on re-runs). */
  releaseHash: string;
}

/**
 * Resolves the Dockerfile of a build context the way balena's builder does
 * (pantavisor-format.md §6): an explicit `build.dockerfile` wins; otherwise
 * `Dockerfile.<device-type>`, `Dockerfile.<arch>`, `Dockerfile.template`, `Dockerfile`.
 */
export function resolveDockerfile(
  project: ComposeProject,
  context: string,
  explicit: string | undefined,
  vars: BuildVariables,
): ResolvedDockerfile | { error: string; tried: string[] } {
  const names = explicit
    ? [explicit]
    : [
        ...(vars.deviceType ? [`Dockerfile.${vars.deviceType}`] : []),
        ...(vars.arch ? [`Dockerfile.${vars.arch}`] : []),
        'Dockerfile.template',
        'Dockerfile',
      ];
  for (const n of names) {
    const path = joinRel(context, n);
    if (project.stat(path) !== 'file') continue;
    const raw = project.read(path);
    if (raw === undefined) return { error: `${path} cannot be read`, tried: names };
    // balena substitutes variables in any file named Dockerfile.template, also via build.dockerfile.
    const template = n.endsWith('.template');
    if (!template) return { path, template, text: raw, tried: names, unresolved: [] };
    const { text, unresolved } = substituteBuildVariables(raw, vars);
    return { path, template, text, tried: names, unresolved };
  }
  return {
    error: `no Dockerfile in ${context === '.' ? 'the project folder' : context} (tried ${names.join(', ')})`,
    tried: names,
  };
}

/** Replaces `%%BALENA_*%%` (and the legacy `%%RESIN_*%%`) variables; unknown ones stay. */
export function substituteBuildVariables(
  text: string,
  vars: BuildVariables,
): { text: string; unresolved: string[] } {
  const values: Record<string, string | undefined> = {
    APP_NAME: vars.appName,
    ARCH: vars.arch,
    MACHINE_NAME: vars.deviceType,
    RELEASE_HASH: vars.releaseHash,
    SERVICE_NAME: vars.serviceName,
  };
  const unresolved = new Set<string>();
  const out = text.replace(/%%(BALENA|RESIN)_([A-Z_]+)%%/g, (whole, _p: string, name: string) => {
    const v = values[name];
    if (v === undefined) {
      unresolved.add(whole);
      return whole;
    }
    return v;
  });
  return { text: out, unresolved: [...unresolved].sort() };
}
