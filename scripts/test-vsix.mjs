#!/usr/bin/env node
// Packaging test: builds pvkit.vsix the way `npm run package` does, installs it into a fresh
// code-server (not the working copy), runs "Pantavisor: Show Log" from the command palette and
// checks the log shows the activation; then packs the npm package and runs `npx pvkit` from it.
// Writes {passed, failed} to $PVKIT_RESULTS_FILE when set.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CODE_SERVER_BIN,
  ROOT,
  freePort,
  launchChromium,
  missingPieces,
  onInterrupt,
  shout,
  startCodeServer,
  workbenchUrl,
  writeUserSettings,
} from './lib/codeServer.mjs';

const results = { passed: 0, failed: 0, skipped: 0 };
const report = () => {
  if (process.env.PVKIT_RESULTS_FILE) writeFileSync(process.env.PVKIT_RESULTS_FILE, JSON.stringify(results));
  console.log(`packaging: ${results.passed} passed, ${results.failed} failed`);
};
const step = async (name, fn) => {
  const t0 = Date.now();
  try {
    await fn();
    results.passed++;
    console.log(`  ✔ ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.failed++;
    console.log(`  ✘ ${name}: ${e instanceof Error ? e.message : String(e)}`);
  }
};
const sh = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', ...opts });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
};

const scratch = mkdtempSync(join(tmpdir(), 'pvkit-vsix-'));
const missing = missingPieces();
if (missing.length) {
  shout(['Packaging test cannot start VS Code:', ...missing]);
  results.failed++;
  report();
  process.exit(1);
}

let server;
let browser;
onInterrupt(async () => {
  await browser?.close().catch(() => undefined);
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const vsix = join(ROOT, 'pvkit.vsix');
await step('npm run package builds pvkit.vsix', () => {
  sh('npm', ['run', '--silent', 'package']);
  const listing = sh('unzip', ['-l', vsix]);
  for (const f of [
    'extension/dist/extension.js',
    // The Docker engine client, loaded on first use (esbuild.mjs).
    'extension/dist/engineApi.js',
    'extension/package.json',
    'extension/schemas/pantavisor-run.schema.json',
  ]) {
    if (!listing.includes(f)) throw new Error(`${f} missing from the vsix`);
  }
  if (/extension\/src\/|node_modules|\.test-env/.test(listing))
    throw new Error('the vsix carries files outside the allow-list');
});

await step('the installed vsix activates in code-server and runs a command', async () => {
  const extensionsDir = join(scratch, 'extensions');
  const userDataDir = join(scratch, 'user-data');
  writeUserSettings(userDataDir);
  const cfg = join(scratch, 'cs.yaml');
  writeFileSync(cfg, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
  sh(CODE_SERVER_BIN, [
    '--config',
    cfg,
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--install-extension',
    vsix,
  ]);
  const listed = sh(CODE_SERVER_BIN, [
    '--config',
    cfg,
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--list-extensions',
  ]);
  if (!listed.includes('pvkit.pvkit')) throw new Error(`not installed: ${listed}`);
  server = await startCodeServer({ port: await freePort(), userDataDir, extensionsDir, onOutput: () => {} });
  browser = await launchChromium(server.tag);
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  await page.goto(workbenchUrl(server.base, join(ROOT, 'examples')));
  await page.waitForSelector('.monaco-workbench .part.editor', { timeout: 60_000 });
  // The palette lists an extension's commands only once the extension host has scanned it, which
  // can be some seconds after the workbench shows; reopen the palette until the entry is there.
  const entry = '.quick-input-list .monaco-list-row[aria-label*="Pantavisor: Show Log"]';
  const deadline = Date.now() + 90_000;
  for (;;) {
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input');
    await page.keyboard.type('Pantavisor: Show Log');
    if (
      await page.waitForSelector(entry, { timeout: 5_000 }).then(
        () => true,
        () => false,
      )
    )
      break;
    await page.keyboard.press('Escape');
    if (Date.now() > deadline) {
      await page.screenshot({ path: join(tmpdir(), 'pvkit-vsix-failure.png') });
      throw new Error(
        `"Pantavisor: Show Log" never appeared in the palette; see ${join(tmpdir(), 'pvkit-vsix-failure.png')}`,
      );
    }
  }
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('.part.panel .view-line')].some((l) =>
        /activated\s+in\s+\d+\s+ms/.test(l.textContent ?? ''),
      ),
    undefined,
    { timeout: 60_000 },
  );
  await browser.close();
  browser = undefined;
  const { left } = await server.stop();
  server = undefined;
  if (left.length) throw new Error(`processes left behind: ${left.join(' ')}`);
});

await step('npm pack gives a package whose pvkit runs with npx', () => {
  const tgz = sh('npm', ['pack', '--silent', '--pack-destination', scratch]).trim().split('\n').pop();
  const work = join(scratch, 'npx');
  sh('mkdir', ['-p', work]);
  const out = sh(
    'npm',
    [
      'exec',
      '--yes',
      '--package',
      join(scratch, tgz),
      '--',
      'pvkit',
      'validate',
      join(ROOT, 'examples', 'revision'),
    ],
    { cwd: work },
  );
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const version = sh('npm', ['exec', '--yes', '--package', join(scratch, tgz), '--', 'pvkit', '--version'], {
    cwd: work,
  }).trim();
  if (version !== `pvkit ${pkg.version}`)
    throw new Error(`unexpected version ${version}; validate said ${out}`);
  // The engine client (dist/engineApi.js, loaded on first use) is in the package: asking an
  // absent engine for an image gets the engine's answer, not a missing module.
  const engine = spawnSync(
    'npm',
    [
      'exec',
      '--yes',
      '--package',
      join(scratch, tgz),
      '--',
      'pvkit',
      'app',
      'add',
      'x',
      '--from',
      'localhost/pvkit-absent:1',
      '--source',
      'local',
    ],
    {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, DOCKER_HOST: `unix://${join(scratch, 'no.sock')}` },
    },
  );
  if (!/cannot reach the Docker engine/.test(engine.stderr) || /Cannot find module/.test(engine.stderr))
    throw new Error(`pvkit app add did not load the engine client: ${engine.stderr}`);
});

// Put the development build back: the other suites run against it.
spawnSync('node', ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
rmSync(scratch, { recursive: true, force: true });
report();
process.exit(results.failed ? 1 : 0);
