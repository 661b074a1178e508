import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../../src/cli/commands/index';
import {
  CLI_BEGIN,
  CLI_END,
  SETTINGS_BEGIN,
  SETTINGS_END,
  cliReferenceMarkdown,
  replaceBlock,
  settingsReferenceMarkdown,
  type PackageJson,
} from '../../scripts/lib/referenceMarkdown';
import { ROOT } from '../support/corpus';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson & {
  contributes: { configuration: { properties: Record<string, unknown> } };
};
const between = (begin: string, end: string): string =>
  readme.slice(readme.indexOf(begin) + begin.length + 1, readme.indexOf(end));

const fix = 'run `node --import tsx scripts/genReference.ts` to update README.md';

test('the README settings reference is generated from package.json', () => {
  assert.ok(readme.includes(SETTINGS_BEGIN) && readme.includes(SETTINGS_END), 'markers missing');
  assert.equal(between(SETTINGS_BEGIN, SETTINGS_END), settingsReferenceMarkdown(pkg), fix);
  for (const key of Object.keys(pkg.contributes.configuration.properties))
    assert.ok(between(SETTINGS_BEGIN, SETTINGS_END).includes(`| \`${key}\` |`), key);
});

test('the README CLI reference is generated from the command table and its help texts', () => {
  assert.ok(readme.includes(CLI_BEGIN) && readme.includes(CLI_END), 'markers missing');
  assert.equal(between(CLI_BEGIN, CLI_END), cliReferenceMarkdown(COMMANDS), fix);
  const cli = between(CLI_BEGIN, CLI_END);
  for (const name of Object.keys(COMMANDS))
    assert.ok(cli.includes(`\`pvkit ${name}\``) || cli.includes(`\`${name}\``), name);
});

test('cliReferenceMarkdown lists a command once with its aliases; cells escape pipes', () => {
  const c = { summary: 'a | b', usage: 'Usage: pvkit x\n', run: () => Promise.resolve(0) };
  const md = cliReferenceMarkdown({ xx: c, x: c });
  assert.match(md, /^\| \[`pvkit xx`\]\(#pvkit-xx\) \| `x` \| a \\\| b \|$/m);
  assert.match(md, /#### pvkit xx\n\n```text\nUsage: pvkit x\n```/);
  assert.throws(() => replaceBlock('no markers', SETTINGS_BEGIN, SETTINGS_END, ''), /lacks/);
});
