import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { addApp } from '../../../../src/platform/image/importImage';
import {
  buildTar,
  listing,
  needsTools,
  sha256hex,
  tmp,
  writeDockerArchive,
  type RawEntry,
} from './imageTestSupport';

interface Case {
  name: string;
  layers: RawEntry[][];
  /** Error expected (a regex on the message), or a check of the squashfs listing. */
  error?: RegExp;
  /** Layer the error must name ("layer N/M"). */
  layer?: number;
  has?: RegExp[];
  hasNot?: RegExp[];
  /** Post-process the layer tars (truncate, corrupt) and say which diff_ids to declare. */
  mangle?: (layers: Buffer[]) => { layers: Buffer[]; diffIds?: string[] };
}

const OUT = '__OUTSIDE__';

const CASES: Case[] = [
  {
    name: 'entry with ../',
    layers: [[{ name: `../${OUT}/pwned`, data: 'x' }]],
    error: /"\.\." could point outside/,
    layer: 1,
  },
  {
    name: 'entry with ../ inside the name',
    layers: [[{ name: `a/../../${OUT}/pwned`, data: 'x' }]],
    error: /"\.\."/,
    layer: 1,
  },
  {
    name: 'absolute path is taken relative to the root',
    layers: [[{ name: `/abs/${OUT}-file`, data: 'x' }]],
    has: [/^-rw-r--r-- 0\/0 1 squashfs-root\/abs\/__OUTSIDE__-file$/],
  },
  {
    name: 'symlinks pointing outside are kept as links, never followed',
    layers: [
      [
        { name: 'evil', type: 'symlink', linkname: `/${OUT}` },
        { name: 'rel', type: 'symlink', linkname: `../../../${OUT}` },
      ],
    ],
    has: [/squashfs-root\/evil -> \/__OUTSIDE__$/, /squashfs-root\/rel -> \.\.\/\.\.\/\.\.\/__OUTSIDE__$/],
  },
  {
    name: 'hard link pointing outside',
    layers: [[{ name: 'h', type: 'link', linkname: `../../${OUT}/passwd` }]],
    error: /"\.\."/,
    layer: 1,
  },
  {
    name: 'hard link to a missing target',
    layers: [[{ name: 'h', type: 'link', linkname: 'etc/shadow' }]],
    error: /hard link target "etc\/shadow" does not exist/,
    layer: 1,
  },
  {
    name: 'symlinked parent followed by a write (same layer)',
    layers: [
      [
        { name: 'a', type: 'symlink', linkname: `/${OUT}` },
        { name: 'a/pwned', data: 'x' },
      ],
    ],
    error: /below "a", which is a symbolic link/,
    layer: 1,
  },
  {
    name: 'symlinked parent followed by a write (next layer)',
    layers: [[{ name: 'a', type: 'symlink', linkname: `../${OUT}` }], [{ name: 'a/pwned', data: 'x' }]],
    error: /below "a", which is a symbolic link/,
    layer: 2,
  },
  {
    name: 'device nodes go into the squashfs only',
    layers: [
      [
        { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o660 },
        { name: 'dev/mem', type: 'character-device', devmajor: 1, devminor: 1 },
      ],
    ],
    has: [
      /^brw-rw---- 0\/0 8,\s*0 squashfs-root\/dev\/sda$/,
      /^crw-r--r-- 0\/0 1,\s*1 squashfs-root\/dev\/mem$/,
    ],
  },
  {
    name: 'huge sparse file (GNU sparse entry) is refused',
    layers: [[{ name: 'sparse', data: 'x', rawType: 'S' }]],
    error: /unsupported tar entry type/,
    layer: 1,
  },
  {
    name: 'huge sparse file (PAX sparse) is refused',
    layers: [
      [
        {
          name: 'sparse',
          data: 'x',
          pax: { 'GNU.sparse.size': '1099511627776', 'GNU.sparse.major': '1', 'GNU.sparse.minor': '0' },
        },
      ],
    ],
    error: /sparse files are not supported/,
    layer: 1,
  },
  {
    name: 'duplicate entries: the last one wins, as with tar -x',
    layers: [
      [
        { name: 'f', data: 'first' },
        { name: 'f', data: 'second!' },
        { name: 'd', type: 'directory', mode: 0o700 },
        { name: 'd', type: 'directory', mode: 0o750 },
      ],
    ],
    has: [/^-rw-r--r-- 0\/0 7 squashfs-root\/f$/, /^drwxr-x--- 0\/0 \d+ squashfs-root\/d$/],
  },
  {
    name: 'whiteout for a path that does not exist',
    layers: [
      [{ name: 'keep', data: 'k' }],
      [
        { name: '.wh.nothing', data: '' },
        { name: 'sub/.wh.nope', data: '' },
      ],
    ],
    has: [/squashfs-root\/keep$/],
    hasNot: [/nothing|nope|\.wh\./],
  },
  {
    name: 'truncated layer (diff_id of the truncated bytes, so only the tar parser can tell)',
    layers: [[{ name: 'big', data: Buffer.alloc(100_000, 7).toString('latin1') }]],
    mangle: (ls) => {
      const cut = (ls[0] as Buffer).subarray(0, 40_000);
      return { layers: [cut], diffIds: [`sha256:${sha256hex(cut)}`] };
    },
    error: /truncated or corrupt/,
    layer: 1,
  },
  {
    name: 'digest mismatch',
    layers: [[{ name: 'ok', data: 'good' }], [{ name: 'f', data: 'original' }]],
    mangle: (ls) => {
      const diffIds = ls.map((l) => `sha256:${sha256hex(l)}`);
      const bad = Buffer.from(ls[1] as Buffer);
      bad[600] = (bad[600] ?? 0) ^ 0xff; // a data byte: the tar still parses
      return { layers: [ls[0] as Buffer, bad], diffIds };
    },
    error: /digest mismatch/,
    layer: 2,
  },
];

describe('hostile and broken layers', needsTools('mksquashfs', 'unsquashfs'), () => {
  for (const c of CASES) {
    test(c.name, async () => {
      const w = tmp('bad');
      const outside = join(w, OUT);
      const co = join(w, 'co', 'deeper');
      const temp = join(w, 'temp');
      mkdirSync(co, { recursive: true });
      mkdirSync(temp);
      let layers = await Promise.all(c.layers.map((l) => buildTar(l)));
      let diffIds: string[] | undefined;
      if (c.mangle) ({ layers, diffIds } = c.mangle(layers));
      const archive = join(w, 'bad.tar');
      await writeDockerArchive(archive, layers, diffIds ? { diffIds } : {});
      const from = `docker-archive:${archive}`;
      const run = addApp({ checkout: co, app: 'bad', from, tempDir: temp, cwd: w });
      if (c.error) {
        await assert.rejects(run, (e: Error) => {
          assert.match(e.message, c.error as RegExp);
          assert.ok(e.message.includes(from), `the message names the image: ${e.message}`);
          assert.match(e.message, new RegExp(`layer ${c.layer}/${c.layers.length}`));
          return true;
        });
        assert.ok(!existsSync(join(co, 'bad')), 'no app folder (and no partial root.squashfs) is left');
      } else {
        await run;
        const list = listing(join(co, 'bad/root.squashfs'));
        for (const re of c.has ?? [])
          assert.ok(
            list.some((l) => re.test(l)),
            `${re} in\n${list.join('\n')}`,
          );
        for (const re of c.hasNot ?? [])
          assert.ok(!list.some((l) => re.test(l)), `${re} not in\n${list.join('\n')}`);
        assert.deepEqual(readdirSync(join(co, 'bad')).sort(), [
          'lxc.container.conf',
          'root.squashfs',
          'root.squashfs.docker-digest',
          'run.json',
          'src.json',
        ]);
      }
      // Nothing was written outside: not next to the checkout, not in the work folder's parent.
      assert.ok(!existsSync(outside), 'nothing written outside');
      assert.ok(!existsSync(join(w, 'co', OUT)) && !existsSync(join(co, OUT)), 'nothing written outside');
      assert.deepEqual(readdirSync(temp), [], 'the work folder is removed');
      assert.deepEqual(
        readdirSync(co).filter((f) => f !== 'bad'),
        [],
      );
      rmSync(w, { recursive: true, force: true });
    });
  }
});
