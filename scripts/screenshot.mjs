#!/usr/bin/env node
// Takes a README screenshot: VS Code (code-server) with pvkit from this working copy on examples/,
// one file open, captured by headless Chromium.
//
//   node scripts/screenshot.mjs [file under examples/] [--out media/x.png] [--size 1400x860]
//                               [--command 'Palette title' | --command '']
//   node scripts/screenshot.mjs --all [--only name,name] [--out-dir media] [--size 1280x800]
//
// Default: revision/webapp/run.json into media/workspace.png. `--all` takes every README and
// walkthrough screenshot (scripts/lib/shots.mjs) on a scratch copy of examples/. Builds first;
// uses temporary user-data and extensions dirs; leaves no process behind.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import {
  ROOT,
  freePort,
  launchChromium,
  linkWorkingCopy,
  missingPieces,
  onInterrupt,
  shout,
  startCodeServer,
  workbenchUrl,
  writeUserSettings,
} from './lib/codeServer.mjs';
import { prepareShots, takeShots } from './lib/shots.mjs';

const argv = process.argv.slice(2);
const all = argv.includes('--all');
if (all) argv.splice(argv.indexOf('--all'), 1);
const option = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv.splice(i, 2)[1] : fallback;
};
const out = resolve(ROOT, option('out', 'media/workspace.png'));
const [width, height] = option('size', all ? '1280x800' : '1400x860')
  .split('x')
  .map(Number);
const outDir = resolve(ROOT, option('out-dir', 'media'));
const only = option('only', '').split(',').filter(Boolean);
// A command palette entry to run after opening the file; the default shows that pvkit is loaded.
const command = option('command', 'Pantavisor: Show Log');
const file = argv[0] ?? 'revision/webapp/run.json';

const missing = missingPieces();
if (missing.length) {
  shout(['Cannot take a screenshot:', ...missing]);
  process.exit(1);
}
if (spawnSync('node', ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' }).status !== 0) process.exit(1);

const scratch = mkdtempSync(join(tmpdir(), 'pvkit-shot-'));
const extensionsDir = join(scratch, 'extensions');
const userDataDir = join(scratch, 'user-data');
const { link } = linkWorkingCopy(extensionsDir);
const prep = all ? await prepareShots(scratch) : undefined;
writeUserSettings(userDataDir, { 'workbench.colorTheme': 'Default Dark Modern', ...prep?.settings });
const folder = prep?.folder ?? join(ROOT, 'examples');
const server = await startCodeServer({
  port: await freePort(),
  userDataDir,
  extensionsDir,
  env: prep?.env ?? {},
  onOutput: () => {},
}).catch((e) => {
  prep?.stop();
  throw e;
});
let browser;
let code = 0;
onInterrupt(async () => {
  prep?.stop();
  await browser?.close().catch(() => undefined);
  await server.stop();
  unlinkSync(link);
  rmSync(scratch, { recursive: true, force: true });
});
try {
  browser = await launchChromium(server.tag);
  const page = await browser.newPage({ viewport: { width, height } });
  await page.goto(workbenchUrl(server.base, folder));
  await page.waitForSelector('.monaco-workbench .part.editor', { timeout: 60_000 });
  if (prep) {
    await page.waitForSelector('.explorer-folders-view', { timeout: 60_000 });
    await takeShots(page, { outDir, prep, only: only.length ? only : undefined });
  } else await singleShot(page);
} catch (e) {
  console.error(e);
  code = 1;
} finally {
  prep?.stop();
  await browser?.close().catch(() => undefined);
  const { left } = await server.stop();
  if (left.length) {
    shout([`processes left behind: ${left.join(' ')}`]);
    code = 1;
  }
  unlinkSync(link); // First the link to the working copy, so the removal cannot reach into it.
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(code);

/** The single screenshot: `file` open, `command` run, the whole window. */
async function singleShot(page) {
  // Quick Open (Ctrl+P) with the path opens the file and reveals it in the explorer.
  await page.waitForSelector('.explorer-folders-view', { timeout: 60_000 });
  await page.keyboard.press('Control+P');
  await page.waitForSelector('.quick-input-widget input');
  await page.keyboard.type(file);
  await page.waitForSelector('.quick-input-list .monaco-list-row');
  await page.keyboard.press('Enter');
  await page.waitForSelector(`.tabs-container .tab[aria-label^="${basename(file)}"]`, { timeout: 30_000 });
  await page.waitForSelector('.monaco-editor .view-lines .view-line');
  if (command) {
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input');
    await page.keyboard.type(command);
    // The entry only exists when pvkit is loaded; a missing extension fails here.
    await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${command}"]`, {
      timeout: 30_000,
    });
    await page.keyboard.press('Enter');
    await page.waitForSelector('.part.panel .monaco-editor .view-line', { timeout: 30_000 });
    await page.keyboard.press('Escape');
  }
  // Let the explorer reveal and the status bar settle; a picture, not a test, so a short pause is fine.
  await page.waitForTimeout(2000);
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  console.log(`saved ${out}`);
}
