/**
 * Benchmark: `pvkit add . && pvkit commit` of (1) a tree of big files and (2) a tree of many small
 * files, against the machine's limits measured in the same run on the same files:
 * `sha256sum` over every file (the hashing limit) and `cp -r` of the tree (the copy limit).
 * Target: within 1.3x of the larger of the two; peak memory under 150 MB.
 *
 *   npm run bench -- repo                    default sizes (200 MB in 200 files, 5,000 small files)
 *   npm run bench -- repo --full             the sizes (2 GB in 2,000 files, 20,000 files)
 *   PVKIT_BENCH_BIG_MB, PVKIT_BENCH_BIG_FILES, PVKIT_BENCH_SMALL_FILES override the sizes.
 *   PVKIT_BENCH_OTHER_CLI=/path/to/cli.js also times another build (e.g. main's) in the same run.
 * Each measurement is the best of PVKIT_BENCH_RUNS (default 2) runs, because the machine is shared.
 */
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  writeSync,
  rmSync,
  writeFileSync,
  readFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const full = process.argv.includes('--full');
const num = (name: string, dflt: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : dflt;
};
const BIG_MB = num('PVKIT_BENCH_BIG_MB', full ? 2048 : 200);
const BIG_FILES = num('PVKIT_BENCH_BIG_FILES', full ? 2000 : 200);
const SMALL_FILES = num('PVKIT_BENCH_SMALL_FILES', full ? 20000 : 5000);
const RUNS = num('PVKIT_BENCH_RUNS', 2);
const ROOT = resolve(__dirname, '..');
const CLI = join(ROOT, 'dist/cli.js');
const OTHER_CLI = process.env['PVKIT_BENCH_OTHER_CLI'];
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

if (!existsSync(CLI)) spawnSync('node', ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });

const base = mkdtempSync(join(tmpdir(), 'pvkit-bench-repo-'));

function makeBig(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const per = Math.floor((BIG_MB * 1048576) / BIG_FILES);
  const block = randomFillSync(Buffer.alloc(1 << 20));
  for (let i = 0; i < BIG_FILES; i++) {
    const sub = join(dir, `d${i % 20}`);
    mkdirSync(sub, { recursive: true });
    const fd = openSync(join(sub, `f${i}.bin`), 'w');
    let left = per;
    let k = 0;
    while (left > 0) {
      const n = Math.min(left, block.length);
      block.writeUInt32LE(i, 0); // every file differs
      block.writeUInt32LE(k++, 4);
      writeSync(fd, block, 0, n);
      left -= n;
    }
    closeSync(fd);
  }
}

function makeSmall(dir: string): void {
  for (let i = 0; i < SMALL_FILES; i++) {
    const sub = join(dir, `d${i % 100}`);
    if (i < 100) mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `f${i}.txt`), `file ${i}\n${'x'.repeat(i % 2048)}`);
  }
}

interface Timed {
  seconds: number;
  rssKb: number;
  /** User + system CPU seconds (NaN without /usr/bin/time): steadier than wall time when shared. */
  cpu: number;
}

/** Runs a command, returning wall time and (with /usr/bin/time) its peak RSS. */
function timed(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Timed {
  const rssFile = join(base, 'rss.txt');
  const argv = TIME ? ['-o', rssFile, '-f', '%M %U %S', cmd, ...args] : args;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(TIME ?? cmd, argv, {
    cwd,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 26,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.toString()}`);
  const [rss, user, sys] = TIME
    ? (readFileSync(rssFile, 'utf8').trim().split('\n').pop() ?? '').split(' ').map(Number)
    : [];
  return { seconds, rssKb: rss ?? NaN, cpu: (user ?? NaN) + (sys ?? NaN) };
}

function best(f: () => Timed): Timed {
  let b: Timed | undefined;
  for (let i = 0; i < RUNS; i++) {
    const t = f();
    if (!b || t.seconds < b.seconds) b = { ...t, rssKb: Math.max(t.rssKb, b?.rssKb ?? 0) };
    else b.rssKb = Math.max(b.rssKb, t.rssKb);
  }
  return b as Timed;
}

/**
 * Deletes a previous run's output and lets the file system settle, so that the deferred work of
 * deleting thousands of files (journal commits, discards) is not billed to the next timed step.
 */
function clear(...paths: string[]): void {
  for (const p of paths) rmSync(p, { recursive: true, force: true });
  spawnSync('sync');
}

function bench(label: string, tree: string): void {
  // Warm the page cache so that all three read the files from memory alike.
  spawnSync('bash', ['-c', 'find . -type f -print0 | xargs -0 cat > /dev/null'], { cwd: tree });
  const sha = best(() =>
    timed('bash', ['-c', 'find . -type f -print0 | sort -z | xargs -0 sha256sum > /dev/null'], tree),
  );
  const cp = best(() => {
    clear(`${tree}.copy`);
    const t = timed('cp', ['-r', tree, `${tree}.copy`], base);
    clear(`${tree}.copy`);
    return t;
  });
  const addCommit = (cli: string): Timed =>
    best(() => {
      const cfg = join(base, 'cfg');
      const objs = join(base, 'objects');
      clear(cfg, objs, join(tree, '.pvr'));
      const env = { ...process.env, PVR_CONFIG_DIR: cfg };
      timed(process.execPath, [cli, 'init', '-o', objs], tree, env);
      const add = timed(process.execPath, [cli, 'add', '.'], tree, env);
      const commit = timed(process.execPath, [cli, 'commit', '-m', 'bench'], tree, env);
      return {
        seconds: add.seconds + commit.seconds,
        rssKb: Math.max(add.rssKb, commit.rssKb),
        cpu: add.cpu + commit.cpu,
      };
    });
  const ours = addCommit(CLI);
  const other = OTHER_CLI ? addCommit(OTHER_CLI) : undefined;
  const limit = Math.max(sha.seconds, cp.seconds);
  const ratio = ours.seconds / limit;
  const mb = (kb: number): string =>
    Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MB` : 'n/a (no /usr/bin/time)';
  console.log(`\n${label}`);
  const cpu = (t: Timed): string => (Number.isFinite(t.cpu) ? `   (cpu ${t.cpu.toFixed(2)} s)` : '');
  console.log(`  sha256sum      ${sha.seconds.toFixed(2)} s${cpu(sha)}`);
  console.log(`  cp -r          ${cp.seconds.toFixed(2)} s${cpu(cp)}`);
  console.log(`  pvkit add+commit ${ours.seconds.toFixed(2)} s${cpu(ours)}   peak RSS ${mb(ours.rssKb)}`);
  console.log(
    `  ratio vs max(sha256sum, cp -r): ${ratio.toFixed(2)}x (target <= 1.3x: ${ratio <= 1.3 ? 'met' : 'NOT met'}); ` +
      `vs sha256sum ${(ours.seconds / sha.seconds).toFixed(2)}x, vs cp -r ${(ours.seconds / cp.seconds).toFixed(2)}x; ` +
      `memory target < 150 MB: ${ours.rssKb / 1024 < 150 ? 'met' : Number.isFinite(ours.rssKb) ? 'NOT met' : 'unknown'}`,
  );
  if (other) {
    console.log(
      `  other build (${OTHER_CLI ?? ''}) ${other.seconds.toFixed(2)} s${cpu(other)}   peak RSS ${mb(other.rssKb)}   ` +
        `ratio ${(other.seconds / limit).toFixed(2)}x`,
    );
  }
}

try {
  const big = join(base, 'big');
  makeBig(big);
  bench(`big files: ${BIG_MB} MB in ${BIG_FILES} files`, big);
  rmSync(big, { recursive: true, force: true });
  rmSync(join(base, 'objects'), { recursive: true, force: true });
  const small = join(base, 'small');
  makeSmall(small);
  bench(`small files: ${SMALL_FILES} files`, small);
} finally {
  rmSync(base, { recursive: true, force: true });
}
