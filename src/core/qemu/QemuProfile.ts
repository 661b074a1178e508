/**
 * A QEMU preview profile: what to boot and how. The same shape is stored in the
 * `pantavisor.qemu.profiles` setting, built from `pvkit preview` flags, and fed to
 * {@link buildQemuCommand}. Parsing never throws; it returns the problems it found.
 */

export type QemuArch = 'x86_64' | 'aarch64' | 'arm';
export type QemuAccel = 'auto' | 'kvm' | 'tcg';
export type DiskFormat = 'raw' | 'qcow2';

export const QEMU_ARCHES: readonly QemuArch[] = ['x86_64', 'aarch64', 'arm'];

/** The device's pvr endpoint (pvr-sdk httpd) and its debug SSH, as Pantavisor images ship them. */
export const PVR_GUEST_PORT = 12368;
export const SSH_GUEST_PORT = 8222;

export interface PortForward {
  /** Guest TCP port. */
  guest: number;
  /**
   * Host port on 127.0.0.1. When absent the guest port is tried first and a free port is chosen
   * if it is taken; when given, it must be free or the preview does not start.
   */
  host?: number;
  /** A label for logs and the devices view, e.g. `pvr` or `ssh`. */
  name?: string;
}

export interface QemuProfile {
  name: string;
  arch: QemuArch;
  /** A disk image to boot from, or a data disk beside `kernel`. */
  image?: string;
  /** Detected from the file header when absent. */
  format?: DiskFormat;
  /** Open the image with `-snapshot` so it is never modified (default true). */
  snapshot: boolean;
  kernel?: string;
  initrd?: string;
  /** Kernel command line; a serial console argument is added when it has none. */
  append?: string;
  /** `auto` (UEFI where the architecture needs it), `bios`, `uefi`, or a firmware file path. */
  firmware: string;
  memoryMb: number;
  cpus: number;
  accel: QemuAccel;
  forwards: PortForward[];
  extraArgs: string[];
}

export const DEFAULT_FORWARDS: readonly PortForward[] = [
  { guest: PVR_GUEST_PORT, name: 'pvr' },
  { guest: SSH_GUEST_PORT, name: 'ssh' },
];

export interface ProfileProblem {
  /** JSON-ish path of the offending field inside the profile, e.g. `forwards[1].guest`. */
  field: string;
  message: string;
  /** Warnings (such as an unknown property) leave the profile usable. */
  severity: 'error' | 'warning';
}

export interface ParsedProfile {
  /** Undefined when the problems make the profile unusable. */
  profile?: QemuProfile;
  problems: ProfileProblem[];
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isPort = (n: unknown): n is number => Number.isInteger(n) && (n as number) > 0 && (n as number) < 65536;

/**
 * Parses `HOST:GUEST`, `:GUEST` or `GUEST` (as `pvkit preview --forward` takes them). A missing
 * host port means "the guest port if free, else any free port".
 */
export function parseForward(text: string): PortForward | string {
  const m = /^(?:(\d*):)?(\d+)$/.exec(text.trim());
  if (!m) return `"${text}" is not HOSTPORT:GUESTPORT (e.g. 2222:22 or :22)`;
  const guest = Number(m[2]);
  const host = m[1] ? Number(m[1]) : undefined;
  if (!isPort(guest)) return `guest port ${m[2]} is out of range 1-65535`;
  if (host !== undefined && !isPort(host)) return `host port ${m[1]} is out of range 1-65535`;
  return host === undefined ? { guest } : { guest, host };
}

/**
 * Reads one profile object (from settings JSON or assembled by the CLI). Unknown keys are reported
 * so that a typo such as `memmory` does not silently fall back to a default.
 */
export function parseProfile(raw: unknown, fallbackName = 'preview'): ParsedProfile {
  const problems: ProfileProblem[] = [];
  if (!isObj(raw))
    return { problems: [{ field: '', message: 'a profile must be an object', severity: 'error' }] };
  const known = new Set([
    'name',
    'arch',
    'image',
    'format',
    'snapshot',
    'kernel',
    'initrd',
    'append',
    'firmware',
    'memory',
    'cpus',
    'accel',
    'forwards',
    'extraArgs',
  ]);
  for (const k of Object.keys(raw)) {
    if (!known.has(k)) problems.push({ field: k, message: `unknown property "${k}"`, severity: 'warning' });
  }
  const str = (k: string): string | undefined => {
    const v = raw[k];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') {
      problems.push({ field: k, message: `"${k}" must be a string`, severity: 'error' });
      return undefined;
    }
    return v;
  };
  const int = (k: string, def: number, min: number, max: number): number => {
    const v = raw[k];
    if (v === undefined) return def;
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) {
      problems.push({
        field: k,
        message: `"${k}" must be an integer from ${min} to ${max}`,
        severity: 'error',
      });
      return def;
    }
    return v as number;
  };
  const oneOf = <T extends string>(k: string, allowed: readonly T[], def: T): T => {
    const v = str(k);
    if (v === undefined) return def;
    if (!(allowed as readonly string[]).includes(v)) {
      problems.push({
        field: k,
        message: `"${k}" must be one of ${allowed.join(', ')} (got "${v}")`,
        severity: 'error',
      });
      return def;
    }
    return v as T;
  };

  const name = str('name') ?? fallbackName;
  const arch = oneOf<QemuArch>('arch', QEMU_ARCHES, 'x86_64');
  const image = str('image');
  const formatText = str('format');
  let format: DiskFormat | undefined;
  if (formatText !== undefined) {
    if (formatText === 'raw' || formatText === 'qcow2') format = formatText;
    else
      problems.push({
        field: 'format',
        message: `"format" must be raw or qcow2 (got "${formatText}")`,
        severity: 'error',
      });
  }
  let snapshot = true;
  if (raw['snapshot'] !== undefined) {
    if (typeof raw['snapshot'] === 'boolean') snapshot = raw['snapshot'];
    else problems.push({ field: 'snapshot', message: '"snapshot" must be true or false', severity: 'error' });
  }
  const kernel = str('kernel');
  const initrd = str('initrd');
  const append = str('append');
  const firmware = str('firmware') ?? 'auto';
  const memoryMb = int('memory', arch === 'x86_64' ? 512 : 1024, 16, 1024 * 1024);
  const cpus = int('cpus', 1, 1, 256);
  const accel = oneOf<QemuAccel>('accel', ['auto', 'kvm', 'tcg'], 'auto');

  let forwards: PortForward[] = DEFAULT_FORWARDS.map((f) => ({ ...f }));
  if (raw['forwards'] !== undefined) {
    if (!Array.isArray(raw['forwards'])) {
      problems.push({ field: 'forwards', message: '"forwards" must be an array', severity: 'error' });
    } else {
      forwards = [];
      raw['forwards'].forEach((f: unknown, i) => {
        const field = `forwards[${i}]`;
        if (typeof f === 'string') {
          const r = parseForward(f);
          if (typeof r === 'string') problems.push({ field, message: r, severity: 'error' });
          else forwards.push(r);
        } else if (isObj(f) && isPort(f['guest']) && (f['host'] === undefined || isPort(f['host']))) {
          const pf: PortForward = { guest: f['guest'] };
          if (f['host'] !== undefined) pf.host = f['host'];
          if (typeof f['name'] === 'string') pf.name = f['name'];
          forwards.push(pf);
        } else {
          problems.push({
            field,
            message: 'a forward is "HOST:GUEST" or { "guest": PORT, "host"?: PORT }',
            severity: 'error',
          });
        }
      });
    }
  }
  const guestSeen = new Set<number>();
  for (const f of forwards) {
    if (guestSeen.has(f.guest))
      problems.push({
        field: 'forwards',
        message: `guest port ${f.guest} is forwarded twice`,
        severity: 'error',
      });
    guestSeen.add(f.guest);
  }

  let extraArgs: string[] = [];
  if (raw['extraArgs'] !== undefined) {
    if (Array.isArray(raw['extraArgs']) && raw['extraArgs'].every((a) => typeof a === 'string')) {
      extraArgs = raw['extraArgs'];
    } else {
      problems.push({
        field: 'extraArgs',
        message: '"extraArgs" must be an array of strings, one argument each',
        severity: 'error',
      });
    }
  }

  if (!image && !kernel) {
    problems.push({
      field: 'image',
      message: 'a profile needs "image" (a disk image) or "kernel" (with "initrd")',
      severity: 'error',
    });
  }
  if (!kernel && (initrd || append)) {
    problems.push({
      field: initrd ? 'initrd' : 'append',
      message: '"initrd" and "append" need "kernel"',
      severity: 'error',
    });
  }
  const fatal = problems.some((p) => p.severity === 'error');
  const profile: QemuProfile = {
    name,
    arch,
    snapshot,
    firmware,
    memoryMb,
    cpus,
    accel,
    forwards,
    extraArgs,
  };
  if (image !== undefined) profile.image = image;
  if (format !== undefined) profile.format = format;
  if (kernel !== undefined) profile.kernel = kernel;
  if (initrd !== undefined) profile.initrd = initrd;
  if (append !== undefined) profile.append = append;
  return fatal ? { problems } : { profile, problems };
}
