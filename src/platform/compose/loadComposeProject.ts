import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { CoreDiagnostic } from '../../core/diagnostics';
import { COMPOSE_SOURCE } from '../../core/compose/codes';
import type { ComposeProject } from '../../core/compose/ComposeProject';
import { validateCompose, type ComposeValidationOptions } from '../../core/compose/validateCompose';
import { fsComposeProject } from './fsComposeProject';

/** Compose file names balena and compose look for, in order. */
export const COMPOSE_FILE_NAMES = [
  'docker-compose.yml',
  'docker-compose.yaml',
  'compose.yml',
  'compose.yaml',
];

/** True for a file name we treat as a compose file. */
export function isComposeFileName(name: string): boolean {
  return COMPOSE_FILE_NAMES.includes(name) || /^docker-compose\.[\w.-]+\.ya?ml$/.test(name);
}

/** The compose file of a project folder, or undefined. */
export function findComposeFile(folder: string): string | undefined {
  for (const n of COMPOSE_FILE_NAMES) {
    const p = join(folder, n);
    if (existsSync(p)) return p;
  }
  return undefined;
}

export interface LoadedComposeProject {
  /** Absolute (or caller-relative) path of the compose file, when one was found. */
  composePath: string | undefined;
  /** Texts read, keyed by the path diagnostics use (compose file, balena.yml, Dockerfile templates). */
  files: Map<string, string>;
  project: ComposeProject | undefined;
  /** Problems loading the project (missing or unreadable file). */
  diagnostics: CoreDiagnostic[];
}

/**
 * Loads a balena project from a compose file path or a project folder: reads the compose file
 * and exposes the folder (balena.yml, build contexts, Dockerfiles) to the core rules.
 */
export function loadComposeProject(path: string): LoadedComposeProject {
  const files = new Map<string, string>();
  let composePath: string | undefined;
  try {
    composePath = statSync(path).isDirectory() ? findComposeFile(path) : path;
  } catch {
    composePath = undefined;
  }
  if (!composePath) {
    return {
      composePath: undefined,
      files,
      project: undefined,
      diagnostics: [
        {
          file: path,
          start: 0,
          end: 0,
          severity: 'error',
          code: 'BAL000',
          message: `No compose file at ${path}: expected a docker-compose.yml (or .yaml) file or a folder that holds one.`,
          source: COMPOSE_SOURCE,
        },
      ],
    };
  }
  let text: string;
  try {
    text = readFileSync(composePath, 'utf8');
  } catch (e) {
    return {
      composePath,
      files,
      project: undefined,
      diagnostics: [
        {
          file: composePath,
          start: 0,
          end: 0,
          severity: 'error',
          code: 'BAL000',
          message: `Cannot read ${composePath}: ${(e as Error).message}. Check the path and its permissions.`,
          source: COMPOSE_SOURCE,
        },
      ],
    };
  }
  files.set(composePath, text);
  const project = fsComposeProject(dirname(composePath));
  return { composePath, files, project, diagnostics: [] };
}

export interface ComposeValidationReport {
  /** Every file a diagnostic refers to, with its text (for line/column conversion). */
  files: Map<string, string>;
  diagnostics: CoreDiagnostic[];
  balena: boolean;
}

/**
 * Loads and validates a compose project: the same rules the editor runs. Files other than the
 * compose file that carry diagnostics (balena.yml, Dockerfile.template) are read into `files`.
 */
export function validateComposePath(
  path: string,
  options: Omit<ComposeValidationOptions, 'composePath' | 'composeText' | 'project'> = {},
): ComposeValidationReport {
  const loaded = loadComposeProject(path);
  if (!loaded.composePath || !loaded.project || loaded.diagnostics.length) {
    return { files: loaded.files, diagnostics: loaded.diagnostics, balena: false };
  }
  const composePath = loaded.composePath;
  const dir = dirname(composePath);
  const balenaYmlRel = existsSync(join(dir, 'balena.yml')) ? 'balena.yml' : '.balena/balena.yml';
  const result = validateCompose({
    ...options,
    composePath,
    composeText: loaded.files.get(composePath) ?? '',
    project: loaded.project,
    balenaYmlPath: join(dir, balenaYmlRel),
  });
  for (const d of result.diagnostics) {
    if (loaded.files.has(d.file)) continue;
    const rel = relative(dir, d.file);
    const text = loaded.project.read(rel) ?? '';
    loaded.files.set(d.file, text);
  }
  return { files: loaded.files, diagnostics: result.diagnostics, balena: result.balena };
}
