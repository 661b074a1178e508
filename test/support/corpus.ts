import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The project root (tests run from anywhere): the nearest folder above this file with a
 * package.json, so that the same code works from test/support and from the integration bundles
 * in out/test/integration.
 */
export const ROOT = ((): string => {
  for (let d = __dirname; dirname(d) !== d; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return d;
  }
  return resolve(__dirname, '../..');
})();

/**
 * The shared corpus lives beside the project (`../shared/corpus`), never inside it; `PVKIT_CORPUS`
 * overrides the location. Returns undefined, after saying so loudly, when it is not there.
 */
export function corpusDir(sub = ''): string | undefined {
  const base = process.env['PVKIT_CORPUS'] ?? resolve(ROOT, '../shared/corpus');
  const dir = resolve(base, sub);
  if (!existsSync(dir)) {
    process.stderr.write(`\n!!! CORPUS MISSING: ${dir} not found; tests that need it are SKIPPED !!!\n\n`);
    return undefined;
  }
  return dir;
}

/** `{ skip: reason }` for node:test when the corpus folder is absent, else `{}`. */
export function needsCorpus(sub = ''): { skip?: string } {
  return corpusDir(sub) ? {} : { skip: `corpus folder ${sub || '.'} missing (../shared/corpus)` };
}
