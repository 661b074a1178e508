import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { arch as hostArch } from 'node:os';
import { ARCH_INFO } from '../../core/qemu/buildQemuCommand';
import type { QemuArch } from '../../core/qemu/QemuProfile';
import { killTree, type ProcessLogger } from '../process';

export interface KvmProbeResult {
  usable: boolean;
  /** Why KVM is or is not used, for the log ("KVM unavailable: ..."). */
  reason: string;
  /** False when the QEMU binary could not be started at all (the answer is then not cached). */
  ran?: boolean;
}

const cache = new Map<string, Promise<KvmProbeResult>>();

/**
 * Finds out whether KVM works by trying it: opening `/dev/kvm` is not enough (on some hosts the
 * device opens but QEMU aborts setting MSRs, or the guest hangs on an emulation failure). The probe
 * starts QEMU with `-accel kvm -cpu host` (the CPU the real run would use) and no boot device, and
 * watches SeaBIOS write to the debug port: output means the vCPU executes code; an early exit or
 * a "KVM internal error" means it does not. The result is cached per binary for the process.
 */
export function probeKvm(
  binary: string,
  arch: QemuArch,
  logger?: ProcessLogger,
  timeoutMs = 3000,
): Promise<KvmProbeResult> {
  const key = `${binary}\0${arch}`;
  let p = cache.get(key);
  if (!p) {
    p = runProbe(binary, arch, logger, timeoutMs);
    cache.set(key, p);
    // A binary that could not be started says nothing about KVM: ask again once it is installed.
    void p.then((r) => {
      if (!r.ran) cache.delete(key);
    });
  }
  return p;
}

async function runProbe(
  binary: string,
  arch: QemuArch,
  logger: ProcessLogger | undefined,
  timeoutMs: number,
): Promise<KvmProbeResult> {
  const info = ARCH_INFO[arch];
  if (!info.kvmHosts.includes(hostArch())) {
    return { usable: false, reason: `KVM cannot run ${arch} guests on this ${hostArch()} host` };
  }
  try {
    const fh = await open('/dev/kvm', 'r+');
    await fh.close();
  } catch (e) {
    return {
      usable: false,
      reason: `/dev/kvm cannot be opened (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    };
  }
  const args = [
    ...[
      '-nodefaults',
      '-no-user-config',
      '-machine',
      info.machine,
      '-accel',
      'kvm',
      '-cpu',
      'host',
      '-m',
      '64',
    ],
    ...['-display', 'none', '-monitor', 'none', '-serial', 'none'],
  ];
  if (arch === 'x86_64')
    args.push('-chardev', 'stdio,id=dbg', '-device', 'isa-debugcon,iobase=0x402,chardev=dbg');
  logger?.info(`KVM probe: ${binary} ${args.join(' ')}`);
  return new Promise((resolve) => {
    let stderr = '';
    let done = false;
    const child = spawn(binary, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const finish = (r: KvmProbeResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      killTree(child.pid, 'SIGKILL');
      resolve(r);
    };
    const timer = setTimeout(
      () =>
        // No firmware output on the debug port (non-x86) but still running: KVM took the guest.
        finish(
          arch === 'x86_64'
            ? { usable: false, reason: 'the KVM probe guest printed nothing' }
            : { usable: true, reason: 'KVM probe ran' },
        ),
      timeoutMs,
    );
    child.stdout.on('data', () => finish({ usable: true, reason: 'KVM probe guest ran firmware code' }));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/KVM internal error|emulation failure/i.test(stderr)) {
        finish({ usable: false, reason: `KVM failed: ${firstLine(stderr)}` });
      }
    });
    child.on('error', (e) =>
      finish({ usable: false, ran: false, reason: `KVM probe could not start ${binary}: ${e.message}` }),
    );
    child.on('close', (code, sig) =>
      finish({
        usable: false,
        reason: `KVM probe exited (${sig ?? `code ${code}`}): ${firstLine(stderr) || 'no message'}`,
      }),
    );
  });
}

function firstLine(s: string): string {
  return s.trim().split('\n')[0]?.trim() ?? '';
}
