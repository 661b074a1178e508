import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { arch as hostArch } from 'node:os';
import { ARCH_INFO } from '../../core/qemu/buildQemuCommand';
import { QEMU_ARCHES, type QemuArch } from '../../core/qemu/QemuProfile';
import { run, type ProcessLogger } from '../process';
import { probeKvm } from '../qemu/probeKvm';
import { httpAnswers, resolveQemuBinary } from '../qemu/QemuPreview';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  /** What was found, e.g. a version. */
  detail: string;
  /** What to do when it is not ok. */
  fix?: string;
}

export interface DoctorOptions {
  env?: NodeJS.ProcessEnv;
  logger?: ProcessLogger;
  signal?: AbortSignal;
  /** Binary paths from the settings (`pantavisor.pvr.path`, `pantavisor.qemu.path`...). */
  pvrPath?: string;
  qemuPath?: string;
  dockerHost?: string;
  /** The push target to reach (VS Code: the status bar's target; CLI: `--target`). */
  target?: { label: string; url: string };
  /** Whether a Pantahub token is stored; undefined when the caller cannot tell (no check). */
  pantahubSignedIn?: boolean;
}

export type DoctorCheck = (o: DoctorOptions) => Promise<CheckResult>;

function firstLine(s: string): string {
  return (
    s
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? ''
  );
}

async function binary(
  o: DoctorOptions,
  id: string,
  title: string,
  cmd: string,
  args: string[],
  fix: string,
  severity: 'warn' | 'fail',
): Promise<CheckResult> {
  const r = await run(cmd, args, {
    env: { ...process.env, ...o.env, PVR_DISABLE_SELF_UPGRADE: '1' },
    ...(o.logger ? { logger: o.logger } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  if (r.error?.kind === 'not-found') return { id, title, status: severity, detail: `${cmd} not found`, fix };
  if (r.error) return { id, title, status: severity, detail: r.error.message, fix };
  const version = firstLine(r.stdout) || firstLine(r.stderr);
  return {
    id,
    title,
    status: r.exitCode === 0 ? 'ok' : severity,
    detail: version || `exit ${r.exitCode}`,
    ...(r.exitCode === 0 ? {} : { fix }),
  };
}

/** Asks a Docker-compatible engine for `/_ping` over a unix socket or TCP (loopback only in tests). */
export function pingEngine(host: string, timeoutMs = 3000): Promise<{ ok: boolean; detail: string }> {
  return new Promise((resolve) => {
    let opts: { socketPath?: string; host?: string; port?: number };
    if (host.startsWith('unix://')) opts = { socketPath: host.slice('unix://'.length) };
    else if (host.startsWith('tcp://') || host.startsWith('http://')) {
      const u = new URL(host.replace(/^tcp:/, 'http:'));
      opts = { host: u.hostname, port: Number(u.port || 2375) };
    } else opts = { socketPath: host };
    const req = request({ ...opts, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        const api = res.headers['api-version'];
        resolve({
          ok: res.statusCode === 200,
          detail: `${host}: ${body.trim() || res.statusCode}${typeof api === 'string' ? ` (API ${api})` : ''}`,
        });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e) => resolve({ ok: false, detail: `${host}: ${e.message}` }));
    req.end();
  });
}

/** Where a Docker-compatible engine may listen, in the order dockerode and the CLIs look. */
export function engineCandidates(o: DoctorOptions): string[] {
  const env = { ...process.env, ...o.env };
  const list: string[] = [];
  if (o.dockerHost) list.push(o.dockerHost);
  if (env['DOCKER_HOST']) list.push(env['DOCKER_HOST']);
  list.push('unix:///var/run/docker.sock', 'unix:///run/podman/podman.sock');
  const uid = process.getuid?.();
  if (uid !== undefined && uid !== 0) list.push(`unix:///run/user/${uid}/podman/podman.sock`);
  return [...new Set(list)];
}

export const CHECKS: DoctorCheck[] = [
  (o) =>
    binary(
      o,
      'pvr',
      'pvr (optional)',
      o.pvrPath ?? 'pvr',
      ['--version'],
      'pvkit works without pvr; to use it, install it and set "pantavisor.pvr.path".',
      'warn',
    ),
  async (o) => {
    const tried: string[] = [];
    for (const host of engineCandidates(o)) {
      if (host.startsWith('unix://') && !existsSync(host.slice(7))) {
        tried.push(`${host}: no socket`);
        continue;
      }
      const r = await pingEngine(host);
      if (r.ok) return { id: 'engine', title: 'Docker/Podman engine', status: 'ok', detail: r.detail };
      tried.push(r.detail);
    }
    return {
      id: 'engine',
      title: 'Docker/Podman engine',
      status: 'warn',
      detail: tried.join('; '),
      fix: 'Needed to build images and import local ones: start Docker, or `podman system service --time=0 unix:///run/podman/podman.sock`, or set DOCKER_HOST / "pantavisor.docker.host".',
    };
  },
  (o) =>
    binary(
      o,
      'mksquashfs',
      'mksquashfs',
      'mksquashfs',
      ['-version'],
      'Install squashfs-tools (apt-get install squashfs-tools) to import images.',
      'fail',
    ),
  async (o) => {
    const arch = hostQemuArch();
    const bin = await resolveQemuBinary({ arch }, o.qemuPath);
    return binary(
      o,
      'qemu',
      'QEMU',
      bin,
      ['--version'],
      `Install ${ARCH_INFO[arch].debianPackage} (apt-get install ${ARCH_INFO[arch].debianPackage}; qemu-system-arm for ARM previews), or set "pantavisor.qemu.path".`,
      'warn',
    );
  },
  async (o) => {
    // The preview's own probe: it boots firmware under KVM, so "ok" here means previews use KVM.
    const arch = hostQemuArch();
    const bin = await resolveQemuBinary({ arch }, o.qemuPath);
    const r = await probeKvm(bin, arch, o.logger);
    if (r.usable) return { id: 'kvm', title: 'KVM', status: 'ok', detail: r.reason };
    if (r.ran === false)
      return {
        id: 'kvm',
        title: 'KVM',
        status: 'skip',
        detail: r.reason,
        fix: 'Install QEMU first (see the QEMU line); KVM is probed with it.',
      };
    return {
      id: 'kvm',
      title: 'KVM',
      status: 'warn',
      detail: r.reason,
      fix: kvmFix(r.reason),
    };
  },
  async (o) => {
    if (!o.target) {
      return {
        id: 'target',
        title: 'Push target',
        status: 'skip',
        detail: 'none given',
        fix: 'Pick a push target (VS Code: the status bar; pvkit doctor --target URL).',
      };
    }
    const ok = await httpAnswers(o.target.url, 3000);
    return {
      id: 'target',
      title: 'Push target',
      status: ok ? 'ok' : 'warn',
      detail: `${o.target.label}: ${o.target.url} ${ok ? 'answers' : 'does not answer'}`,
      ...(ok
        ? {}
        : {
            fix: 'Start the device or its endpoint (pvkit serve DIR, or a QEMU preview), check the address, or pick another target.',
          }),
    };
  },
  (o) =>
    Promise.resolve<CheckResult>(
      o.pantahubSignedIn === undefined
        ? {
            id: 'pantahub',
            title: 'Pantahub sign-in',
            status: 'skip',
            detail: 'not checked here',
            fix: 'Sign in from VS Code (Pantavisor: Pantahub: Sign In), or with `pvr login` for the CLI.',
          }
        : o.pantahubSignedIn
          ? { id: 'pantahub', title: 'Pantahub sign-in', status: 'ok', detail: 'signed in' }
          : {
              id: 'pantahub',
              title: 'Pantahub sign-in',
              status: 'warn',
              detail: 'not signed in (needed only for Pantahub devices)',
              fix: 'Run "Pantavisor: Pantahub: Sign In".',
            },
    ),
];

function kvmFix(reason: string): string {
  const slower = 'Previews fall back to software emulation (TCG), which is slower.';
  if (!existsSync('/dev/kvm'))
    return `${slower} Enable virtualization (VT-x/AMD-V in the firmware, nested virtualization for a VM) and load kvm_intel or kvm_amd.`;
  if (reason.includes('cannot be opened'))
    return `${slower} Add yourself to the kvm group (sudo usermod -aG kvm $USER, then log in again).`;
  if (reason.includes('cannot run'))
    return `${slower} KVM only runs guests of the host's architecture; nothing to fix.`;
  return `${slower} /dev/kvm opens but QEMU cannot run a guest with it (often nested virtualization without MSR support); nothing to fix here, or enable full nested virtualization on the host.`;
}

/** The QEMU architecture of this machine (previews of it can use KVM); x86_64 elsewhere. */
export function hostQemuArch(): QemuArch {
  return QEMU_ARCHES.find((a) => ARCH_INFO[a].kvmHosts.includes(hostArch())) ?? 'x86_64';
}

export async function runDoctor(
  o: DoctorOptions = {},
  checks: DoctorCheck[] = CHECKS,
): Promise<CheckResult[]> {
  return Promise.all(
    checks.map((c) =>
      c(o).catch((e: unknown): CheckResult => ({
        id: 'internal',
        title: 'check',
        status: 'fail',
        detail: String(e),
        fix: 'This is a pvkit bug: copy the report and the log (Pantavisor: Show Log) into an issue.',
      })),
    ),
  );
}

const MARK: Record<CheckStatus, string> = { ok: '✔', warn: '!', fail: '✘', skip: '-' };

export function formatReport(results: readonly CheckResult[]): string {
  const lines = results.map(
    (r) =>
      `${MARK[r.status]} ${r.title}: ${r.detail}${r.fix && r.status !== 'ok' ? `\n    fix: ${r.fix}` : ''}`,
  );
  return `pvkit doctor\n${lines.join('\n')}\n`;
}
