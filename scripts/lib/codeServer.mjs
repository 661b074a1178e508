// Shared by the integration runner, `npm start` and the screenshot helper: where the test
// environment lives, and how to start code-server and a headless Chromium so that nothing outlives
// us. README.md ("Tests") describes the environment variables.
import { spawn } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
export const TEST_ENV_DIR = resolve(process.env.PVKIT_TEST_ENV_DIR ?? join(ROOT, '.test-env'));
export const CODE_SERVER_BIN =
  process.env.PVKIT_CODE_SERVER ?? join(TEST_ENV_DIR, 'code-server/node_modules/.bin/code-server');
export const CHROMIUM_BIN = process.env.PVKIT_CHROMIUM ?? '/usr/bin/chromium';

/** What is missing to run VS Code headless, as human-readable lines (empty when all is there). */
export function missingPieces() {
  const out = [];
  if (!existsSync(CODE_SERVER_BIN)) {
    out.push(`code-server not found at ${CODE_SERVER_BIN} (run: bash scripts/setup-test-env.sh --all)`);
  }
  if (!existsSync(CHROMIUM_BIN)) {
    out.push(`Chromium not found at ${CHROMIUM_BIN} (apt-get install chromium, or set PVKIT_CHROMIUM)`);
  }
  return out;
}

/** Prints a banner nobody can overlook. */
export function shout(lines) {
  const bar = '!'.repeat(78);
  console.error(`\n${bar}\n${lines.map((l) => `!!! ${l}`).join('\n')}\n${bar}\n`);
}

/** A free TCP port on 127.0.0.1, or `preferred` when that one is free. */
export async function freePort(preferred = 0) {
  const tryListen = (port) =>
    new Promise((ok) => {
      const s = createServer();
      s.once('error', () => ok(undefined));
      s.listen(port, '127.0.0.1', () => {
        const { port: p } = s.address();
        s.close(() => ok(p));
      });
    });
  return (preferred && (await tryListen(preferred))) || (await tryListen(0));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Processes carrying our tag in their environment. Every process we start (code-server, its
 * extension hosts, Chromium and its helpers) inherits `PVKIT_PROC_TAG`, so this finds them even if
 * one left our process group.
 */
export function processesTagged(tag) {
  const needle = `PVKIT_PROC_TAG=${tag}`;
  const pids = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(needle))
        pids.push(Number(name));
    } catch {
      // Gone already, or not ours to read.
    }
  }
  return pids;
}

/**
 * Starts code-server detached in its own process group with a private config (auth none,
 * 127.0.0.1 only), and waits until /healthz answers. `stop()` ends the group and then every process
 * still carrying the tag, and returns the pids it had to kill hard (for the caller to report).
 */
export async function startCodeServer({
  port,
  userDataDir,
  extensionsDir,
  folder,
  tag = randomUUID(),
  env = {},
  gallery = false,
  onOutput = (line) => process.stderr.write(`[code-server] ${line}\n`),
}) {
  mkdirSync(userDataDir, { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  // Always pass --config: without it code-server writes ~/.config/code-server/config.yaml.
  const config = join(userDataDir, 'code-server.yaml');
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const args = [
    '--config',
    config,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    ...(folder ? [folder] : []),
  ];
  const child = spawn(CODE_SERVER_BIN, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Without a gallery (tests, screenshots) code-server makes no request beyond loopback: an empty
    // serviceUrl turns VS Code's extension gallery off (code-server would otherwise ask open-vsx.org).
    env: {
      ...process.env,
      ...(gallery ? {} : { EXTENSIONS_GALLERY: '{"serviceUrl":""}' }),
      ...env,
      PVKIT_PROC_TAG: tag,
    },
  });
  let exited = false;
  const exitedPromise = new Promise((r) => child.on('exit', (code) => r(code)));
  child.on('exit', () => (exited = true));
  // The last lines of output, for the error message when startup fails with the output hidden.
  const recent = [];
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (d) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop();
      for (const l of lines.filter((x) => x.trim())) {
        recent.push(l);
        if (recent.length > 30) recent.shift();
        onOutput(l);
      }
    });
  }
  const startupError = (what) =>
    new Error(`${what}\n  last output of code-server:\n    ${recent.join('\n    ')}`);

  const stop = async () => {
    const signalGroup = (sig) => {
      try {
        process.kill(-child.pid, sig);
      } catch {
        // The group is empty already.
      }
    };
    signalGroup('SIGTERM');
    for (let i = 0; i < 50 && processesTagged(tag).length; i++) await sleep(100);
    signalGroup('SIGKILL');
    const stragglers = processesTagged(tag);
    for (const pid of stragglers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Exited between the scan and the kill.
      }
    }
    for (let i = 0; i < 20 && processesTagged(tag).length; i++) await sleep(100);
    return { stragglers, left: processesTagged(tag) };
  };

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) {
      await stop();
      throw startupError(`code-server exited during startup (${CODE_SERVER_BIN})`);
    }
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw startupError(`code-server did not answer ${base}/healthz within 60 s`);
    }
    await sleep(100);
  }
  return { base, host: `127.0.0.1:${port}`, tag, pid: child.pid, stop, exited: exitedPromise };
}

/** Headless Chromium through playwright-core, tagged like code-server so cleanup can verify it. */
export async function launchChromium(tag) {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM_BIN,
    headless: true,
    // Playwright's own signal handlers exit at once; ours (onInterrupt) also stop code-server.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    env: { ...process.env, PVKIT_PROC_TAG: tag },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The workbench URL for a folder, plus an optional `payload` (list of [key, value] pairs). */
export function workbenchUrl(base, folder, payload) {
  let url = `${base}/?folder=${encodeURIComponent(folder)}`;
  if (payload?.length) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

/**
 * Makes the working copy an installed extension of `extensionsDir`: a symlink named
 * `<publisher>.<name>-<version>` pointing at the repository (code-server scans unpacked folders
 * there, and follows the link). A rebuild is picked up by reloading the window.
 */
export function linkWorkingCopy(extensionsDir) {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const id = `${pkg.publisher}.${pkg.name}`;
  mkdirSync(extensionsDir, { recursive: true });
  // Drop links of other versions of this extension; two copies would register commands twice.
  for (const e of readdirSync(extensionsDir)) {
    if (!e.startsWith(`${id}-`)) continue;
    const p = join(extensionsDir, e);
    // Unlink a link itself; never walk into it (it points at the working copy).
    if (lstatSync(p).isSymbolicLink()) unlinkSync(p);
    else rmSync(p, { recursive: true, force: true });
  }
  const link = join(extensionsDir, `${id}-${pkg.version}`);
  symlinkSync(ROOT, link, 'dir');
  return { id, link };
}

/** User settings for a calm workbench: no welcome page, no trust prompt, no tips. */
export function writeUserSettings(userDataDir, extra = {}) {
  const dir = join(userDataDir, 'User');
  mkdirSync(dir, { recursive: true });
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'update.showReleaseNotes': false,
    // examples/ lives inside our git checkout; the prompt to open the parent repository is noise.
    'git.openRepositoryInParentFolders': 'never',
    ...extra,
  };
  writeFileSync(join(dir, 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
}

/**
 * Runs `cleanup` once on Ctrl+C or SIGTERM, then exits with 130. code-server runs in its own
 * process group, so the terminal's SIGINT does not reach it: without this it would outlive us.
 */
export function onInterrupt(cleanup) {
  let running = false;
  const handler = (signal) => {
    if (running) return;
    running = true;
    console.error(`\n${signal}: stopping code-server (and Chromium, if started)...`);
    void Promise.resolve()
      .then(cleanup)
      .catch((e) => console.error(e))
      .finally(() => process.exit(130));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
