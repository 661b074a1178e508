// Benchmark: converting the whole balena corpus (images not imported, no builds).
//   ours:     convertProject per project: read the project, convert (core), write the checkout in a
//             temp sibling, `pvr init` + add + commit, rename into place. Also the pure core step.
//   baseline: validateComposePath on the same project: the compose diagnostics the editor already
//             runs on every edit of the file.
// Same process, alternating per project; each project's time is the median of its rounds (the
// machine is shared, so single samples are noisy); prints total, p50, p95 over projects and
// ours/baseline (target: p95 < 50 ms).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { convertProject, locateProject } from '../src/platform/convert/convertProject';
import { convertBalenaProject } from '../src/core/convert';
import { fsComposeProject } from '../src/platform/compose/fsComposeProject';
import { validateComposePath } from '../src/platform/compose/loadComposeProject';

const corpus = resolve(__dirname, '../../shared/corpus/balena');
const projects = readdirSync(corpus).filter((p) => !p.includes('.'));
const tmp = mkdtempSync(join(tmpdir(), 'pvkit-bench-convert-'));
const ROUNDS = 5;

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};
const ms = (x: number): string => `${x.toFixed(2)} ms`;

async function main(): Promise<void> {
  const fullS = new Map<string, number[]>();
  const coreS = new Map<string, number[]>();
  const baseS = new Map<string, number[]>();
  const add = (m: Map<string, number[]>, k: string, v: number): void => {
    m.set(k, [...(m.get(k) ?? []), v]);
  };
  let n = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const p of projects) {
      const dir = join(corpus, p);
      let t = performance.now();
      validateComposePath(dir);
      add(baseS, p, performance.now() - t);

      const { composePath, dir: pdir } = locateProject(dir);
      t = performance.now();
      convertBalenaProject({
        composeFile: relative(pdir, composePath),
        composeText: readFileSync(composePath, 'utf8'),
        project: fsComposeProject(pdir),
        projectName: basename(pdir),
      });
      add(coreS, p, performance.now() - t);

      const out = join(tmp, `${round}-${n++}`);
      t = performance.now();
      await convertProject({
        project: dir,
        out,
        build: 'never',
        images: 'never',
        configDir: join(tmp, '.pvr-config'),
      });
      add(fullS, p, performance.now() - t);
      rmSync(out, { recursive: true, force: true });
    }
  }
  const per = projects.length;
  const med = (m: Map<string, number[]>): number[] => [...m.values()].map((xs) => pct(xs, 50));
  const full = med(fullS);
  const core = med(coreS);
  const base = med(baseS);
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  console.log(`${per} projects, ${ROUNDS} rounds (per-project medians)`);
  console.log(
    `ours  convertProject (write + commit): total ${ms(sum(full))}, p50 ${ms(pct(full, 50))}, p95 ${ms(pct(full, 95))}`,
  );
  console.log(
    `ours  core conversion only:            total ${ms(sum(core))}, p50 ${ms(pct(core, 50))}, p95 ${ms(pct(core, 95))}`,
  );
  console.log(
    `base  validateComposePath:             total ${ms(sum(base))}, p50 ${ms(pct(base, 50))}, p95 ${ms(pct(base, 95))}`,
  );
  console.log(
    `ratio p95 ours(full)/baseline = ${(pct(full, 95) / pct(base, 95)).toFixed(2)}x, ours(core)/baseline = ${(pct(core, 95) / pct(base, 95)).toFixed(2)}x`,
  );
  console.log(
    `target p95 < 50 ms per project: ${pct(full, 95) < 50 ? 'met' : 'NOT met'} (full), ${pct(core, 95) < 50 ? 'met' : 'NOT met'} (core)`,
  );
  rmSync(tmp, { recursive: true, force: true });
}

void main();
