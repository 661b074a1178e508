import * as vscode from 'vscode';
import type { ResolvedForward } from '../../core/qemu/buildQemuCommand';
import type { QemuArch, QemuProfile } from '../../core/qemu/QemuProfile';
import { QemuPreview } from '../../platform/qemu/QemuPreview';
import type { Ctx } from '../ctx';
import { log } from '../log';
import { PreviewTerminal } from './PreviewTerminal';

export type PreviewState = 'starting' | 'running' | 'ready' | 'stopped' | 'failed';

/**
 * What the devices view and "Push to preview" need to know about one preview, as plain data.
 * `ready` turns true once the guest's pvr endpoint answers at `pvrUrl` (its forwarded port on
 * 127.0.0.1); that URL is what `pvr post` / our push client posts to.
 */
export interface PreviewInfo {
  name: string;
  arch: QemuArch;
  state: PreviewState;
  ready: boolean;
  /** `http://127.0.0.1:<port>/cgi-bin/pvr` when guest port 12368 is forwarded. */
  pvrUrl?: string;
  ports: readonly ResolvedForward[];
  pid?: number;
  accel?: 'kvm' | 'tcg';
  commandLine?: string;
  /** Why it failed or stopped on its own. */
  error?: string;
}

interface Session {
  profile: QemuProfile;
  state: PreviewState;
  preview?: QemuPreview;
  pty?: PreviewTerminal;
  terminal?: vscode.Terminal;
  error?: string;
  /** Unsubscribes from the current QemuPreview's events. */
  unhook: (() => void)[];
}

export interface PreviewManagerOptions {
  /** The `pantavisor.qemu.path` setting, read at each start. */
  qemuPath: () => string;
  /** Relative profile paths resolve against this (the first workspace folder). */
  cwd: () => string | undefined;
}

/**
 * Owns the running QEMU previews of the window: one terminal and at most one QEMU per profile
 * name. Disposing it (on deactivate, through `ctx.pushCleanup`) stops every QEMU.
 */
export class PreviewManager implements vscode.Disposable {
  private readonly sessions = new Map<string, Session>();
  private readonly changed = new vscode.EventEmitter<readonly PreviewInfo[]>();
  /** Fires with the full list whenever a preview starts, becomes ready, stops or fails. */
  readonly onDidChangePreviews = this.changed.event;

  constructor(private readonly opts: PreviewManagerOptions) {}

  previews(): PreviewInfo[] {
    return [...this.sessions.keys()].map((n) => this.info(n)!);
  }

  info(name: string): PreviewInfo | undefined {
    const s = this.sessions.get(name);
    if (!s) return undefined;
    const p = s.preview;
    const info: PreviewInfo = {
      name,
      arch: s.profile.arch,
      state: s.state,
      ready: s.state === 'ready',
      ports: p?.ports ?? [],
    };
    if (p?.pvrUrl) info.pvrUrl = p.pvrUrl;
    if (p?.pid !== undefined && p.running) info.pid = p.pid;
    if (p) {
      info.accel = p.accel;
      info.commandLine = p.commandLine;
    }
    if (s.error) info.error = s.error;
    return info;
  }

  /** Names of previews whose QEMU is running. */
  running(): string[] {
    return [...this.sessions.entries()].filter(([, s]) => s.preview?.running).map(([n]) => n);
  }

  /** What the terminal of a preview has shown (for tests and diagnostics). */
  transcript(name: string): string {
    return this.sessions.get(name)?.pty?.transcript() ?? '';
  }

  /** The size VS Code last gave the preview's terminal (rows and columns), if it is open. */
  terminalDimensions(name: string): vscode.TerminalDimensions | undefined {
    return this.sessions.get(name)?.pty?.dimensions;
  }

  /**
   * Starts the profile in its terminal, or reveals it if it already runs. Throws a
   * `PreviewError` when QEMU cannot start; the terminal and log say the same.
   */
  async start(profile: QemuProfile): Promise<PreviewInfo> {
    let s = this.sessions.get(profile.name);
    if (s?.preview?.running || s?.state === 'starting') {
      // Already running, or a start is under way (a second click must not launch a second QEMU).
      s.terminal?.show(true);
      return this.info(profile.name)!;
    }
    if (!s) {
      s = { profile, state: 'starting', unhook: [] };
      this.sessions.set(profile.name, s);
    }
    s.profile = profile;
    s.state = 'starting';
    delete s.error;
    const session = s;
    const pty = this.ensureTerminal(profile.name, session);
    pty.status(`starting preview "${profile.name}" (${profile.arch})`);
    this.fire();
    let preview: QemuPreview;
    try {
      const cwd = this.opts.cwd();
      preview = await QemuPreview.start(profile, {
        qemuPath: this.opts.qemuPath(),
        logger: { info: (m) => log.info(m), warn: (m) => log.warn(m) },
        ...(cwd ? { cwd } : {}),
      });
    } catch (e) {
      session.state = 'failed';
      session.error = e instanceof Error ? e.message : String(e);
      pty.status(`\x1b[31m${session.error}\x1b[0m`);
      log.warn(`preview "${profile.name}" did not start: ${session.error}`);
      this.fire();
      throw e;
    }
    session.preview = preview;
    session.state = 'running';
    pty.status(`${preview.accel.toUpperCase()}: ${preview.accelReason}`);
    for (const f of preview.ports) {
      pty.status(`guest port ${f.guest}${f.name ? ` (${f.name})` : ''} -> 127.0.0.1:${f.host}`);
    }
    pty.status('full QEMU command line in the "Pantavisor" log');
    session.unhook = [
      preview.onConsole((d) => session.pty?.writeConsole(d)),
      preview.onStderr((t) => session.pty?.status(`qemu: ${t.trimEnd()}`)),
      preview.onReady(() => {
        session.state = 'ready';
        session.pty?.status(`ready: the pvr endpoint answers at ${preview.pvrUrl ?? ''}`);
        this.fire();
      }),
      preview.onExit((exit) => {
        if (session.preview !== preview) return;
        for (const u of session.unhook.splice(0)) u();
        const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
        session.state = exit.error ? 'failed' : 'stopped';
        if (exit.error) {
          session.error = exit.error.message;
          session.pty?.status(
            `\x1b[31mQEMU exited with ${how}: ${exit.error.message.split('\n')[0] ?? ''}\x1b[0m`,
          );
          log.warn(`preview "${profile.name}": ${exit.error.message}`);
          void vscode.window
            .showErrorMessage(
              `Preview "${profile.name}": ${oneLine(exit.error.message)}`,
              'Restart',
              'Show Log',
            )
            .then((pick) => {
              if (pick === 'Restart')
                void vscode.commands.executeCommand('pantavisor.qemu.restart', profile.name);
              if (pick === 'Show Log') log.show();
            });
        } else {
          session.pty?.status(
            `QEMU exited with ${how}. Run "Pantavisor: Restart QEMU Preview" to boot again.`,
          );
        }
        this.fire();
      }),
    ];
    this.fire();
    return this.info(profile.name)!;
  }

  async stop(name: string): Promise<void> {
    const s = this.sessions.get(name);
    if (!s?.preview?.running) return;
    s.pty?.status('stopping');
    await s.preview.stop();
  }

  async restart(profile: QemuProfile): Promise<PreviewInfo> {
    const s = this.sessions.get(profile.name);
    if (s?.preview?.running) {
      s.pty?.status('restarting');
      await s.preview.stop();
    }
    return this.start(profile);
  }

  private ensureTerminal(name: string, s: Session): PreviewTerminal {
    if (s.pty && !s.pty.isClosed && s.terminal) {
      s.terminal.show(true);
      return s.pty;
    }
    const pty = new PreviewTerminal(
      (data) => s.preview?.write(data),
      () => {
        // The terminal is gone: stop its QEMU and forget the terminal, keep the state.
        if (s.pty === pty) {
          delete s.pty;
          delete s.terminal;
        }
        void s.preview?.stop();
      },
    );
    s.pty = pty;
    s.terminal = vscode.window.createTerminal({
      name: `QEMU: ${name}`,
      pty,
      iconPath: new vscode.ThemeIcon('vm'),
    });
    s.terminal.show(true);
    return pty;
  }

  private fire(): void {
    this.changed.fire(this.previews());
  }

  dispose(): void {
    for (const s of this.sessions.values()) {
      for (const u of s.unhook.splice(0)) u();
      // stop() sends SIGTERM at once (SIGKILL follows); the process-exit hook kills stragglers.
      if (s.preview?.running) void s.preview.stop();
      s.terminal?.dispose();
      s.pty?.dispose();
    }
    this.sessions.clear();
    this.changed.dispose();
  }
}

function oneLine(message: string): string {
  const lines = message.split('\n').filter((l) => l.trim());
  return lines.length <= 1 ? message : `${lines[0] ?? ''} … ${lines.slice(-3).join(' | ')}`;
}

// Kept on the Ctx object under a global symbol, so that code bundled separately (the integration
// tests) finds the same manager through its own copy of this module.
const KEY = Symbol.for('pvkit.qemu.previewManager');

/**
 * The window's preview manager, created on first use and disposed with `ctx`. Other features (the
 * devices view, "Push to preview") subscribe to `onDidChangePreviews` and read `previews()`.
 */
export function getPreviewManager(ctx: Ctx): PreviewManager {
  const holder = ctx as unknown as Record<symbol, PreviewManager | undefined>;
  let m = holder[KEY];
  if (!m) {
    m = new PreviewManager({
      qemuPath: () => ctx.config.qemuPath,
      cwd: () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    });
    holder[KEY] = m;
    const manager = m;
    ctx.pushCleanup({
      dispose: () => {
        manager.dispose();
        delete holder[KEY];
      },
    });
  }
  return m;
}
