import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { addApp } from '../../../../src/platform/image/importImage';
import { mksquashfsOptions, splitExcludes } from '../../../../src/platform/image/writeSquashfs';
import { buildTar, listing, needsTools, sh, tmp, writeDockerArchive } from './imageTestSupport';

test("mksquashfs options: pvr's defaults, format_options, -e split off", () => {
  assert.deepEqual(mksquashfsOptions(undefined), [
    '-comp',
    'xz',
    '-root-mode',
    '0755',
    '-root-uid',
    '0',
    '-root-gid',
    '0',
  ]);
  assert.deepEqual(mksquashfsOptions('-comp lz4 -Xhc'), [
    '-comp',
    'lz4',
    '-Xhc',
    '-root-mode',
    '0755',
    '-root-uid',
    '0',
    '-root-gid',
    '0',
  ]);
  assert.deepEqual(splitExcludes('-comp xz -e lib/modules -e lib/firmware '), {
    options: '-comp xz',
    excludes: ['lib/modules', 'lib/firmware'],
  });
  assert.deepEqual(splitExcludes('-comp gzip'), { options: '-comp gzip', excludes: [] });
  assert.throws(() => splitExcludes('-wildcards -e "*.a"'), /not supported/);
});

test(
  'format_options from src.json: compression and -e exclusions apply',
  needsTools('mksquashfs', 'unsquashfs'),
  async () => {
    const w = tmp('fmt');
    const layer = await buildTar([
      { name: 'lib/modules/6.1/x.ko', data: 'ko' },
      { name: 'lib/firmware/fw.bin', data: 'fw' },
      { name: 'lib/libc.so', data: 'libc' },
    ]);
    await writeDockerArchive(join(w, 'img.tar'), [layer]);
    const co = join(w, 'co');
    mkdirSync(co);
    await addApp({
      checkout: co,
      app: 'f',
      from: `docker-archive:${join(w, 'img.tar')}`,
      formatOptions: '-comp gzip -e lib/modules -e lib/firmware ',
    });
    assert.match(
      readFileSync(join(co, 'f/src.json'), 'utf8'),
      /"format_options": "-comp gzip -e lib\/modules -e lib\/firmware "/,
    );
    const list = listing(join(co, 'f/root.squashfs'));
    assert.ok(list.some((l) => l.endsWith('squashfs-root/lib/libc.so')));
    assert.ok(!list.some((l) => /lib\/(modules|firmware)/.test(l)), list.join('\n'));
    assert.match(sh('unsquashfs', ['-s', join(co, 'f/root.squashfs')]), /Compression gzip/);
  },
);
