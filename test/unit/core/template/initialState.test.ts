import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir, needsCorpus } from '../../../support/corpus';
import { parseGoJson } from '../../../../src/core/template/goJsonDecode';
import { renderContainerFiles } from '../../../../src/core/template/renderContainerFiles';

/**
 * The three docker containers of Pantavisor's test state: their src.json is inline in the state, the
 * lxc.container.conf is an object whose sha256 the state records, and run.json is inline (parsed).
 */
const dir = corpusDir('pantavisor');

for (const app of ['awconnect', 'pv-avahi', 'pvr-sdk']) {
  for (const compat of ['pvr037', 'fixed'] as const) {
    test(
      `${app} (${compat}): rendered files match state.initial_state.json`,
      needsCorpus('pantavisor'),
      () => {
        const bytes = readFileSync(join(dir ?? '', 'state.initial_state.json'));
        const root = parseGoJson(bytes);
        assert.equal(root.kind, 'object');
        if (root.kind !== 'object') return;
        const member = root.members.find((m) => m.key === `${app}/src.json`);
        assert.ok(member, `${app}/src.json not in the state`);
        // The src.json exactly as it appears in the state, numbers spelled as they are there.
        const src = bytes.subarray(member.value.start, member.value.end);
        const state = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;

        const r = renderContainerFiles(src, { name: app, compat });
        assert.equal(r.error, undefined, r.error?.message);
        assert.ok(r.lxcConf !== undefined);
        const sha = createHash('sha256').update(r.lxcConf, 'utf8').digest('hex');
        assert.equal(sha, state[`${app}/lxc.container.conf`], `sha256 of ${app}/lxc.container.conf`);
        assert.deepStrictEqual(JSON.parse(r.runJson ?? ''), state[`${app}/run.json`]);
        assert.deepEqual(r.warnings, []);
      },
    );
  }
}
