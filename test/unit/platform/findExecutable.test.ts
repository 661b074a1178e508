import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findExecutable } from '../../../src/platform/findExecutable';
import { scratchDir } from '../../support/qemuGuest';

const dir = scratchDir('pvkit-find-exe-');
mkdirSync(join(dir, 'bin'));
writeFileSync(join(dir, 'bin/tool'), '#!/bin/sh\n');
chmodSync(join(dir, 'bin/tool'), 0o755);
writeFileSync(join(dir, 'bin/plain'), 'not executable\n');
const env = { PATH: `/nonexistent:${join(dir, 'bin')}` };

const cases: { name: string; arg: string; want: string | undefined }[] = [
  { name: 'found on PATH', arg: 'tool', want: join(dir, 'bin/tool') },
  { name: 'a file without the x bit is not an executable', arg: 'plain', want: undefined },
  { name: 'not on PATH', arg: 'no-such-tool', want: undefined },
  { name: 'a relative path resolves against cwd, not PATH', arg: 'bin/tool', want: join(dir, 'bin/tool') },
  { name: 'an absolute path is taken as is', arg: join(dir, 'bin/tool'), want: join(dir, 'bin/tool') },
  { name: 'an absolute path that does not exist', arg: join(dir, 'bin/none'), want: undefined },
];
for (const c of cases) {
  test(`findExecutable: ${c.name}`, async () => {
    assert.equal(await findExecutable(c.arg, env, dir), c.want);
  });
}
