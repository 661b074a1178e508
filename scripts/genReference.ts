// Rewrites README.md's "Settings reference" and "CLI reference" from package.json and the pvkit
// command table: `node --import tsx scripts/genReference.ts`. test/unit/readmeReference.test.ts
// fails when the README is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { COMMANDS } from '../src/cli/commands/index';
import {
  CLI_BEGIN,
  CLI_END,
  SETTINGS_BEGIN,
  SETTINGS_END,
  cliReferenceMarkdown,
  replaceBlock,
  settingsReferenceMarkdown,
  type PackageJson,
} from './lib/referenceMarkdown';

const root = resolve(__dirname, '..');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as PackageJson;
const path = resolve(root, 'README.md');
let text = readFileSync(path, 'utf8');
text = replaceBlock(text, SETTINGS_BEGIN, SETTINGS_END, settingsReferenceMarkdown(pkg));
text = replaceBlock(text, CLI_BEGIN, CLI_END, cliReferenceMarkdown(COMMANDS));
writeFileSync(path, text);
console.log(`updated ${path}`);
