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

/** The Red Hat YAML extension already reports YAML syntax and compose-schema errors when active. */
export function yamlExtensionActive(): boolean {
  return vscode.extensions.getExtension('redhat.vscode-yaml')?.isActive === true;
}
