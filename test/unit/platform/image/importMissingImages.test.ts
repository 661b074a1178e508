import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkoutApps,
  describeImageOutcomes,
  ImageImportError,
  importMissingImages,
} from '../../../../src/platform/image/importMissingImages';
import { buildTar, needsTools, tmp, writeDockerArchive } from './imageTestSupport';

const src = (extra: Record<string, unknown>): string =>
  JSON.stringify({ '#spec': 'service-manifest-src@1', template: 'builtin-lxc-docker', args: {}, ...extra });

test(
  'the import-images step imports apps without root.squashfs, keeps the others, and names a failing app',
  needsTools('mksquashfs'),
  async () => {
    const w = tmp('import-missing');
    try {
      const co = join(w, 'co');
      const archive = join(w, 'web.tar');
      await writeDockerArchive(archive, [await buildTar([{ name: 'hello.txt', data: 'hi' }])], {
        repoTag: 'web:1',
      });
      // web: converted, image not imported yet (the archive it came from is remembered).
      mkdirSync(join(co, 'web'), { recursive: true });
      writeFileSync(
        join(co, 'web/src.json'),
        src({
          docker_name: 'web',
          docker_tag: '1',
          docker_source: 'local',
          pvkit_from: `docker-archive:${archive}`,
        }),
      );
      // db: imported before (by the converter or an earlier run): left alone.
      mkdirSync(join(co, 'db'));
      writeFileSync(join(co, 'db/src.json'), src({ docker_name: 'postgres', docker_tag: '16' }));
      writeFileSync(join(co, 'db/root.squashfs'), 'kept');
      // Not apps: a folder without src.json, and .pvr.
      mkdirSync(join(co, '_config/web'), { recursive: true });
      mkdirSync(join(co, '.pvr'));
      assert.deepEqual(await checkoutApps(co), ['db', 'web']);

      const seen: string[] = [];
      const out = await importMissingImages({ checkout: co, cwd: co, tempDir: w }, (a) => seen.push(a));
      assert.deepEqual(seen, ['web']);
      assert.deepEqual(
        out.map((o) => [o.app, o.status]),
        [
          ['db', 'present'],
          ['web', 'imported'],
        ],
      );
      assert.ok(existsSync(join(co, 'web/root.squashfs')), 'web got its squashfs');
      assert.equal(readFileSync(join(co, 'db/root.squashfs'), 'utf8'), 'kept');
      assert.match(describeImageOutcomes(out), /^db present, web imported \(web:1\)$/);

      // Run again: nothing left to import.
      const again = await importMissingImages({ checkout: co, cwd: co, tempDir: w });
      assert.deepEqual(
        again.map((o) => o.status),
        ['present', 'present'],
      );

      // An app whose image cannot be found: the error names it and the command to run.
      mkdirSync(join(co, 'api'));
      writeFileSync(
        join(co, 'api/src.json'),
        src({
          docker_name: 'api',
          docker_source: 'local',
          pvkit_from: `docker-archive:${join(w, 'missing.tar')}`,
        }),
      );
      await assert.rejects(
        importMissingImages({ checkout: co, cwd: co, tempDir: w }),
        (e: unknown) =>
          e instanceof ImageImportError && e.app === 'api' && /pvkit app update api/.test(e.message),
      );
      assert.ok(!existsSync(join(co, 'api/root.squashfs')));
    } finally {
      rmSync(w, { recursive: true, force: true });
    }
  },
);

test('describeImageOutcomes', () => {
  const cases: [Parameters<typeof describeImageOutcomes>[0], string][] = [
    [[], 'no containers'],
    [[{ app: 'a', status: 'present' }], 'a present'],
    [[{ app: 'b', status: 'imported', image: 'x:1' }], 'b imported (x:1)'],
  ];
  for (const [input, want] of cases) assert.equal(describeImageOutcomes(input), want);
});
