// bench/startup: what loading the Docker engine code on first use saves at start-up. Ours is the
// production CLI as shipped (dist/cli.js; dockerode lives in dist/engineApi.js and is loaded only
// when an engine is used). The baseline is the same CLI with the engine code loaded up front
// (`node --require dist/engineApi.js dist/cli.js`), which is what start-up cost when dockerode was
// part of the bundle. Each run is a fresh `pvkit --help` process, alternated, median of N. The
// extension bundle (dist/extension.js) drops the same code; its size is printed.
//   npm run bench -- startup            (N = 9; PVKIT_BENCH_RUNS overrides)
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const RUNS = Number(process.env['PVKIT_BENCH_RUNS']) || 9;
spawnSync('node', ['esbuild.mjs', '--production'], { cwd: ROOT, stdio: 'inherit' });
const dist = (f: string): string => join(ROOT, 'dist', f);

function wall(args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function compare(name: string, ours: () => number, baseline: () => number): void {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    a.push(ours());
    b.push(baseline());
  }
  const [ma, mb] = [median(a), median(b)];
  console.log(
    `${name.padEnd(34)} ours ${ma.toFixed(0).padStart(5)} ms   engine loaded up front ${mb.toFixed(0).padStart(5)} ms   ratio ${(ma / mb).toFixed(2)}x`,
  );
}

const kb = (f: string): string => `${(statSync(dist(f)).size / 1024).toFixed(0)} KB`;
console.log(
  `bundles: extension.js ${kb('extension.js')}, cli.js ${kb('cli.js')}, engineApi.js ${kb('engineApi.js')} (loaded on first use)`,
);
compare(
  'pvkit --help (process wall time)',
  () => wall([dist('cli.js'), '--help']),
  () => wall(['--require', dist('engineApi.js'), dist('cli.js'), '--help']),
);
