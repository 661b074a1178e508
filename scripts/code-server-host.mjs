#!/usr/bin/env node
// A stand-in "VS Code executable" for @vscode/test-electron's runTests (there is no desktop VS Code
// on our machines). It accepts the command line runTests builds:
//   [folder] --extensionDevelopmentPath=P --extensionTestsPath=T [--user-data-dir=D] [--extensions-dir=E] ...
// and runs the same test inside real VS Code: code-server provides the workbench and a Node
// extension host, headless Chromium is the client. The web workbench reads the development and
// tests paths from its `payload` query parameter and reports the end of the run through
// window.codeAutomationExit(code); we exit with that code. Other flags (--no-sandbox ...) are
// meaningless here and ignored.
//
// Environment: PVKIT_IT_TIMEOUT_MS (default 300000), PVKIT_IT_VERBOSE=1 (also print code-server's
// own log and the browser console), plus those of scripts/lib/codeServer.mjs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { clearTimeout } from 'node:timers';
import { format } from 'node:util';
import {
  freePort,
  launchChromium,
  missingPieces,
  onInterrupt,
  shout,
  startCodeServer,
  workbenchUrl,
} from './lib/codeServer.mjs';

const argv = process.argv.slice(2);
const flag = (name) =>
  argv.filter((a) => a.startsWith(`--${name}=`)).map((a) => resolve(a.slice(name.length + 3)));
const devPaths = flag('extensionDevelopmentPath');
const [testsPath] = flag('extensionTestsPath');
const folder = argv.find((a) => !a.startsWith('--'));
const verbose = process.env.PVKIT_IT_VERBOSE === '1';
const timeoutMs = Number(process.env.PVKIT_IT_TIMEOUT_MS ?? 300_000);

// The workbench and the extension host chatter; these lines say nothing about our tests.
const NOISE =
  /Creating a socket|connection token|ENOTFOUND|open-vsx|Service Worker|vsda|Updating additional builtin extensions cache|ChatSessionStore|Creation of workbench contribution|\[Extension Host\] (?:Extension host|Started local)/;

async function main() {
  const missing = missingPieces();
  if (missing.length) {
    shout(['Cannot run integration tests:', ...missing]);
    return 3;
  }
  if (!devPaths.length || !testsPath) {
    console.error('code-server-host: need --extensionDevelopmentPath=... and --extensionTestsPath=...');
    return 2;
  }
  const scratch = mkdtempSync(join(tmpdir(), 'pvkit-cs-'));
  const userDataDir = flag('user-data-dir')[0] ?? join(scratch, 'user-data');
  // An empty extensions dir per run: an installed copy of the extension would register the same
  // commands a second time next to the development copy.
  const extensionsDir = flag('extensions-dir')[0] ?? join(scratch, 'extensions');
  const workspace = folder ? resolve(folder) : mkdtempSync(join(scratch, 'ws-'));

  const t0 = Date.now();
  const server = await startCodeServer({
    port: await freePort(),
    userDataDir,
    extensionsDir,
    onOutput: (line) => verbose && process.stderr.write(`[code-server] ${line}\n`),
  });
  let browser;
  let exitCode;
  onInterrupt(async () => {
    interrupted = true;
    await browser?.close().catch(() => undefined);
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  });
  try {
    const remote = (p) => `vscode-remote://${server.host}${p}`;
    const payload = devPaths.map((p) => ['extensionDevelopmentPath', remote(p)]);
    payload.push(['extensionTestsPath', remote(testsPath)]);

    browser = await launchChromium(server.tag);
    const page = await browser.newPage();
    let finish;
    const finished = new Promise((r) => (finish = r));
    await page.exposeFunction('codeAutomationExit', (code) => finish(code));
    await page.exposeFunction('codeAutomationLog', (_type, args) => {
      // Extension-host console output; mocha's spec reporter passes printf-style arguments.
      const text = format(...(Array.isArray(args) ? args : [args]));
      if (!NOISE.test(text)) console.log(text);
    });
    if (verbose) page.on('console', (m) => console.error(`[browser] ${m.text()}`));
    page.on('pageerror', (e) => console.error(`[browser] page error: ${e.message}`));

    await page.goto(workbenchUrl(server.base, workspace, payload));
    let timer;
    const timedOut = new Promise((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const result = await Promise.race([finished, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      shout([`Integration tests did not finish within ${timeoutMs} ms (PVKIT_IT_TIMEOUT_MS)`]);
      exitCode = 124;
    } else {
      exitCode = typeof result === 'number' ? result : 1;
    }
    console.error(`[code-server-host] tests ended with code ${exitCode} after ${Date.now() - t0} ms`);
  } finally {
    await browser?.close().catch(() => undefined);
    const { stragglers, left } = await server.stop();
    if (stragglers.length) console.error(`[code-server-host] killed stragglers: ${stragglers.join(' ')}`);
    if (left.length) {
      shout([`processes left behind after cleanup: ${left.join(' ')}`]);
      exitCode = exitCode || 1;
    }
    rmSync(scratch, { recursive: true, force: true });
  }
  return exitCode;
}

// After Ctrl+C the interrupt handler owns the exit; the aborted page load is not an error then.
let interrupted = false;
main().then(
  (code) => interrupted || process.exit(code),
  (e) => {
    if (interrupted) return;
    console.error(e);
    process.exit(2);
  },
);
