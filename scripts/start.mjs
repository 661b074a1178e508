#!/usr/bin/env node
// `npm start`: VS Code in the browser with pvkit loaded from this working copy, on examples/.
// Installs what is missing (scripts/setup-test-env.sh --all, `npm ci`), builds, then serves
// code-server on 127.0.0.1 (port 8080, or a free one when 8080 is taken; PVKIT_PORT overrides)
// until Ctrl+C. The extension is the working copy itself (a symlink in the extensions dir), so
// `npm run watch` plus "Developer: Reload Window" picks up changes.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  ROOT,
  TEST_ENV_DIR,
  freePort,
  linkWorkingCopy,
  missingPieces,
  onInterrupt,
  shout,
  startCodeServer,
  writeUserSettings,
} from './lib/codeServer.mjs';
import { buildPreviewGuest } from './lib/previewGuest.mjs';

function sh(cmd, args) {
  console.log(`$ ${[cmd, ...args].join(' ')}`);
  return spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' }).status ?? 1;
}

if (!process.env.PVKIT_SKIP_SETUP) sh('bash', ['scripts/setup-test-env.sh', '--all']);
// `npm ci` when node_modules is missing or older than the lock file.
const installed = join(ROOT, 'node_modules/.package-lock.json');
if (
  !existsSync(installed) ||
  statSync(installed).mtimeMs < statSync(join(ROOT, 'package-lock.json')).mtimeMs
) {
  if (sh('npm', ['ci', '--no-audit', '--no-fund']) !== 0) process.exit(1);
}
if (sh('node', ['esbuild.mjs']) !== 0) process.exit(1);
// code-server needs only code-server itself here; the browser is the user's.
const missing = missingPieces().filter((m) => m.startsWith('code-server'));
if (missing.length) {
  shout(['Cannot start VS Code:', ...missing]);
  process.exit(1);
}

// Kept between runs (settings, opened editors), under the test-env dir, outside the repo.
const home = join(TEST_ENV_DIR, 'start');
const extensionsDir = join(home, 'extensions');
const userDataDir = join(home, 'user-data');
const { id } = linkWorkingCopy(extensionsDir);
// A ready QEMU preview profile ("x64": the test kernel with a tiny busybox guest), so the
// walkthrough's preview step works on the example workspace.
const guest = buildPreviewGuest(home);
if (!guest.profile) console.log(`(no QEMU preview profile: ${guest.reason})`);
writeUserSettings(userDataDir, guest.profile ? { 'pantavisor.qemu.profiles': [guest.profile] } : {});
const folder = join(ROOT, 'examples');
const port = await freePort(Number(process.env.PVKIT_PORT ?? 8080));
const server = await startCodeServer({
  port,
  userDataDir,
  extensionsDir,
  folder,
  gallery: true, // a user may install other extensions; tests and screenshots run without the gallery
  onOutput: (line) => console.log(`[code-server] ${line}`),
});
const url = `${server.base}/?folder=${encodeURIComponent(folder)}`;
console.log(`
  VS Code with ${id} from ${ROOT}
  open   ${url}
  stop   Ctrl+C
`);

let stopping = false;
onInterrupt(() => {
  stopping = true;
  return server.stop();
});
void server.exited.then((code) => {
  if (stopping) return;
  console.error(`code-server exited by itself (code ${code})`);
  void server.stop().then(() => process.exit(1));
});
