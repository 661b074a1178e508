// The test entry VS Code loads (extensionTestsPath): runs every bundled
// out/test/integration/*.test.js with mocha inside the extension host, prints mocha's spec output
// and writes {passed, failed, skipped} to PVKIT_RESULTS_FILE. esbuild bundles each
// test/integration/*.test.ts as its own entry next to this file (see esbuild.mjs).
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

/** Filters from the command line: file-name substrings, or else a grep over test titles. */
function selectFiles(all: string[], filters: string[]): { files: string[]; grep?: RegExp } {
  if (!filters.length) return { files: all };
  const byName = all.filter((f) => filters.some((x) => f.includes(x)));
  if (byName.length) return { files: byName };
  const escaped = filters.map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return { files: all, grep: new RegExp(escaped.join('|')) };
}

export function run(): Promise<void> {
  const filters = JSON.parse(process.env['PVKIT_IT_FILTERS'] ?? '[]') as string[];
  const all = readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  const { files, grep } = selectFiles(all, filters);
  // tdd gives the `suite`/`test` globals; no colours, the output goes through the browser console.
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, ...(grep ? { grep } : {}) });
  for (const f of files) mocha.addFile(join(__dirname, f));
  console.log(`integration: ${files.length} file(s): ${files.join(', ')}${grep ? `, grep ${grep}` : ''}`);

  return new Promise((resolve, reject) => {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const runner = mocha.run((failures) => {
      const file = process.env['PVKIT_RESULTS_FILE'];
      if (file) writeFileSync(file, JSON.stringify(counts));
      // Nothing ran although files were selected: a filter typo must not look like success.
      if (failures || counts.passed + counts.failed + counts.skipped === 0) {
        reject(new Error(failures ? `${failures} integration test(s) failed` : 'no integration test ran'));
      } else resolve();
    });
    runner.on('pass', () => counts.passed++);
    runner.on('fail', () => counts.failed++);
    runner.on('pending', () => counts.skipped++);
  });
}
