import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { scratch } from '../../../support/pvkitCli';
import { initRepo } from '../../../../src/platform/repo/init';
import {
  builtinEngine,
  committedContent,
  discard,
  parseStatus,
  pvrEngine,
  unstage,
} from '../../../../src/platform/repo/RepoService';

// The data behind the VS Code source control view, with the built-in engine (no pvr installed).

async function repo(): Promise<{ root: string; cfg: string; base: string }> {
  const s = scratch('pvkit-scm-');
  const root = join(s.dir, 'repo');
  mkdirSync(root);
  const cfg = join(s.dir, 'config');
  await initRepo(root, { spec: 'pantavisor-service-system@1', configDir: cfg, cwd: root });
  return { root, cfg, base: s.dir };
}

test('status, stage, unstage, commit, committed content and discard', async () => {
  const { root, cfg, base } = await repo();
  const engine = builtinEngine(cfg);
  writeFileSync(join(root, 'a b.txt'), 'one');
  writeFileSync(join(root, 'conf.json'), '{"x":"<1>"}');
  writeFileSync(join(root, 'star*.txt'), 'literal');
  assert.deepEqual(await engine.status(root), [
    { kind: '?', path: 'a b.txt' },
    { kind: '?', path: 'conf.json' },
    { kind: '?', path: 'star*.txt' },
  ]);
  await engine.stage(root, ['a b.txt', 'conf.json', 'star*.txt']);
  await unstage(root, cfg, ['star*.txt']);
  assert.deepEqual(await engine.status(root), [
    { kind: 'A', path: 'a b.txt' },
    { kind: 'A', path: 'conf.json' },
    { kind: '?', path: 'star*.txt' },
  ]);
  const log = await engine.commit(root, 'first');
  assert.match(log, /Adding inline conf\.json/);
  assert.equal(readFileSync(join(root, '.pvr', 'commitmsg'), 'utf8'), 'first');
  writeFileSync(join(root, 'a b.txt'), 'two');
  rmSync(join(root, 'conf.json'));
  assert.deepEqual(await engine.status(root), [
    { kind: 'D', path: 'conf.json' },
    { kind: 'C', path: 'a b.txt' },
    { kind: '?', path: 'star*.txt' },
  ]);
  assert.equal((await committedContent(root, cfg, 'a b.txt'))?.toString(), 'one');
  assert.equal(
    (await committedContent(root, cfg, 'conf.json'))?.toString(),
    '{\n    "x": "\\u003c1\\u003e"\n}',
  );
  assert.equal(await committedContent(root, cfg, 'star*.txt'), undefined);
  assert.equal(
    await engine.diff(root),
    '{\n\t"a b.txt": "3fc4ccfe745870e2c0d99f71f30ff0656c8dedd41cc1d7d3d376b0dbe685e2f3",\n\t"conf.json": null\n}\n',
  );
  await discard(root, cfg, 'a b.txt', 'C');
  await discard(root, cfg, 'conf.json', 'D');
  await discard(root, cfg, 'star*.txt', '?');
  assert.equal(readFileSync(join(root, 'a b.txt'), 'utf8'), 'one');
  assert.ok(existsSync(join(root, 'conf.json')));
  assert.ok(!existsSync(join(root, 'star*.txt')));
  assert.deepEqual(await engine.status(root), []);
  rmSync(base, { recursive: true, force: true });
});

test('pvr status output is parsed', () => {
  assert.deepEqual(parseStatus('A new.txt\nD gone\nC a b\n? x\n'), [
    { kind: 'A', path: 'new.txt' },
    { kind: 'D', path: 'gone' },
    { kind: 'C', path: 'a b' },
    { kind: '?', path: 'x' },
  ]);
});

test('the pvr engine runs pvr (stand-in script) and escapes glob characters when staging', async () => {
  const { root, base } = await repo();
  const fake = join(base, 'pvr');
  writeFileSync(
    fake,
    `#!/bin/bash\nif [ "$1" = status ]; then echo "? x y"; else printf '%s\\n' "$@" > "${join(base, 'args')}"; fi\n`,
  );
  chmodSync(fake, 0o755);
  const engine = pvrEngine({ pvrPath: fake });
  assert.deepEqual(await engine.status(root), [{ kind: '?', path: 'x y' }]);
  await engine.stage(root, ['q?.txt']);
  assert.equal(readFileSync(join(base, 'args'), 'utf8'), `add\n--\n${join(root, 'q\\?.txt')}\n`);
  rmSync(base, { recursive: true, force: true });
});
