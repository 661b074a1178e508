import { spawn, type ChildProcess } from 'node:child_process';
import { access, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { isAbsolute, resolve } from 'node:path';
import {
  ARCH_INFO,
  buildQemuCommand,
  type QemuCommand,
  type ResolvedForward,
  type ResolvedLaunch,
} from '../../core/qemu/buildQemuCommand';
import { ConsoleTail } from '../../core/qemu/ConsoleTail';
import { PVR_GUEST_PORT, type QemuProfile } from '../../core/qemu/QemuProfile';
import { findExecutable } from '../findExecutable';
import { commandLine, killTree, type ProcessLogger } from '../process';
import { allocatePorts } from './allocatePorts';
import { inspectDiskImage } from './inspectDiskImage';
import { PreviewError } from './PreviewError';
import { probeKvm } from './probeKvm';

export interface StartPreviewOptions {
  /**
   * The `pantavisor.qemu.path` setting: a QEMU binary used for every architecture, or a directory
   * holding `qemu-system-<arch>` binaries. Empty means the architecture's binary from PATH.
   */
  qemuPath?: string;
  /** Relative paths in the profile are resolved against this directory. */
  cwd?: string;
  logger?: ProcessLogger;
  /** How often the forwarded pvr endpoint is polled until it answers (default 500 ms). */
  readyPollMs?: number;
}

export interface PreviewExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when stop() ended it. */
  stopped: boolean;
  /** Set when QEMU or the guest ended on its own before the pvr endpoint answered. */
  error?: PreviewError;
}

type Listener<T> = (value: T) => void;

class Emitter<T> {
  private listeners = new Set<Listener<T>>();
  on(l: Listener<T>): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  fire(v: T): void {
    for (const l of [...this.listeners]) l(v);
  }
}

/** Every running QEMU of this process, killed if the process exits without stopping them. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  running.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of running) killTree(c.pid, 'SIGKILL');
    });
  }
}

/** Resolves the QEMU binary from the setting: a directory of binaries, a binary, or PATH. */
export async function resolveQemuBinary(profile: QemuProfile, qemuPath: string | undefined): Promise<string> {
  const name = ARCH_INFO[profile.arch].binary;
  if (!qemuPath) return name;
  try {
    if ((await stat(qemuPath)).isDirectory()) return resolve(qemuPath, name);
  } catch {
    // Not there: spawning it reports the missing binary with the setting to fix.
  }
  return qemuPath;
}

/**
 * A running QEMU preview: the launcher decides ports, acceleration and firmware, builds the command
 * line with {@link buildQemuCommand}, logs it, spawns QEMU in its own process group, streams the
 * serial console, and polls the forwarded pvr endpoint until it answers.
 */
export class QemuPreview {
  private readonly consoleEmitter = new Emitter<Buffer>();
  private readonly stderrEmitter = new Emitter<string>();
  private readonly readyEmitter = new Emitter<void>();
  private readonly exitEmitter = new Emitter<PreviewExit>();
  private readonly tail = new ConsoleTail(20);
  private stderrText = '';
  private isReady = false;
  private stopRequested = false;
  private exitInfo: PreviewExit | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  readonly exited: Promise<PreviewExit>;
  readonly commandLine: string;
  /** The forwarded pvr endpoint, e.g. `http://127.0.0.1:12368/cgi-bin/pvr`, when port 12368 is forwarded. */
  readonly pvrUrl: string | undefined;
  readonly startedAt = Date.now();

  private constructor(
    readonly profile: QemuProfile,
    readonly command: QemuCommand,
    readonly ports: readonly ResolvedForward[],
    readonly accel: 'kvm' | 'tcg',
    readonly accelReason: string,
    private readonly child: ChildProcess,
    private readonly logger: ProcessLogger | undefined,
    readyPollMs: number,
  ) {
    this.commandLine = commandLine(command.binary, command.args);
    const pvr = ports.find((p) => p.guest === PVR_GUEST_PORT);
    this.pvrUrl = pvr ? `http://127.0.0.1:${pvr.host}/cgi-bin/pvr` : undefined;
    this.exited = new Promise((res) => this.exitEmitter.on(res));
    child.stdout?.on('data', (d: Buffer) => {
      this.tail.push(d.toString('utf8'));
      this.consoleEmitter.fire(d);
    });
    child.stderr?.on('data', (d: Buffer) => {
      const text = d.toString('utf8');
      this.stderrText = (this.stderrText + text).slice(-8192);
      for (const line of text.split('\n')) if (line.trim()) logger?.warn(`qemu: ${line.trimEnd()}`);
      this.stderrEmitter.fire(text);
    });
    child.stdin?.on('error', () => undefined);
    child.on('close', (code, signal) => this.onClose(code, signal));
    if (this.pvrUrl) this.schedulePoll(readyPollMs);
  }

  /**
   * Checks the profile's files, picks ports, acceleration and firmware, then starts QEMU. Throws a
   * {@link PreviewError} whose message says what to fix. Resolves once QEMU has been spawned.
   */
  static async start(profile: QemuProfile, opts: StartPreviewOptions = {}): Promise<QemuPreview> {
    const logger = opts.logger;
    const cwd = opts.cwd ?? process.cwd();
    const abs = (p: string): string => (isAbsolute(p) ? p : resolve(cwd, p));
    const p: QemuProfile = { ...profile };
    const info = ARCH_INFO[p.arch];
    for (const key of ['kernel', 'initrd'] as const) {
      const v = p[key];
      if (v === undefined) continue;
      p[key] = abs(v);
      try {
        await access(p[key]);
      } catch {
        throw new PreviewError(
          'file-missing',
          `The ${key} ${p[key]} does not exist. Fix "${key}" in profile "${p.name}" (pantavisor.qemu.profiles) or the --${key} flag.`,
        );
      }
    }
    const launch: { -readonly [K in keyof ResolvedLaunch]: ResolvedLaunch[K] } = { ports: [], accel: 'tcg' };
    if (p.image !== undefined) {
      p.image = abs(p.image);
      launch.format = await inspectDiskImage(p.image, p.format);
    }
    const fw = await resolveFirmware(p, abs);
    if (fw) launch.firmwarePath = fw;
    const binary = await resolveQemuBinary(p, opts.qemuPath);
    launch.binary = binary;

    let accelReason: string;
    if (p.accel === 'tcg') accelReason = 'TCG requested by the profile';
    else {
      const kvm = await probeKvm(binary, p.arch, logger);
      if (kvm.usable) {
        launch.accel = 'kvm';
        accelReason = kvm.reason;
      } else if (p.accel === 'kvm') {
        throw new PreviewError(
          'kvm-unavailable',
          `KVM is unavailable: ${kvm.reason}. Set "accel" to "auto" or "tcg" in profile "${p.name}" (or --accel tcg) to use software emulation.`,
        );
      } else {
        accelReason = `KVM unavailable (${kvm.reason}); using TCG software emulation, which is slower`;
      }
    }
    logger?.info(`preview "${p.name}": acceleration ${launch.accel.toUpperCase()}: ${accelReason}`);

    launch.ports = await allocatePorts(p.forwards);
    for (const f of launch.ports) {
      const asked = p.forwards.find((x) => x.guest === f.guest)?.host ?? f.guest;
      const note = asked !== f.host ? ` (${asked} was taken)` : '';
      logger?.info(
        `preview "${p.name}": guest port ${f.guest}${f.name ? ` (${f.name})` : ''} -> 127.0.0.1:${f.host}${note}`,
      );
    }

    const command = buildQemuCommand(p, launch);
    logger?.info(`$ ${commandLine(command.binary, command.args)}`);
    const notInstalled = (): PreviewError => {
      logger?.warn(`${command.binary}: not found (PATH=${process.env['PATH'] ?? ''})`);
      return new PreviewError(
        'qemu-not-found',
        `QEMU for ${p.arch} (${command.binary}) is not installed. Install the Debian package ${info.debianPackage} ` +
          `(apt-get install ${info.debianPackage}), or set "pantavisor.qemu.path" (pvkit: --qemu) to the QEMU binary.`,
      );
    };
    const qemu = await findExecutable(command.binary, process.env, cwd);
    if (!qemu) throw notInstalled();
    // QEMU runs in its own process group (so Stop ends all of it) and must still not outlive us
    // when this process is killed outright (an extension host crash, kill -9), which no exit hook
    // sees: util-linux's setpriv sets the parent-death signal and then execs QEMU, so the pid
    // stays QEMU's. Without setpriv, the exit hook and dispose() are what stop it.
    const setpriv = await findExecutable('setpriv');
    const child = setpriv
      ? spawn(setpriv, ['--pdeathsig', 'KILL', '--', qemu, ...command.args], {
          cwd,
          detached: true,
          stdio: ['pipe', 'pipe', 'pipe'],
        })
      : spawn(qemu, command.args, { cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    await new Promise<void>((res, rej) => {
      child.once('spawn', () => res());
      child.once('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') rej(notInstalled());
        else rej(new PreviewError('spawn-failed', `${command.binary} could not start: ${e.message}`));
      });
    });
    track(child);
    return new QemuPreview(
      p,
      command,
      launch.ports,
      launch.accel,
      accelReason,
      child,
      logger,
      opts.readyPollMs ?? 500,
    );
  }

  get pid(): number | undefined {
    return this.child.pid;
  }
  get ready(): boolean {
    return this.isReady;
  }
  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** Serial console output, as raw bytes (colours and all). */
  onConsole(l: Listener<Buffer>): () => void {
    return this.consoleEmitter.on(l);
  }
  /** QEMU's own messages (not the guest's). */
  onStderr(l: Listener<string>): () => void {
    return this.stderrEmitter.on(l);
  }
  /** Fired once when the guest's pvr endpoint answers through its forwarded port. */
  onReady(l: Listener<void>): () => void {
    return this.readyEmitter.on(l);
  }
  onExit(l: Listener<PreviewExit>): () => void {
    if (this.exitInfo) {
      l(this.exitInfo);
      return () => undefined;
    }
    return this.exitEmitter.on(l);
  }

  /** Types into the guest's serial console. */
  write(data: string | Buffer): void {
    if (this.running) this.child.stdin?.write(data);
  }

  /** The last console lines, escape sequences removed. */
  consoleTail(): string {
    return this.tail.text();
  }

  /** Stops QEMU (SIGTERM to its process group, SIGKILL after `graceMs`) and resolves when it is gone. */
  stop(graceMs = 3000): Promise<PreviewExit> {
    if (this.exitInfo) return Promise.resolve(this.exitInfo);
    this.stopRequested = true;
    killTree(this.child.pid, 'SIGTERM');
    const t = setTimeout(() => killTree(this.child.pid, 'SIGKILL'), graceMs);
    return this.exited.finally(() => clearTimeout(t));
  }

  private onClose(code: number | null, signal: NodeJS.Signals | null): void {
    running.delete(this.child);
    if (this.pollTimer) clearTimeout(this.pollTimer);
    const info: PreviewExit = { code, signal, stopped: this.stopRequested };
    // Without a pvr forward there is no readiness to wait for, so a clean power-off is no error.
    const cleanWithoutPvr = !this.pvrUrl && code === 0;
    if (!this.stopRequested && !this.isReady && !cleanWithoutPvr)
      info.error = this.earlyExitError(code, signal);
    this.exitInfo = info;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    this.logger?.info(`preview "${this.profile.name}": QEMU (pid ${this.child.pid}) exited with ${how}`);
    this.exitEmitter.fire(info);
  }

  private earlyExitError(code: number | null, signal: NodeJS.Signals | null): PreviewError {
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const stderr = this.stderrText.trim();
    if (/host forwarding rule|Could not set up host forwarding/i.test(stderr)) {
      return new PreviewError(
        'port-in-use',
        `QEMU could not bind a forwarded port on 127.0.0.1 (another program took it): ${stderr.split('\n')[0]}. Start the preview again to choose free ports.`,
      );
    }
    const tail = this.tail.text();
    const what = this.pvrUrl ? "before the guest's pvr endpoint answered" : 'on its own';
    const parts = [`QEMU ${how} ${what}.`];
    if (stderr) parts.push(`QEMU said: ${stderr.split('\n').slice(-5).join(' | ')}`);
    parts.push(tail ? `Last console lines:\n${tail}` : 'The guest printed nothing on the serial console.');
    return new PreviewError('early-exit', parts.join(' '), tail);
  }

  private schedulePoll(ms: number): void {
    this.pollTimer = setTimeout(() => {
      if (!this.running || this.isReady || !this.pvrUrl) return;
      void httpAnswers(this.pvrUrl, 2000).then((ok) => {
        if (!this.running || this.isReady) return;
        if (ok) {
          this.isReady = true;
          this.logger?.info(`preview "${this.profile.name}": pvr endpoint answers at ${this.pvrUrl}`);
          this.readyEmitter.fire();
        } else this.schedulePoll(ms);
      });
    }, ms);
  }
}

/**
 * True when an HTTP server answers at `url` with any status. A plain TCP connect is not enough:
 * QEMU's user-mode network accepts connections on a forwarded port even when nothing listens in
 * the guest, and then closes them.
 */
export function httpAnswers(url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((res) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs }, (r) => {
      r.resume();
      res(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => res(false));
    req.end();
  });
}

async function resolveFirmware(p: QemuProfile, abs: (s: string) => string): Promise<string | undefined> {
  const info = ARCH_INFO[p.arch];
  const fw = p.firmware.trim() || 'auto';
  const bootsDisk = p.image !== undefined && p.kernel === undefined;
  let wantUefi = fw === 'uefi';
  if (fw === 'auto') wantUefi = bootsDisk && info.diskNeedsUefi;
  if (fw === 'bios' || (!wantUefi && fw === 'auto')) return undefined;
  if (wantUefi) {
    for (const c of info.uefi.paths) {
      try {
        await access(c);
        return c;
      } catch {
        // Try the next location.
      }
    }
    throw new PreviewError(
      'firmware-missing',
      `Booting a ${p.arch} disk image needs UEFI firmware, which is not installed. Install the Debian package ` +
        `${info.uefi.debianPackage} (apt-get install ${info.uefi.debianPackage}), or set "firmware" in profile "${p.name}" to a firmware file.`,
    );
  }
  const path = abs(fw);
  try {
    await access(path);
  } catch {
    throw new PreviewError(
      'firmware-missing',
      `The firmware file ${path} does not exist. Fix "firmware" in profile "${p.name}" (auto, bios, uefi or a file path).`,
    );
  }
  return path;
}
