#!/usr/bin/env node
// `npm run bench [-- name...]`: runs bench/<name>.ts (all of them without a name). Each benchmark
// runs our code and its named baseline in the same process run and prints the ratio.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const wanted = process.argv.slice(2);
const all = readdirSync(`${root}bench`)
  .filter((f) => /\.(ts|mjs)$/.test(f) && !f.startsWith('_'))
  .map((f) => f.replace(/\.(ts|mjs)$/, ''));
const names = wanted.length ? wanted : all;
let failed = 0;
spawnSync('node', ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
for (const n of names) {
  const file = readdirSync(`${root}bench`).find((f) => f.replace(/\.(ts|mjs)$/, '') === n);
  if (!file) {
    console.error(`no benchmark named ${n}; have: ${all.join(', ')}`);
    failed++;
    continue;
  }
  console.log(`\n=== bench/${file}`);
  const r = spawnSync('node', ['--expose-gc', '--import', 'tsx', `bench/${file}`], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
