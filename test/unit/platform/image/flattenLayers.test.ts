import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  linkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as tarStream from 'tar-stream';
import { addApp } from '../../../../src/platform/image/importImage';
import { isRoot, listing, needsTools, sh, tmp, writeDockerArchive } from './imageTestSupport';

/** Writes a tree described as path → content ('/' suffix = directory, '->' = symlink, '=>' = hard link). */
function tree(
  root: string,
  spec: Record<string, string | { data?: string; mode?: number; uid?: number; gid?: number }>,
): void {
  for (const [p, v] of Object.entries(spec)) {
    const full = join(root, p);
    mkdirSync(join(full, '..'), { recursive: true });
    const o = typeof v === 'string' ? { data: v } : v;
    const d = o.data ?? '';
    if (p.endsWith('/')) mkdirSync(full, { recursive: true });
    else if (d.startsWith('-> ')) symlinkSync(d.slice(3), full);
    else if (d.startsWith('=> ')) linkSync(join(root, d.slice(3)), full);
    else if (d.startsWith('chr ')) sh('mknod', [full, 'c', ...d.slice(4).split(' ')]);
    else writeFileSync(full, d === 'RANDOM' ? randomBytes(200_000) : d);
    if (o.mode !== undefined) chmodSync(full, o.mode);
    if (o.uid !== undefined) chownSync(full, o.uid, o.gid ?? o.uid);
  }
}

/** A layer tar made by GNU tar from a folder, as `docker build` stores them (numeric owners). */
function gnuLayer(dir: string): Buffer {
  return Buffer.from(sh('tar', ['--numeric-owner', '--sort=name', '-C', dir, '-cf', '-', '.'], {}), 'latin1');
}

function tarBytes(dir: string, out: string): Buffer {
  sh('tar', ['--numeric-owner', '--sort=name', '-C', dir, '-cf', out, '.']);
  return readFileSync(out);
}

async function entryTypes(layer: string): Promise<Map<string, string>> {
  const ex = tarStream.extract();
  const out = new Map<string, string>();
  const done = (async () => {
    for await (const e of ex) {
      out.set(e.header.name.replace(/^\.\//, '').replace(/\/$/, ''), e.header.type);
      e.resume();
    }
  })();
  ex.end(readFileSync(layer));
  await done;
  return out;
}

/**
 * The independent flattener: what pvr does, with GNU tar, on disk. For each layer: apply its
 * whiteouts with rm, remove folders the layer replaces with a non-folder, then `tar -x` without
 * the whiteout files; finally pvr's post-steps. Then mksquashfs of the folder.
 */
async function oracle(layers: string[], work: string): Promise<string> {
  const root = join(work, 'oracle-root');
  mkdirSync(root);
  for (const l of layers) {
    const types = await entryTypes(l);
    for (const [name] of types) {
      const base = name.split('/').pop() ?? '';
      const dir = join(root, name, '..');
      if (base === '.wh..wh..opq') {
        if (existsSync(dir))
          for (const c of readdirSync(dir)) rmSync(join(dir, c), { recursive: true, force: true });
      } else if (base.startsWith('.wh.')) rmSync(join(dir, base.slice(4)), { recursive: true, force: true });
    }
    for (const [name, type] of types) {
      if (
        type !== 'directory' &&
        name &&
        existsSync(join(root, name)) &&
        !name.split('/').pop()?.startsWith('.wh.')
      )
        rmSync(join(root, name), { recursive: true, force: true });
    }
    sh('tar', ['-xpf', l, '--numeric-owner', '--exclude=.wh.*', '-C', root]);
  }
  rmSync(join(root, 'usr/bin/qemu-arm-static'), { force: true });
  for (const d of ['proc', 'sys', 'dev', 'tmp', 'var/tmp', 'run', 'var/run'])
    mkdirSync(join(root, d), { recursive: true, mode: 0o755 });
  const out = join(work, 'oracle.sqfs');
  sh('mksquashfs', [root, out, '-comp', 'xz', '-root-mode', '0755', '-quiet', '-noappend']);
  return out;
}

describe(
  'layer flattening against an independent GNU tar flattener',
  needsTools('mksquashfs', 'unsquashfs', 'tar', 'mknod'),
  () => {
    test(
      'content, modes, owners, links, whiteouts and replacements match; a second import is byte-identical',
      { skip: isRoot ? false : 'needs root for owners and device nodes in the oracle' },
      async () => {
        const w = tmp('flatten');
        const d1 = join(w, 'l1');
        const d2 = join(w, 'l2');
        const d3 = join(w, 'l3');
        tree(d1, {
          'bin/tool': { data: 'RANDOM', mode: 0o755 },
          'etc/passwd': 'root:x:0:0::/root:/bin/sh\n',
          'etc/conf': { data: 'secret', mode: 0o600, uid: 1000, gid: 1001 },
          'etc/abs': { data: '-> /etc/passwd' },
          'usr/lib/a.so': 'version one',
          'usr/lib/b.so': { data: '=> usr/lib/a.so' },
          lib: { data: '-> usr/lib' },
          'dev/null': { data: 'chr 1 3', mode: 0o666 },
          'var/cache/x': 'cached',
          'opt/dir/f1': 'one',
          'opt/dir/f2': 'two',
          'sbin/setuid': { data: 'suid', mode: 0o4755 },
          'srv/sub/file': 'in a folder that becomes a file',
          data: 'a file that becomes a folder',
          [`deep/${'d'.repeat(60)}/${'e'.repeat(60)}/long-name-file.txt`]: 'long',
          'unicode/étoile ☆.txt': 'utf8',
          'empty/': '',
        });
        tree(d2, {
          'etc/.wh.conf': '',
          'opt/dir/.wh..wh..opq': '',
          'opt/dir/f3': 'three',
          'usr/lib/a.so': 'version two, longer',
          'var/.wh.cache': '',
          '.wh.does-not-exist': '',
          'home/user/': { mode: 0o700, uid: 1000, gid: 1000 },
          'usr/bin/qemu-arm-static': 'qemu',
        });
        tree(d3, {
          srv: 'now a file',
          'data/child': 'inside',
          'etc/passwd': { data: 'root:x:0:0::/:/bin/sh\n', mode: 0o644 },
        });
        chmodSync(join(d2, 'home/user'), 0o700);
        const layers = [
          tarBytes(d1, join(w, 'l1.tar')),
          tarBytes(d2, join(w, 'l2.tar')),
          tarBytes(d3, join(w, 'l3.tar')),
        ];
        void gnuLayer;
        const archive = join(w, 'img.tar');
        await writeDockerArchive(archive, layers, { repoTag: 'localhost/flat:1' });
        const co = join(w, 'co');
        mkdirSync(co);
        await addApp({ checkout: co, app: 'flat', from: `docker-archive:${archive}` });
        const ours = join(co, 'flat/root.squashfs');
        const expected = await oracle([join(w, 'l1.tar'), join(w, 'l2.tar'), join(w, 'l3.tar')], w);
        assert.deepEqual(listing(ours), listing(expected));
        // The hard link kept the old content although a.so was replaced above it.
        const x = join(w, 'x');
        sh('unsquashfs', ['-d', x, ours, 'usr/lib/b.so', 'usr/lib/a.so']);
        assert.equal(readFileSync(join(x, 'usr/lib/b.so'), 'utf8'), 'version one');
        assert.equal(readFileSync(join(x, 'usr/lib/a.so'), 'utf8'), 'version two, longer');
        // Reproducible: the same image imported again gives the same bytes.
        const first = readFileSync(ours);
        const co2 = join(w, 'co2');
        mkdirSync(co2);
        await addApp({ checkout: co2, app: 'flat', from: `docker-archive:${archive}` });
        assert.ok(first.equals(readFileSync(join(co2, 'flat/root.squashfs'))), 'second import differs');
        rmSync(w, { recursive: true, force: true });
      },
    );
  },
);
