import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ROOT } from './corpus';

/**
 * The test guest for QEMU previews: Debian's cloud kernel (fetched by scripts/setup-test-env.sh
 * into `$PVKIT_TEST_ENV_DIR/kernel/`, and for aarch64 with Debian's arm64 busybox-static into
 * `kernel-aarch64/`) and an initramfs built here at run time from busybox-static. Nothing binary
 * is committed.
 */

export type GuestArch = 'x86_64' | 'aarch64';

export interface TestKernel {
  arch: GuestArch;
  vmlinuz: string;
  modulesDir: string;
  version: string;
  /** A static busybox for the guest's architecture. */
  busybox: string;
}

export function testEnvDir(): string {
  return process.env['PVKIT_TEST_ENV_DIR'] ?? resolve(ROOT, '.test-env');
}

export const BUSYBOX = '/bin/busybox';

const GUEST: Record<GuestArch, { dir: string; qemu: string; pkg: string; busybox: (dir: string) => string }> =
  {
    x86_64: { dir: 'kernel', qemu: 'qemu-system-x86_64', pkg: 'qemu-system-x86', busybox: () => BUSYBOX },
    aarch64: {
      dir: 'kernel-aarch64',
      qemu: 'qemu-system-aarch64',
      pkg: 'qemu-system-arm',
      busybox: (dir) => join(dir, 'busybox'),
    },
  };

/** The kernel and its modules, or undefined after saying loudly what is missing and how to get it. */
export function testKernel(envDir = testEnvDir(), arch: GuestArch = 'x86_64'): TestKernel | undefined {
  const dir = join(envDir, GUEST[arch].dir);
  const vmlinuz = join(dir, 'vmlinuz');
  const modRoot = join(dir, 'lib/modules');
  const version = existsSync(modRoot) ? readdirSync(modRoot)[0] : undefined;
  if (!existsSync(vmlinuz) || !version) {
    process.stderr.write(
      `\n!!! TEST KERNEL MISSING: ${vmlinuz} (and lib/modules/<version>/) not found; the ${arch} QEMU boot tests are SKIPPED. ` +
        `Run scripts/setup-test-env.sh (or set PVKIT_TEST_ENV_DIR) to fetch Debian's cloud kernel !!!\n\n`,
    );
    return undefined;
  }
  return { arch, vmlinuz, modulesDir: join(modRoot, version), version, busybox: GUEST[arch].busybox(dir) };
}

const scratch: string[] = [];
/** A temp dir that is removed when the process exits (test files each run in their own process). */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (scratch.length === 0) {
    process.once('exit', () => {
      for (const d of scratch) rmSync(d, { recursive: true, force: true });
    });
  }
  scratch.push(dir);
  return dir;
}

/** True when qemu-system-x86_64 (or the given architecture's QEMU) runs. */
export function hasQemu(arch: GuestArch = 'x86_64'): boolean {
  return spawnSync(GUEST[arch].qemu, ['--version']).status === 0;
}

/** `{ skip }` for node:test when the kernel, busybox-static or the architecture's QEMU is absent. */
export function needsTestGuest(envDir = testEnvDir(), arch: GuestArch = 'x86_64'): { skip?: string } {
  const g = GUEST[arch];
  if (!hasQemu(arch)) {
    process.stderr.write(
      `\n!!! ${g.qemu} missing: apt-get install ${g.pkg}; QEMU boot tests SKIPPED !!!\n\n`,
    );
    return { skip: `${g.pkg} not installed` };
  }
  const k = testKernel(envDir, arch);
  if (!k) return { skip: `${arch} test kernel missing: run scripts/setup-test-env.sh` };
  if (!existsSync(k.busybox)) {
    process.stderr.write(
      `\n!!! ${k.busybox} missing: ${arch === 'x86_64' ? 'apt-get install busybox-static' : 'run scripts/setup-test-env.sh'}; QEMU boot tests SKIPPED !!!\n\n`,
    );
    return { skip: `busybox-static for ${arch} not installed` };
  }
  return {};
}

/** Load order worked out from each module's `depends=` (there is no modprobe in the guest). */
const NET_MODULES = [
  'virtio_ring',
  'virtio',
  'virtio_pci_modern_dev',
  'virtio_pci_legacy_dev',
  'virtio_pci',
  'failover',
  'net_failover',
  'virtio_net',
];

function findModule(dir: string, name: string): string | undefined {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) {
      const f = findModule(p, name);
      if (f) return f;
    } else if (e === `${name}.ko`) return p;
  }
  return undefined;
}

export interface GuestOptions {
  /** Printed on the serial console once the network is up. */
  marker: string;
  /**
   * The guest serves HTTP on this port: `/` and, at `/cgi-bin/pvr`, the stand-in of a device's pvr
   * endpoint (test/support/pvr-endpoint-standin.sh), which accepts posts into the guest's RAM.
   */
  httpPort: number;
  /** `echo` (default) echoes console input until stopped; `poweroff` powers off after the marker. */
  then?: 'echo' | 'poweroff';
}

/**
 * Echoes each console line back as `PVKIT-ECHO: <line>`. The line `pvkit-size` instead does what
 * `resize` does (Debian's busybox lacks that applet): it asks the terminal for its size (cursor to
 * 999;999, then a position query, ESC[6n; the answer comes back as console input, the only way a
 * serial line can learn it), sets the tty to it and prints `PVKIT-SIZE: <rows> <cols>`.
 */
const ECHO_LOOP = `while read -r line; do
  case "$line" in
    pvkit-size)
      old=$(stty -g)
      stty raw -echo
      printf '\\0337\\033[r\\033[999;999H\\033[6n\\0338'
      read -r -d R pos
      stty "$old"
      pos=\${pos#*[}
      stty rows "\${pos%;*}" cols "\${pos#*;}"
      echo "PVKIT-SIZE: $(stty size)"
      ;;
    *) echo "PVKIT-ECHO: $line" ;;
  esac
done`;

/**
 * The guest's /init: load the virtio network modules, configure slirp's fixed address, print
 * the marker (with a colour escape to prove colours pass through), serve HTTP (the pvr endpoint
 * stand-in, one `nc` child per connection), then echo each
 * console line back as `PVKIT-ECHO: <line>` so tests can check input reaches the guest.
 */
function initScript(o: GuestOptions): string {
  return `#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
for m in ${NET_MODULES.join(' ')}; do insmod /lib/modules/$m.ko 2>/dev/null; done
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
nc -ll -p ${o.httpPort} -e /bin/pvr-endpoint &
printf '\\033[32m%s\\033[0m\\n' "${o.marker} kernel=$(uname -r)"
${o.then === 'poweroff' ? 'echo "PVKIT-BYE"' : ECHO_LOOP}
poweroff -f
`;
}

/** A newc cpio archive, the format the kernel unpacks into its initial root filesystem. */
class Cpio {
  private parts: Buffer[] = [];
  private ino = 1;

  private entry(name: string, mode: number, data: Buffer): void {
    const fields = [this.ino++, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, name.length + 1, 0];
    const header = '070701' + fields.map((f) => f.toString(16).padStart(8, '0')).join('');
    const head = Buffer.concat([Buffer.from(header + name + '\0', 'latin1')]);
    this.parts.push(head, Buffer.alloc((4 - (head.length % 4)) % 4));
    this.parts.push(data, Buffer.alloc((4 - (data.length % 4)) % 4));
  }
  dir(name: string): void {
    this.entry(name, 0o040755, Buffer.alloc(0));
  }
  file(name: string, data: Buffer | string, mode = 0o644): void {
    this.entry(name, 0o100000 | mode, Buffer.isBuffer(data) ? data : Buffer.from(data));
  }
  symlink(name: string, target: string): void {
    this.entry(name, 0o120777, Buffer.from(target));
  }
  bytes(): Buffer {
    this.entry('TRAILER!!!', 0, Buffer.alloc(0));
    return Buffer.concat(this.parts);
  }
}

/**
 * The shell script that stands in for a device's pvr endpoint in the guest. Found by walking up
 * from this module, so it works from the sources and from the bundled integration tests.
 */
export function standinScript(): string {
  const rel = join('test', 'support', 'pvr-endpoint-standin.sh');
  for (let d = __dirname; ; d = dirname(d)) {
    if (existsSync(join(d, rel))) return join(d, rel);
    if (dirname(d) === d) throw new Error(`${rel} not found above ${__dirname}`);
  }
}

/** Builds the test initramfs into `dir` and returns its path. */
export function buildTestInitramfs(dir: string, kernel: TestKernel, o: GuestOptions): string {
  const c = new Cpio();
  for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'lib', 'lib/modules', 'www']) c.dir(d);
  c.file('bin/busybox', readFileSync(kernel.busybox), 0o755);
  const applets = [
    'sh',
    'mount',
    'insmod',
    'ip',
    'printf',
    'echo',
    'uname',
    'poweroff',
    'cat',
    'sleep',
    'stty',
    // What the pvr endpoint stand-in runs.
    'nc',
    'head',
    'wc',
    'grep',
    'sed',
    'awk',
    'tr',
    'cut',
    'mkdir',
    'mv',
    'rm',
    'sha256sum',
  ];
  for (const a of applets) c.symlink(`bin/${a}`, 'busybox');
  for (const m of NET_MODULES) {
    const f = findModule(kernel.modulesDir, m);
    if (!f) throw new Error(`module ${m}.ko not found under ${kernel.modulesDir}`);
    c.file(`lib/modules/${m}.ko`, readFileSync(f));
  }
  c.file('init', initScript(o), 0o755);
  c.file('www/index.html', `hello-from-guest ${o.marker}\n`);
  c.file('bin/pvr-endpoint', readFileSync(standinScript()), 0o755);
  const out = join(dir, 'initramfs.cpio');
  writeFileSync(out, c.bytes());
  return out;
}
