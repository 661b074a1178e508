// Benchmark: converting the whole balena corpus (images not imported, no builds).
//   ours:     convertProject per project: read the project, convert (core), write the checkout in a
//             temp sibling, `pvr init` + add + commit, rename into place. Also the pure core step.
//   baseline: validateComposePath on the same project: the compose diagnostics the editor already
//             runs on every edit of the file.
// Same process, alternating per project; prints total, p50, p95 and ours/baseline (target: p95 < 50 ms).
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
const ROUNDS = 3;

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};
const ms = (x: number): string => `${x.toFixed(2)} ms`;

async function main(): Promise<void> {
  const full: number[] = [];
  const core: number[] = [];
  const base: number[] = [];
  let n = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const p of projects) {
      const dir = join(corpus, p);
      let t = performance.now();
      validateComposePath(dir);
      base.push(performance.now() - t);

      const { composePath, dir: pdir } = locateProject(dir);
      t = performance.now();
      convertBalenaProject({
        composeFile: relative(pdir, composePath),
        composeText: readFileSync(composePath, 'utf8'),
        project: fsComposeProject(pdir),
        projectName: basename(pdir),
      });
      core.push(performance.now() - t);

      const out = join(tmp, `${round}-${n++}`);
      t = performance.now();
      await convertProject({ project: dir, out, build: 'never', configDir: join(tmp, '.pvr-config') });
      full.push(performance.now() - t);
      rmSync(out, { recursive: true, force: true });
    }
  }
  const per = projects.length;
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / ROUNDS;
  console.log(`${per} projects, ${ROUNDS} rounds (figures per round)`);
  console.log(`ours  convertProject (write + commit): total ${ms(sum(full))}, p50 ${ms(pct(full, 50))}, p95 ${ms(pct(full, 95))}`);
  console.log(`ours  core conversion only:            total ${ms(sum(core))}, p50 ${ms(pct(core, 50))}, p95 ${ms(pct(core, 95))}`);
  console.log(`base  validateComposePath:             total ${ms(sum(base))}, p50 ${ms(pct(base, 50))}, p95 ${ms(pct(base, 95))}`);
  console.log(`ratio p95 ours(full)/baseline = ${(pct(full, 95) / pct(base, 95)).toFixed(2)}x, ours(core)/baseline = ${(pct(core, 95) / pct(base, 95)).toFixed(2)}x`);
  console.log(`target p95 < 50 ms per project: ${pct(full, 95) < 50 ? 'met' : 'NOT met'} (full), ${pct(core, 95) < 50 ? 'met' : 'NOT met'} (core)`);
  rmSync(tmp, { recursive: true, force: true });
}

void main();
