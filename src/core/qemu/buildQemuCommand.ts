import type { DiskFormat, QemuArch, QemuProfile } from './QemuProfile';

/** Per-architecture facts: binary, machine, CPU under TCG, kernel console, Debian packages. */
export interface ArchInfo {
  binary: string;
  /** The Debian package that ships `binary` (named in "QEMU not installed" errors). */
  debianPackage: string;
  machine: string;
  /** CPU model under TCG; KVM always uses `host` so the probe and the real run match. */
  tcgCpu?: string;
  /** Serial console device name inside the guest, for `console=` on the kernel command line. */
  console: string;
  /** Machine `uname -m` values on which KVM can run this guest. */
  kvmHosts: readonly string[];
  /** Whether booting a disk image needs UEFI firmware (ARM `virt` has no BIOS). */
  diskNeedsUefi: boolean;
  /** Where Debian installs the UEFI firmware for `-bios`, and which package has it. */
  uefi: { paths: readonly string[]; debianPackage: string };
}

export const ARCH_INFO: Record<QemuArch, ArchInfo> = {
  x86_64: {
    binary: 'qemu-system-x86_64',
    debianPackage: 'qemu-system-x86',
    machine: 'q35',
    console: 'ttyS0',
    kvmHosts: ['x64', 'x86_64'],
    diskNeedsUefi: false,
    uefi: { paths: ['/usr/share/ovmf/OVMF.fd', '/usr/share/qemu/OVMF.fd'], debianPackage: 'ovmf' },
  },
  aarch64: {
    binary: 'qemu-system-aarch64',
    debianPackage: 'qemu-system-arm',
    machine: 'virt',
    tcgCpu: 'cortex-a57',
    console: 'ttyAMA0',
    kvmHosts: ['arm64', 'aarch64'],
    diskNeedsUefi: true,
    uefi: { paths: ['/usr/share/qemu-efi-aarch64/QEMU_EFI.fd'], debianPackage: 'qemu-efi-aarch64' },
  },
  arm: {
    binary: 'qemu-system-arm',
    debianPackage: 'qemu-system-arm',
    machine: 'virt',
    tcgCpu: 'cortex-a15',
    console: 'ttyAMA0',
    kvmHosts: ['arm'],
    diskNeedsUefi: true,
    uefi: { paths: ['/usr/share/AAVMF/AAVMF32_CODE.fd'], debianPackage: 'qemu-efi-arm' },
  },
};

/** A forward after port allocation: the host port is now fixed. */
export interface ResolvedForward {
  guest: number;
  host: number;
  name?: string;
}

/** What the launcher decided before building the command line. */
export interface ResolvedLaunch {
  ports: readonly ResolvedForward[];
  accel: 'kvm' | 'tcg';
  /** The QEMU binary (the `pantavisor.qemu.path` setting); defaults to the architecture's binary. */
  binary?: string;
  /** The disk image format as detected from its header, when the profile did not say. */
  format?: DiskFormat;
  /** A firmware file for `-bios`; absent means the machine's default (SeaBIOS on x86). */
  firmwarePath?: string;
}

export interface QemuCommand {
  binary: string;
  args: string[];
}

/** Adds `console=<dev>` unless the command line already chooses a console. */
export function kernelCommandLine(append: string | undefined, arch: QemuArch): string {
  const base = (append ?? '').trim();
  if (/(^|\s)console=/.test(base)) return base;
  return [`console=${ARCH_INFO[arch].console}`, base].filter(Boolean).join(' ');
}

/**
 * QEMU's option parser treats `,` as a separator inside `-drive file=...`; a literal comma is
 * written twice.
 */
function optValue(v: string): string {
  return v.replace(/,/g, ',,');
}

/**
 * Builds the QEMU command line for a profile. Pure: every decision that needs the machine (free
 * ports, KVM, firmware location, image format) arrives in `launch`.
 *
 * The serial console is QEMU's stdio (`signal=off` so a Ctrl-C typed in the terminal reaches the
 * guest instead of killing QEMU); there is no monitor and no display. `-nodefaults` keeps QEMU from
 * adding devices we did not ask for, such as a second NIC that would need an iPXE ROM.
 */
export function buildQemuCommand(profile: QemuProfile, launch: ResolvedLaunch): QemuCommand {
  const info = ARCH_INFO[profile.arch];
  const args: string[] = ['-name', `pvkit-${profile.name}`, '-nodefaults', '-no-user-config'];
  args.push('-machine', info.machine);
  if (launch.accel === 'kvm') args.push('-accel', 'kvm', '-cpu', 'host');
  else {
    args.push('-accel', 'tcg');
    if (info.tcgCpu) args.push('-cpu', info.tcgCpu);
  }
  args.push('-m', String(profile.memoryMb), '-smp', String(profile.cpus));
  if (launch.firmwarePath) args.push('-bios', launch.firmwarePath);
  args.push('-display', 'none', '-monitor', 'none');
  args.push('-chardev', 'stdio,id=console,signal=off', '-serial', 'chardev:console');

  if (profile.kernel) {
    args.push('-kernel', profile.kernel);
    if (profile.initrd) args.push('-initrd', profile.initrd);
    args.push('-append', kernelCommandLine(profile.append, profile.arch));
  }
  if (profile.image) {
    const format = profile.format ?? launch.format ?? 'raw';
    args.push('-drive', `file=${optValue(profile.image)},format=${format},if=virtio`);
    if (profile.snapshot) args.push('-snapshot');
  }

  // User-mode networking; forwards listen on 127.0.0.1 only, never on all interfaces.
  const fwd = launch.ports.map((p) => `,hostfwd=tcp:127.0.0.1:${p.host}-:${p.guest}`).join('');
  args.push('-netdev', `user,id=net0${fwd}`);
  args.push('-device', 'virtio-net-pci,netdev=net0,romfile=');

  args.push(...profile.extraArgs);
  return { binary: launch.binary || info.binary, args };
}
