import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The project root (tests run from anywhere). */
export const ROOT = resolve(__dirname, '../..');

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
