import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../../src/core/revision/validateRevision';
import { ROOT } from '../support/corpus';

test('the README lists every revision rule with its severity', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  for (const [code, r] of Object.entries(RULES)) {
    assert.ok(
      readme.includes(`| \`${code}\` | ${r.severity} | ${r.summary} |`),
      `README lacks the row for ${code}`,
    );
  }
});
