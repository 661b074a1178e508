// bench/image: importing a generated image of 5 layers (docker-save archive) into root.squashfs,
// ours (two-pass flattening streamed into `mksquashfs -tar`) against the baseline pvr's way of
// working: `tar -x` of each layer into a folder, then `mksquashfs` of the folder with the same
// options. Target: ours ≤ 1.0× the baseline's wall time; our peak memory < 200 MB at any size.
//   PVKIT_BENCH_IMAGE_MB=500 npm run bench -- image   (default 100 MB; 2048 for the 2 GB figure;
//   PVKIT_BENCH_ROUNDS=1 for one run of each, default 2)
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { encodeHeader, padding, TAR_END } from '../src/platform/image/tarHeader';

const MB = Number(process.env['PVKIT_BENCH_IMAGE_MB'] ?? 100);
const LAYERS = 5;
/** PVKIT_BENCH_SKIP_BASELINE=1: only our run, to show peak memory at 2 GB without waiting for both. */
const skipBaseline = process.env['PVKIT_BENCH_SKIP_BASELINE'] === '1';

/** Writes one layer tar: files of mixed sizes, 1/3 random bytes, 2/3 compressible text. */
function writeLayer(file: string, bytes: number, layer: number): void {
  const fd = openSync(file, 'w');
  const put = (b: Buffer): void => {
    writeSync(fd, b);
  };
  const text = Buffer.from(
    Array.from({ length: 4096 }, (_, i) => `line ${i} of a config or script file, layer ${layer}\n`).join(''),
  );
  let written = 0;
  let n = 0;
  const mtime = 1_700_000_000;
  for (let d = 0; d < 8; d++)
    put(
      encodeHeader({
        name: `l${layer}/d${d}`,
        type: 'directory',
        size: 0,
        mode: 0o755,
        uid: 0,
        gid: 0,
        mtime,
      }),
    );
  if (layer > 0) {
    // Whiteouts and replacements of the layer below, as real images have.
    put(
      encodeHeader({
        name: `l${layer - 1}/d0/.wh.f0`,
        type: 'file',
        size: 0,
        mode: 0o644,
        uid: 0,
        gid: 0,
        mtime,
      }),
    );
    put(
      encodeHeader({
        name: `l${layer - 1}/d1/.wh..wh..opq`,
        type: 'file',
        size: 0,
        mode: 0o644,
        uid: 0,
        gid: 0,
        mtime,
      }),
    );
  }
  while (written < bytes) {
    const size = [512, 4096, 20_000, 150_000, 1_500_000][n % 5] ?? 4096;
    const data =
      n % 3 === 0
        ? randomBytes(size)
        : Buffer.concat(Array(Math.ceil(size / text.length)).fill(text)).subarray(0, size);
    put(
      encodeHeader({
        name: `l${layer}/d${n % 8}/f${n}`,
        type: 'file',
        size,
        mode: 0o644,
        uid: 1000,
        gid: 1000,
        mtime,
      }),
    );
    put(data);
    put(padding(size));
    if (n % 50 === 0)
      put(
        encodeHeader({
          name: `l${layer}/d${n % 8}/s${n}`,
          type: 'symlink',
          size: 0,
          linkname: `f${n}`,
          mode: 0o777,
          uid: 0,
          gid: 0,
          mtime,
        }),
      );
    written += size;
    n++;
  }
  put(TAR_END);
  closeSync(fd);
}

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): void {
  const r = spawnSync(cmd, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: env ?? process.env,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.toString()}`);
}

function main(): void {
  if (spawnSync('sh', ['-c', 'command -v mksquashfs']).status !== 0) {
    console.log('SKIPPED: mksquashfs is not installed (apt-get install squashfs-tools)');
    return;
  }
  const w = mkdtempSync(join(tmpdir(), 'pvkit-bench-image-'));
  try {
    console.log(`generating a ${MB} MB image of ${LAYERS} layers in ${w}`);
    const layerFiles: string[] = [];
    for (let i = 0; i < LAYERS; i++) {
      const f = join(w, `layer${i}.tar`);
      writeLayer(f, Math.floor((MB * 1e6) / LAYERS), i);
      layerFiles.push(f);
    }
    // The docker-save archive ours reads (tar of the layer tars, manifest.json, config).
    const cfg = JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2024-01-01T00:00:00Z',
      config: { Cmd: ['/bin/sh'] },
    });
    writeFileSyncCompat(join(w, 'config.json'), cfg);
    writeFileSyncCompat(
      join(w, 'manifest.json'),
      JSON.stringify([
        {
          Config: 'config.json',
          RepoTags: ['bench/image:1'],
          Layers: layerFiles.map((_, i) => `layer${i}.tar`),
        },
      ]),
    );
    run('tar', [
      '-C',
      w,
      '-cf',
      join(w, 'image.tar'),
      'manifest.json',
      'config.json',
      ...layerFiles.map((_, i) => `layer${i}.tar`),
    ]);
    const total = layerFiles.reduce((s, f) => s + statSync(f).size, 0);
    console.log(`image: ${(total / 1e6).toFixed(0)} MB in layers`);

    const times = { ours: [] as number[], base: [] as number[] };
    let rss = 0;
    const rounds = Number(process.env['PVKIT_BENCH_ROUNDS'] ?? 2);
    for (let round = 0; round < rounds; round++) {
      // Baseline: tar -x each layer, then mksquashfs of the folder.
      let t = performance.now();
      if (!skipBaseline) {
        const root = join(w, `root${round}`);
        mkdirSync(root);
        for (const f of layerFiles) run('tar', ['-xpf', f, '--numeric-owner', '--exclude=.wh.*', '-C', root]);
        run('mksquashfs', [
          root,
          join(w, `base${round}.sqfs`),
          '-comp',
          'xz',
          '-root-mode',
          '0755',
          '-noappend',
          '-quiet',
        ]);
        times.base.push(performance.now() - t);
        rmSync(root, { recursive: true, force: true });
        rmSync(join(w, `base${round}.sqfs`));
      }

      // Ours, in a child process so its peak RSS is its own.
      const co = join(w, `co${round}`);
      mkdirSync(co);
      t = performance.now();
      const r = spawnSync(
        'node',
        [
          '--import',
          'tsx',
          '-e',
          `
          const { addApp } = require(${JSON.stringify(join(__dirname, '../src/platform/image/importImage.ts'))});
          addApp({ checkout: ${JSON.stringify(co)}, app: 'bench', from: 'docker-archive:${join(w, 'image.tar')}' })
            .then(() => console.log('RSS ' + process.resourceUsage().maxRSS), (e) => { console.error(e); process.exit(1); });
        `,
        ],
        { cwd: join(__dirname, '..'), encoding: 'utf8' },
      );
      times.ours.push(performance.now() - t);
      if (r.status !== 0) throw new Error(`ours failed: ${r.stderr}`);
      rss = Math.max(rss, Number(/RSS (\d+)/.exec(r.stdout)?.[1] ?? 0));
      rmSync(co, { recursive: true, force: true });
    }
    const best = (a: number[]): number => Math.min(...a);
    if (skipBaseline)
      console.log('baseline skipped (PVKIT_BENCH_SKIP_BASELINE=1): memory run only, no ratio');
    else
      console.log(
        `baseline tar -x + mksquashfs: ${times.base.map((x) => (x / 1000).toFixed(1)).join(' s, ')} s`,
      );
    console.log(
      `ours (merged stream → mksquashfs -tar): ${times.ours.map((x) => (x / 1000).toFixed(1)).join(' s, ')} s`,
    );
    if (!skipBaseline)
      console.log(
        `ratio ours/baseline (best of each): ${(best(times.ours) / best(times.base)).toFixed(2)}x   target ≤ 1.00x`,
      );
    console.log(`peak RSS of our process: ${(rss / 1024).toFixed(0)} MB   target < 200 MB`);
  } finally {
    rmSync(w, { recursive: true, force: true });
  }
}

function writeFileSyncCompat(file: string, text: string): void {
  const fd = openSync(file, 'w');
  writeSync(fd, text);
  closeSync(fd);
}

main();
