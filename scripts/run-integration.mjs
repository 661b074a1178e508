#!/usr/bin/env node
// Integration tests: real VS Code 1.100 (code-server) with headless Chromium as the client, driven
// through @vscode/test-electron's runTests and our stand-in executable scripts/code-server-host.mjs.
//
//   node scripts/run-integration.mjs [filter ...]
//
// A filter selects the test files whose name contains it (`activation`); when no file name matches,
// the filters become a grep over test titles. Results {passed, failed, skipped} go to the file named
// by PVKIT_RESULTS_FILE (scripts/test.mjs sums them). If VS Code cannot be started at all, the
// results say failed: 1 and we exit non-zero: a missing tool never looks like a pass.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, missingPieces, shout } from './lib/codeServer.mjs';

const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const resultsFile = process.env.PVKIT_RESULTS_FILE;
const t0 = Date.now();

function writeResults(r) {
  if (resultsFile) writeFileSync(resultsFile, JSON.stringify(r));
}
function fail(lines, code = 1) {
  shout(lines);
  writeResults({ passed: 0, failed: 1, skipped: 0 });
  process.exit(code);
}

const missing = missingPieces();
if (missing.length) fail(['INTEGRATION TESTS NOT RUN: VS Code cannot be started', ...missing]);

// Start from an empty out/test/integration so a deleted test file does not linger as a bundle.
rmSync(join(ROOT, 'out/test/integration'), { recursive: true, force: true });
console.log('$ node esbuild.mjs');
if (spawnSync('node', ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' }).status !== 0) {
  fail(['INTEGRATION TESTS NOT RUN: the build failed (see above)']);
}
const testsPath = join(ROOT, 'out/test/integration/index.js');
if (!existsSync(testsPath)) fail([`INTEGRATION TESTS NOT RUN: ${testsPath} was not built`]);

// Everything of this run lives in one temp dir: the workspace copy (tests may change it), an empty
// extensions dir and a fresh user-data dir.
const scratch = mkdtempSync(join(tmpdir(), 'pvkit-it-'));
const workspace = join(scratch, 'workspace');
cpSync(join(ROOT, 'test/fixtures/integration-workspace'), workspace, { recursive: true });
// The results file is written inside the extension host; we read it back to check it exists.
const innerResults = join(scratch, 'results.json');

let code;
try {
  const { runTests } = await import('@vscode/test-electron');
  code = await runTests({
    vscodeExecutablePath: join(ROOT, 'scripts/code-server-host.mjs'),
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: testsPath,
    launchArgs: [
      workspace,
      `--user-data-dir=${join(scratch, 'user-data')}`,
      `--extensions-dir=${join(scratch, 'extensions')}`,
    ],
    extensionTestsEnv: {
      PVKIT_RESULTS_FILE: innerResults,
      PVKIT_IT_FILTERS: JSON.stringify(filters),
      PVKIT_IT_WORKSPACE: workspace,
    },
  });
} catch (e) {
  // runTests rejects with TestRunFailedError when the exit code is not 0.
  code = typeof e?.code === 'number' ? e.code : 1;
  if (typeof e?.code !== 'number') console.error(e);
}

let results;
try {
  results = JSON.parse(readFileSync(innerResults, 'utf8'));
} catch {
  results = undefined;
}
rmSync(scratch, { recursive: true, force: true });
if (!results) {
  const why = code === 130 ? 'INTERRUPTED' : 'BROKEN: no results from inside VS Code';
  fail([`INTEGRATION TESTS ${why} (exit code ${code})`], code || 1);
}
if (code !== 0 && !results.failed) results.failed = 1; // A crash after the tests still counts.
writeResults(results);
console.log(
  `integration: ${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped ` +
    `in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);
process.exit(results.failed ? 1 : 0);
