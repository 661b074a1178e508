// The README and walkthrough screenshots (`node scripts/screenshot.mjs --all`): one code-server
// session on a scratch copy of examples/, driven through the command palette like a user would,
// one PNG per feature in media/. Each shot waits for what it shows (a tab, a view, a line of
// console output); the short pauses only let animations and decorations settle.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, freePort } from './codeServer.mjs';
import { buildPreviewGuest } from './previewGuest.mjs';

/** What the session needs before code-server starts: the workspace, settings, helpers. */
export async function prepareShots(scratch) {
  const folder = join(scratch, 'examples');
  cpSync(join(ROOT, 'examples'), folder, { recursive: true });
  // A typo for the validation shot (and a change for the SCM shot); put back before the push.
  const runJson = join(folder, 'revision/webapp/run.json');
  const original = readFileSync(runJson, 'utf8');
  writeFileSync(runJson, original.replace(/"group":\s*"[^"]*"/, '"group": "platfrom"'));
  // The QEMU guest: Debian's cloud kernel and a busybox initramfs built now.
  const guest = buildPreviewGuest(scratch);
  if (!guest.profile) throw new Error(`could not build the QEMU guest: ${guest.reason}`);
  // A local device endpoint to push to (the Devices view lists it).
  const port = await freePort();
  const device = spawn(
    'node',
    [join(ROOT, 'dist/cli.js'), 'serve', join(scratch, 'device'), '--port', String(port), '-q'],
    { stdio: 'ignore', detached: true },
  );
  return {
    folder,
    env: { PVR_CONFIG_DIR: join(scratch, 'pvr-config') },
    settings: {
      'pantavisor.devices.localEndpoint': `http://127.0.0.1:${port}/cgi-bin/pvr`,
      'pantavisor.qemu.profiles': [guest.profile],
      // The DOM renderer keeps the terminal's text in the page, so the script can wait for it.
      'terminal.integrated.gpuAcceleration': 'off',
      'workbench.tips.enabled': false,
      'editor.minimap.enabled': false,
      // No "your application on port N is available" toasts over the pictures.
      'remote.autoForwardPorts': false,
    },
    restoreRunJson: () => writeFileSync(runJson, original),
    stop: () => {
      try {
        process.kill(-device.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    },
  };
}

/** Drives the workbench in `page` and saves each PNG under `outDir`; on failure, what it saw. */
export async function takeShots(page, opts) {
  try {
    return await shots(page, opts);
  } catch (e) {
    const path = join(tmpdir(), 'pvkit-shot-failed.png');
    await page.screenshot({ path }).catch(() => undefined);
    console.error(`the page when it failed: ${path}`);
    throw e;
  }
}

async function shots(page, { outDir, prep, only }) {
  mkdirSync(outDir, { recursive: true });
  const saved = [];
  const settle = (ms = 1500) => page.waitForTimeout(ms);
  const shot = async (name, clip) => {
    await settle(800);
    const path = join(outDir, `${name}.png`);
    await page.screenshot({ path, ...(clip ? { clip } : {}) });
    saved.push(path);
    console.log(`saved ${path}`);
  };
  const palette = async (title, { row = title } = {}) => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input');
    await page.keyboard.type(title);
    // Click the entry itself: the first row is not always the one that matched best.
    await page.click(`.quick-input-list .monaco-list-row[aria-label*="${row}"]`, { timeout: 30_000 });
  };
  const open = async (file) => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget input');
    await page.keyboard.type(file);
    const base = file.split('/').pop();
    const dir = file.split('/').slice(0, -1).join('/');
    await page.click(`.quick-input-list .monaco-list-row[aria-label^="${base}"][aria-label*="${dir}"]`, {
      timeout: 30_000,
    });
    await page.waitForSelector(`.tabs-container .tab[aria-label^="${base}"]`, { timeout: 30_000 });
    await page.waitForSelector('.monaco-editor .view-lines .view-line');
  };
  const inPanel = (text, timeout = 30_000) =>
    page.locator('.part.panel').getByText(text).first().waitFor({ timeout });
  const problems = async (expect) => {
    await palette('View: Focus on Problems View', { row: 'Focus on Problems View' });
    await inPanel(expect);
  };
  const pantavisorView = async () => {
    await page.keyboard.press('Escape');
    await page.click('.activitybar .action-item .action-label[aria-label^="Pantavisor"]');
  };
  const closeEditors = async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+W');
    await page.waitForFunction(() => !document.querySelector('.tabs-container .tab'), undefined, {
      timeout: 10_000,
    });
  };
  const want = (name) => !only || only.includes(name);
  const W = page.viewportSize().width;
  const H = page.viewportSize().height;

  // Validation of a revision: the typo in webapp/run.json's group, as you type and in Problems.
  await open('revision/webapp/run.json');
  if (want('validation')) {
    await problems('PV101');
    await shot('validation');
  }
  // The SCM view with that change; the status bar says "revision: modified".
  if (want('scm')) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Shift+G');
    await page.waitForSelector('.scm-view .monaco-list-row[aria-label*="run.json"]', { timeout: 30_000 });
    await shot('scm');
  }
  // The revision view of the checkout.
  if (want('revision-view')) {
    await pantavisorView();
    await page.waitForSelector('.pane-header[aria-label*="Revision"]', { timeout: 30_000 });
    await page.waitForSelector('.pane-body .monaco-list-row[aria-label^="Containers"]', { timeout: 30_000 });
    // Expand the containers and the container to show its run.json facts.
    // (by keyboard: a click on a container runs "Go to Definition").
    await page.click('.pane-body .monaco-list-row[aria-label^="Containers"]');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    await page
      .waitForSelector('.pane-body .monaco-list-row[aria-label*="lxc"]', { timeout: 30_000 })
      .catch(() => undefined);
    await shot('revision-view');
  }
  // Compose diagnostics on the balena project (the typo is fixed first, so only compose shows).
  prep.restoreRunJson();
  await closeEditors();
  await open('balena-project/docker-compose.yml');
  if (want('compose')) {
    await page.keyboard.press('Control+Shift+E');
    await problems('balena-compose');
    await shot('compose');
  }
  // Convert: the report opens beside the compose file.
  if (want('convert') || want('fix')) {
    await palette('Pantavisor: Convert from balena', { row: 'Convert from balena' });
    await page.waitForSelector('.quick-input-widget input');
    await settle(500);
    await page.keyboard.press('Enter'); // the suggested output folder
    await page.waitForSelector('.tabs-container .tab[aria-label*="CONVERSION.md"]', { timeout: 60_000 });
    await settle(3000); // the preview's webview renders
    if (want('convert')) await shot('convert');
    // What is left: the converted checkout's problems (images to build and import).
    await closeEditors();
    await open('balena-project-pantavisor/cache/src.json');
    await problems('PV114');
    if (want('fix')) await shot('fix');
  }
  // Doctor: each check with its fix, and Copy report.
  if (want('doctor')) {
    await closeEditors();
    await palette('Pantavisor: Doctor', { row: 'Doctor: Check Tools' });
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="Copy report"]', {
      timeout: 60_000,
    });
    await page.mouse.move(W - 1, H - 1); // no tooltip over the title
    await shot('doctor', { x: Math.round(W / 2 - 400), y: 0, width: 800, height: Math.min(340, H) });
    await page.keyboard.press('Escape');
  }
  // Push the (fixed) revision to the local endpoint; the Devices view lists what it holds.
  if (want('devices')) {
    prep.restoreRunJson();
    await open('revision/webapp/run.json');
    await palette('Pantavisor: Push Checkout', { row: 'Push Checkout to Target' });
    await pantavisorView();
    const row = page.locator('.pane-body .monaco-list-row', { hasText: 'Local endpoint' }).first();
    await row.waitFor({ timeout: 30_000 });
    // The push posts in the background; the device row stops saying "no revision" once it landed.
    for (let i = 0; ; i++) {
      if (!((await row.textContent()) ?? '').includes('no revision')) break;
      if (i > 60) throw new Error('the push did not reach the local endpoint within 60 s');
      await palette('Pantavisor: Refresh Devices', { row: 'Refresh Devices' });
      await settle(1000);
    }
    await row.click();
    await page.keyboard.press('ArrowRight');
    await shot('devices');
  }
  // A QEMU preview: the serial console in a terminal.
  if (want('qemu')) {
    await closeEditors();
    await palette('Pantavisor: Start QEMU Preview', { row: 'Start QEMU Preview' });
    await page.waitForFunction(
      () => document.querySelector('.terminal-wrapper .xterm-rows')?.textContent?.includes('guest is up'),
      undefined,
      { timeout: 180_000 },
    );
    await palette('Notifications: Clear All Notifications', { row: 'Clear All Notifications' });
    // The panel only: the terminal "QEMU: x64" with the guest's console.
    await shot('qemu', { x: 348, y: 512, width: W - 348, height: H - 512 });
    await palette('Pantavisor: Stop QEMU Preview', { row: 'Stop QEMU Preview' });
  }
  // The walkthrough (its images are the PNGs saved above), with the panel and side bar hidden.
  if (want('walkthrough')) {
    await palette('View: Hide Panel', { row: 'Hide Panel' });
    await palette('View: Close Primary Side Bar', { row: 'Close Primary Side Bar' });
    await palette('Welcome: Open Walkthrough', { row: 'Open Walkthrough' });
    await page.waitForSelector('.quick-input-list .monaco-list-row');
    await page.keyboard.type('From balena');
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="From balena"]', {
      timeout: 30_000,
    });
    await page.keyboard.press('Enter');
    await page.waitForSelector('.gettingStartedContainer', { timeout: 30_000 });
    await settle(2500);
    await shot('walkthrough');
  }
  return saved;
}
