import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, corpusDir, needsCorpus } from '../../support/corpus';
import { replayScenario, type ReplayResult } from '../../support/pvrReplay';

// Replays every pvr transcript of the shared corpus against the built pvkit CLI (dist/cli.js,
// built by scripts/test.mjs before the unit tests) and compares outputs and final files exactly.
const dir = corpusDir('pvr-repo');
const cli = join(ROOT, 'dist/cli.js');
const only = process.env['PVKIT_REPLAY_ONLY'];
const scenarios = dir
  ? readdirSync(dir)
      .filter((d) => existsSync(join(dir, d, 'script.sh')))
      .filter((d) => !only || d.includes(only))
      .sort()
  : [];
const results: ReplayResult[] = [];

for (const s of scenarios) {
  test(
    `pvr transcript ${s}`,
    { ...needsCorpus('pvr-repo'), skip: existsSync(cli) ? false : 'dist/cli.js not built' },
    () => {
      const r = replayScenario(join(dir ?? '', s), cli);
      results.push(r);
      assert.deepEqual(
        r.mismatches,
        [],
        `${s}: ${r.mismatches.length} mismatches\n${r.mismatches.join('\n')}`,
      );
    },
  );
}

test('pvr transcript summary', needsCorpus('pvr-repo'), () => {
  const pass = results.filter((r) => r.mismatches.length === 0);
  process.stdout.write(
    `\npvr transcripts: ${pass.length} of ${results.length} pass` +
      (results.length > pass.length
        ? `; failing: ${results
            .filter((r) => r.mismatches.length)
            .map((r) => r.scenario)
            .join(', ')}`
        : '') +
      '\n',
  );
  assert.ok(results.length > 0);
});
