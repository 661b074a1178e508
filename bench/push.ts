/**
 * Benchmark: `pvkit post` of a revision to a local `pvkit serve` endpoint, against copying the
 * same objects with `cp` (the baseline, measured in the same run on the same files). Target:
 * within 1.5x. Then a second post of the same revision with one 10 MB object changed, counting
 * the bytes that travel (client side: request bodies written; server side: request bodies read).
 * Target: no more than that object plus the state (and the few hundred bytes of its record).
 *
 *   npm run bench -- push                 default 256 MB revision
 *   PVKIT_BENCH_PUSH_MB=1024 npm run bench -- push    the 1 GB
 *   PVKIT_BENCH_RUNS (default 2): best of N, because the machine is shared.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const num = (name: string, dflt: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : dflt;
};
const TOTAL_MB = num('PVKIT_BENCH_PUSH_MB', 256);
const RUNS = num('PVKIT_BENCH_RUNS', 2);
const CHANGED_MB = 10;
const ROOT = resolve(__dirname, '..');
const CLI = join(ROOT, 'dist/cli.js');
if (!existsSync(CLI)) spawnSync('node', ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });

const base = mkdtempSync(join(tmpdir(), 'pvkit-bench-push-'));
const env = { ...process.env, PVR_CONFIG_DIR: join(base, 'config'), PVR_DISABLE_SELF_UPGRADE: '1' };
const repo = join(base, 'repo');
const objects = join(base, 'objects');

function writeRandom(path: string, mb: number, seed: number): void {
  const block = randomFillSync(Buffer.alloc(1 << 20));
  const fd = openSync(path, 'w');
  for (let k = 0; k < mb; k++) {
    block.writeUInt32LE(seed, 0);
    block.writeUInt32LE(k, 4);
    writeSync(fd, block);
  }
  closeSync(fd);
}

function pvkit(cwd: string, ...args: string[]): { seconds: number; stderr: string } {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`pvkit ${args.join(' ')} failed: ${r.stderr}`);
  return { seconds, stderr: r.stderr };
}

interface Server {
  child: ChildProcess;
  url: string;
  log: () => string;
}

function serve(dir: string): Promise<Server> {
  const child = spawn(process.execPath, [CLI, 'serve', dir, '--port', '0'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (c: Buffer) => (log += c.toString('utf8')));
  return new Promise((res, rej) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /Serving .* at (http:\S+)/.exec(out);
      if (m?.[1]) res({ child, url: m[1], log: () => log });
    });
    child.once('exit', (code) => rej(new Error(`serve exited ${String(code)}: ${log}`)));
  });
}

const stop = (s: Server): Promise<void> =>
  new Promise((r) => {
    s.child.once('exit', () => r());
    s.child.kill('SIGTERM');
  });

/** CPU seconds (user + system, all threads) a process has used so far; NaN off Linux. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const f =
      readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
        .split(') ')[1]
        ?.split(' ') ?? [];
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (100 Hz)
  } catch {
    return NaN;
  }
}

/** sha256 of every object in this process: the hashing alone that the endpoint cannot skip. */
function hashObjects(dir: string): number {
  const t = process.hrtime.bigint();
  const buf = Buffer.allocUnsafe(256 << 10);
  for (const f of readdirSync(dir)) {
    if (f.startsWith('.')) continue;
    const fd = openSync(join(dir, f), 'r');
    const h = createHash('sha256');
    for (let n; (n = readSync(fd, buf)) > 0;) h.update(buf.subarray(0, n));
    closeSync(fd);
    h.digest();
  }
  return Number(process.hrtime.bigint() - t) / 1e9;
}

/** Sum of request-body bytes in the server's log lines (`METHOD PATH STATUS <n>B`). */
function serverBytes(log: string): number {
  let n = 0;
  for (const m of log.matchAll(/ (\d+)B$/gm)) n += Number(m[1]);
  return n;
}

async function main(): Promise<void> {
  // The revision: 16 MB objects up to TOTAL_MB, one of them the 10 MB object changed later.
  mkdirSync(join(repo, 'app'), { recursive: true });
  const files = Math.max(1, Math.floor((TOTAL_MB - CHANGED_MB) / 16));
  for (let i = 0; i < files; i++) writeRandom(join(repo, 'app', `layer${i}.bin`), 16, i);
  writeRandom(join(repo, 'app', 'changed.bin'), CHANGED_MB, 1000);
  pvkit(repo, 'init', '-o', objects);
  pvkit(repo, 'add', '.');
  pvkit(repo, 'commit', '-m', 'bench');
  const totalMb = files * 16 + CHANGED_MB;
  console.log(`push: ${totalMb} MB revision in ${files + 1} objects`);

  let bestCp = Infinity;
  let bestPost = Infinity;
  let bestSha = Infinity;
  let bestNodeSha = Infinity;
  let serveCpu = Infinity;
  for (let run = 0; run < RUNS; run++) {
    spawnSync('bash', ['-c', `cat ${objects}/* > /dev/null`]);
    // Both timed parts write 1 GB: start each with no dirty pages of earlier writes waiting, or
    // the kernel's writeback throttling lands on whichever runs next (it made cp 10x slower).
    spawnSync('sync');
    const dest = join(base, `cp-${run}`);
    mkdirSync(dest);
    const t = process.hrtime.bigint();
    const cp = spawnSync('bash', ['-c', `cp ${objects}/* ${dest}/`]);
    if (cp.status !== 0) throw new Error('cp failed');
    bestCp = Math.min(bestCp, Number(process.hrtime.bigint() - t) / 1e9);
    rmSync(dest, { recursive: true, force: true });
    // Not the baseline, but the floor: the endpoint must hash every byte it receives.
    const t2 = process.hrtime.bigint();
    spawnSync('bash', ['-c', `sha256sum ${objects}/* > /dev/null`]);
    bestSha = Math.min(bestSha, Number(process.hrtime.bigint() - t2) / 1e9);
    bestNodeSha = Math.min(bestNodeSha, hashObjects(objects));

    const srvDir = join(base, `srv-${run}`);
    const srv = await serve(srvDir);
    spawnSync('sync');
    const cpu0 = cpuSeconds(srv.child.pid);
    const post = pvkit(repo, 'post', srv.url);
    serveCpu = Math.min(serveCpu, cpuSeconds(srv.child.pid) - cpu0);
    bestPost = Math.min(bestPost, post.seconds);
    await stop(srv);
    if (run < RUNS - 1) rmSync(srvDir, { recursive: true, force: true });
  }
  console.log(`  cp of the objects     ${bestCp.toFixed(2)} s`);
  console.log(
    `  sha256sum (reference) ${bestSha.toFixed(2)} s   (hashing alone, which the endpoint must do)`,
  );
  console.log(
    `  node sha256 (floor)   ${bestNodeSha.toFixed(2)} s   (${(bestNodeSha / bestCp).toFixed(2)}x cp: the endpoint's hashing alone, one core)`,
  );
  console.log(`  pvkit post            ${bestPost.toFixed(2)} s   (${(totalMb / bestPost).toFixed(0)} MB/s)`);
  console.log(
    `  endpoint CPU          ${serveCpu.toFixed(2)} s   (receive + sha256 + write, all its threads)`,
  );
  const ratio = bestPost / bestCp;
  console.log(
    `  ratio post/cp         ${ratio.toFixed(2)}x   target <= 1.5x  ${ratio <= 1.5 ? 'OK' : 'MISSED'}`,
  );

  // Second post: one 10 MB object changed.
  writeRandom(join(repo, 'app', 'changed.bin'), CHANGED_MB, 2000);
  pvkit(repo, 'add', '.');
  pvkit(repo, 'commit', '-m', 'changed');
  const srv = await serve(join(base, `srv-${RUNS - 1}`));
  const before = serverBytes(srv.log());
  const second = pvkit(repo, 'post', srv.url);
  await new Promise((r) => setTimeout(r, 100));
  const received = serverBytes(srv.log()) - before;
  await stop(srv);
  const sent = Number(/(\d+) bytes sent in all/.exec(second.stderr)?.[1] ?? NaN);
  const state = readFileSync(join(repo, '.pvr', 'json')).length;
  const limit = CHANGED_MB * 2 ** 20 + state;
  console.log(`\nsecond post, one ${CHANGED_MB} MB object changed:`);
  console.log(`  object + state        ${limit} bytes (state ${state})`);
  console.log(`  client sent           ${sent} bytes (request bodies)`);
  console.log(`  server received       ${received} bytes (request bodies)`);
  const over = received - limit;
  console.log(
    `  overhead              ${over} bytes (the object's announcement record and the post envelope)  ${over < 4096 ? 'OK' : 'MISSED'}`,
  );
  rmSync(base, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e);
  rmSync(base, { recursive: true, force: true });
  process.exitCode = 1;
});
