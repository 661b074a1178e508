#!/usr/bin/env node
// The one test command (`npm test`): installs what the tests need (on Debian/Ubuntu as root),
// builds, runs the static checks and every suite, and ends with a line `N passed, N failed`.
//   node scripts/test.mjs               everything
//   node scripts/test.mjs --unit        static checks + unit tests only
//   node scripts/test.mjs --integration integration tests only (VS Code in code-server)
//   PVKIT_SKIP_SETUP=1                  do not run the installer
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, mkdtempSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const argv = process.argv.slice(2);
const only = argv.find((a) => a === '--unit' || a === '--integration');
const filters = argv.filter((a) => !a.startsWith('--'));
const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

// Every Node process of the suites (test runners, pvkit, npm, code-server and its extension host) loads
// the network guard: anything but loopback is refused and logged, and each attempt counts as a failure.
const guardLog = join(mkdtempSync(join(tmpdir(), 'pvkit-net-guard-')), 'attempts.log');
const guarded = {
  ...process.env,
  NODE_OPTIONS:
    `${process.env.NODE_OPTIONS ?? ''} --import=${pathToFileURL(join(root, 'test/support/loopbackOnly.mjs')).href}`.trim(),
  PVKIT_NET_GUARD_LOG: guardLog,
};

function sh(cmd, args, opts = {}) {
  console.log(`\n$ ${[cmd, ...args].join(' ')}`);
  return spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts }).status ?? 1;
}

function check(name, cmd, args) {
  const code = sh(cmd, args);
  if (code === 0) totals.passed++;
  else {
    totals.failed++;
    failures.push(name);
  }
  return code === 0;
}

function findTests(dir) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (e.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

if (!process.env.PVKIT_SKIP_SETUP && existsSync(join(root, 'scripts/setup-test-env.sh'))) {
  if (sh('bash', ['scripts/setup-test-env.sh', only === '--unit' ? '--unit' : '--all']) !== 0) {
    console.error(
      'setup-test-env.sh failed: see above; the tests that need what it installs will fail or skip.',
    );
  }
}
if (!existsSync(join(root, 'node_modules/.bin/tsc'))) sh('npm', ['ci', '--no-audit', '--no-fund']);

if (only !== '--integration') {
  check('build', 'node', ['esbuild.mjs']);
  check('typecheck', 'npx', ['tsc', '--noEmit', '-p', '.']);
  check('lint', 'npx', ['eslint', '--max-warnings', '0', '.']);
  check('format', 'npx', ['prettier', '--check', '.']);

  let files = findTests(join(root, 'test/unit'));
  if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
  const tap = join(mkdtempSync(join(tmpdir(), 'pvkit-test-')), 'unit.tap');
  console.log(`\nunit tests: ${files.length} files`);
  sh(
    'node',
    [
      '--import',
      'tsx',
      '--test',
      '--test-concurrency=2',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...files.map((f) => relative(root, f)),
    ],
    { env: guarded },
  );
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const num = (k) => Number(new RegExp(`^# ${k} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  if (!text) {
    totals.failed++;
    failures.push('unit (no TAP output)');
  }
  totals.passed += num('pass');
  totals.failed += num('fail') + num('cancelled');
  totals.skipped += num('skipped') + num('todo');
  if (num('fail') + num('cancelled')) failures.push(`unit (${num('fail') + num('cancelled')} failed)`);
}

if (only !== '--unit' && existsSync(join(root, 'scripts/run-integration.mjs'))) {
  const resultsFile = join(mkdtempSync(join(tmpdir(), 'pvkit-it-')), 'results.json');
  const code = sh('node', ['scripts/run-integration.mjs', ...filters], {
    env: { ...guarded, PVKIT_RESULTS_FILE: resultsFile },
  });
  const r = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : undefined;
  if (r) {
    totals.passed += r.passed;
    totals.failed += r.failed;
    totals.skipped += r.skipped ?? 0;
    if (r.failed) failures.push(`integration (${r.failed} failed)`);
  }
  if (!r || (code !== 0 && !r.failed)) {
    totals.failed++;
    failures.push(`integration (exit ${code}, no results)`);
  }
}

// The packaging test (vsix into code-server, npm pack + npx) runs in full runs only.
if (!only && !filters.length && existsSync(join(root, 'scripts/test-vsix.mjs'))) {
  const resultsFile = join(mkdtempSync(join(tmpdir(), 'pvkit-vsix-')), 'results.json');
  const code = sh('node', ['scripts/test-vsix.mjs'], {
    env: { ...guarded, PVKIT_RESULTS_FILE: resultsFile },
  });
  const r = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : undefined;
  if (r) {
    totals.passed += r.passed;
    totals.failed += r.failed;
    if (r.failed) failures.push(`packaging (${r.failed} failed)`);
  } else {
    totals.failed++;
    failures.push(`packaging (exit ${code}, no results)`);
  }
}

const attempts = existsSync(guardLog) ? readFileSync(guardLog, 'utf8').split('\n').filter(Boolean) : [];
if (attempts.length) {
  console.log(
    `\nNetwork guard: ${attempts.length} attempt(s) to reach beyond loopback:\n${attempts.join('\n')}`,
  );
  totals.failed += attempts.length;
  failures.push(`network guard (${attempts.length})`);
}
if (failures.length) console.log(`\nFailed: ${failures.join(', ')}`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed ? 1 : 0);
