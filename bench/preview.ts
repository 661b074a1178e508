// bench/preview: time from "start the preview" to the first byte on the serial console, ours
// (QemuPreview.start: image/file checks, KVM probe, port allocation, command line, spawn) against
// spawning the very same QEMU command line directly. Runs alternate in one process; the ratio of
// the medians is printed, target <= 1.2.
//   node --import tsx bench/preview.ts [runs]      (needs the test kernel: scripts/setup-test-env.sh)
import { spawn } from 'node:child_process';
import { parseProfile } from '../src/core/qemu/QemuProfile';
import { killTree } from '../src/platform/process';
import { QemuPreview } from '../src/platform/qemu/QemuPreview';
import { buildTestInitramfs, scratchDir, testKernel } from '../test/support/qemuGuest';

const runs = Number(process.argv[2] ?? 7);
const kernel = testKernel();
if (!kernel) {
  console.error('bench/preview: no test kernel; run scripts/setup-test-env.sh or set PVKIT_TEST_ENV_DIR');
  process.exit(2);
}
const dir = scratchDir('pvkit-bench-preview-');
const initrd = buildTestInitramfs(dir, kernel, { marker: 'PVKIT-BENCH', httpPort: 12368 });
// The kernel prints early messages (no "quiet"), so the first byte comes from the kernel, not /init.
const { profile } = parseProfile({
  name: 'bench',
  kernel: kernel.vmlinuz,
  initrd,
  append: 'panic=-1',
  memory: 256,
});

let commandLine: { binary: string; args: string[] } | undefined;
/** Time until QEMU is spawned: our checks, KVM probe and port allocation against a bare spawn. */
const spawnA: number[] = [];
const spawnB: number[] = [];

async function ours(): Promise<number> {
  const t0 = process.hrtime.bigint();
  const p = await QemuPreview.start(profile!);
  spawnA.push(Number(process.hrtime.bigint() - t0) / 1e6);
  commandLine = p.command;
  const ms = await new Promise<number>((res) => {
    const off = p.onConsole(() => {
      off();
      res(Number(process.hrtime.bigint() - t0) / 1e6);
    });
  });
  await p.stop();
  return ms;
}

function direct(): Promise<number> {
  const { binary, args } = commandLine!;
  const t0 = process.hrtime.bigint();
  const child = spawn(binary, args, { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  child.once('spawn', () => spawnB.push(Number(process.hrtime.bigint() - t0) / 1e6));
  return new Promise((res, rej) => {
    child.on('error', rej);
    child.stdout.once('data', () => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      child.once('close', () => res(ms));
      killTree(child.pid, 'SIGTERM');
    });
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const a: number[] = [];
  const b: number[] = [];
  // Ours first (it also learns the command line), then alternate so that drift hits both sides.
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      a.push(await ours());
      b.push(await direct());
    } else {
      b.push(await direct());
      a.push(await ours());
    }
  }
  console.log(`preview: first console byte, ${runs} runs each (ms)`);
  console.log(
    `  pvkit (QemuPreview.start) : ${a.map((x) => x.toFixed(0)).join(', ')}  median ${median(a).toFixed(0)}`,
  );
  console.log(
    `  direct QEMU, same args    : ${b.map((x) => x.toFixed(0)).join(', ')}  median ${median(b).toFixed(0)}`,
  );
  console.log(
    `  until QEMU is spawned      : pvkit ${spawnA.map((x) => x.toFixed(0)).join(', ')}; direct ${spawnB.map((x) => x.toFixed(0)).join(', ')}`,
  );
  const ratio = median(a) / median(b);
  console.log(`  ratio ${ratio.toFixed(3)} (target <= 1.2) ${ratio <= 1.2 ? 'OK' : 'OVER TARGET'}`);
  console.log(`  command: ${commandLine!.binary} ${commandLine!.args.join(' ')}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
