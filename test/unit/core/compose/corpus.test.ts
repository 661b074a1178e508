import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir, needsCorpus } from '../../../support/corpus';
import { validateComposePath } from '../../../../src/platform/compose/loadComposeProject';

/**
 * Every error on the real balena projects, reviewed by hand. Each one is a true error (the project
 * as published would fail or misbehave on balena today); anything else fails this test.
 */
const REVIEWED_ERRORS: Record<string, string> = {
  'balena-io-examples__meta-exporter__examples BAL050':
    'examples/docker-compose.yml builds ./meta-exporter, which is not in examples/ (the Dockerfile lives in the repo root)',
  'balena-io-experimental__data-relay BAL050':
    '`build: balenablocks/data-relay` names an image, not a folder; the repository has no such folder',
  'klutchell__balena-photonix BAL010': '`links` is on balena-compose-parser’s service deny list',
  'klutchell__balena-shinobi BAL010': '`links` is on balena-compose-parser’s service deny list',
  'mendixlabs__mendix-for-balena BAL010': '`links` is on balena-compose-parser’s service deny list',
};

test(
  'every real balena project validates without a crash and without unreviewed errors',
  needsCorpus('balena'),
  () => {
    const root = corpusDir('balena') ?? '';
    const projects = readdirSync(root).filter((p) => !p.endsWith('.tsv') && !p.endsWith('.md'));
    const unreviewed: string[] = [];
    let balena = 0;
    for (const p of projects) {
      const r = validateComposePath(join(root, p));
      if (r.balena) balena++;
      for (const d of r.diagnostics) {
        if (d.severity !== 'error') continue;
        if (!REVIEWED_ERRORS[`${p} ${d.code}`]) unreviewed.push(`${p}: ${d.code} ${d.message}`);
      }
    }
    console.log(`balena corpus: ${projects.length} projects, ${balena} detected as balena projects`);
    assert.ok(projects.length > 100);
    assert.deepEqual(unreviewed, []);
  },
);
