import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir, needsCorpus } from '../../../support/corpus';
import { validateCompose } from '../../../../src/core/compose/validateCompose';
import { projectFromFiles } from '../../../../src/core/compose/ComposeProject';

const SUB = 'balena-fixtures/balena-io-modules__balena-compose-parser';

/**
 * Known disagreements with balena-compose-parser, each with its reason. A fixture listed here
 * still counts as a disagreement in the percentage; the list only documents why.
 */
const KNOWN: Record<string, string> = {};

test(
  'verdicts agree with balena-compose-parser on >= 95% of its single-file fixtures',
  needsCorpus(SUB),
  () => {
    const dir = corpusDir(SUB) ?? '';
    const rows = readFileSync(join(dir, 'EXPECTED.tsv'), 'utf8').trim().split('\n').slice(1);
    let total = 0;
    const disagreements: string[] = [];
    for (const row of rows) {
      const [file = '', expected = '', errorMessage = ''] = row.split('\t');
      if (!['valid', 'invalid', 'valid-with-warning'].includes(expected)) continue;
      total++;
      const text = readFileSync(join(dir, file), 'utf8');
      // The fixtures are single compose files: file checks run against the fixture folder itself,
      // so `extends.file` resolves, but there are no build contexts to check.
      const folder = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '.';
      const siblings = new Map<string, string>();
      for (const r of rows) {
        const f = r.split('\t')[0] ?? '';
        if (f.startsWith(folder + '/') || folder === '.')
          siblings.set(folder === '.' ? f : f.slice(folder.length + 1), '');
      }
      const result = validateCompose({
        composePath: file,
        composeText: text,
        project: projectFromFiles(siblings),
        mode: 'balena',
      });
      const errors = result.diagnostics.filter(
        (d) => d.severity === 'error' && d.code !== 'BAL050' && d.code !== 'BAL051',
      );
      const ours = errors.length ? 'invalid' : 'valid';
      const theirs = expected === 'invalid' ? 'invalid' : 'valid';
      if (ours !== theirs) {
        disagreements.push(
          `${file}: balena ${expected}${errorMessage ? ` ("${errorMessage}")` : ''}, ours ${ours}` +
            (errors.length ? ` [${errors.map((e) => `${e.code} ${e.message}`).join(' | ')}]` : '') +
            (KNOWN[file] ? `\n    reason: ${KNOWN[file]}` : '\n    reason: UNEXPLAINED'),
        );
      }
    }
    const pct = ((total - disagreements.length) / total) * 100;
    console.log(`balena fixtures: ${total - disagreements.length}/${total} agree (${pct.toFixed(1)}%)`);
    for (const d of disagreements) console.log('  DISAGREE ' + d);
    assert.ok(total > 100, `expected over 100 single-file fixtures, found ${total}`);
    assert.ok(pct >= 95, `agreement ${pct.toFixed(1)}% is under 95%`);
    assert.deepEqual(
      disagreements.filter((d) => d.includes('UNEXPLAINED')),
      [],
      'every disagreement needs a reason in KNOWN',
    );
  },
);
