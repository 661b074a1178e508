import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../support/corpus';

/**
 * House style 14: the settings have one source of truth. src/vscode/config.ts imports `vscode`, so
 * this plain-Node test reads its CONFIG_KEYS list as text and compares it with package.json.
 */
test('every setting read by Config is declared in package.json, and the reverse', () => {
  const src = readFileSync(join(ROOT, 'src/vscode/config.ts'), 'utf8');
  const list = /CONFIG_KEYS\s*=\s*\[([\s\S]*?)\]\s*as const/.exec(src)?.[1];
  assert.ok(list, 'CONFIG_KEYS not found in src/vscode/config.ts');
  const read = [...list.matchAll(/'([^']+)'/g)].map((m) => `pantavisor.${m[1]}`).sort();
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    contributes: {
      configuration: { properties: Record<string, { description?: string; markdownDescription?: string }> };
    };
  };
  const props = pkg.contributes.configuration.properties;
  assert.deepEqual(read, Object.keys(props).sort());
  for (const [k, v] of Object.entries(props))
    assert.ok(v.description ?? v.markdownDescription, `${k} has no description`);
});

test('every command in package.json has the Pantavisor category and a pantavisor.* id', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    contributes: { commands: { command: string; category?: string }[] };
  };
  for (const c of pkg.contributes.commands) {
    assert.match(c.command, /^pantavisor\./);
    assert.equal(c.category, 'Pantavisor', c.command);
  }
});
