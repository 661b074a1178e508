import * as vscode from 'vscode';

/** Documents our compose features handle: compose files and balena.yml, wherever they live. */
export const COMPOSE_SELECTOR: vscode.DocumentSelector = [
  { pattern: '**/{docker-compose,compose}.{yml,yaml}' },
  { pattern: '**/docker-compose.*.{yml,yaml}' },
  { pattern: '**/balena.yml' },
];

export function isComposeDocument(doc: vscode.TextDocument): boolean {
  const name = doc.uri.path.split('/').pop() ?? '';
  return /^(docker-compose|compose)(\.[\w.-]+)?\.ya?ml$/.test(name);
}

export function isBalenaYml(doc: vscode.TextDocument): boolean {
  return (doc.uri.path.split('/').pop() ?? '') === 'balena.yml';
}

/**
 * Extensions that already report YAML syntax errors and generic compose-schema problems on
 * docker-compose.yml: the Red Hat YAML extension (with SchemaStore's compose schema) and Docker's
 * compose language service. When one is active we publish only balena and Pantavisor diagnostics.
 */
const GENERIC_YAML_EXTENSIONS = [
  'redhat.vscode-yaml',
  'docker.docker',
  'ms-azuretools.vscode-docker',
  'ms-azuretools.vscode-containers',
];

export function yamlExtensionActive(): boolean {
  return GENERIC_YAML_EXTENSIONS.some((id) => vscode.extensions.getExtension(id)?.isActive === true);
}
