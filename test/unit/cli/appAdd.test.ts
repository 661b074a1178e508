import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { main } from '../../../src/cli/pvkit';
import { addApp } from '../../../src/platform/image/importImage';
import { buildTar, needsTools, tmp, writeDockerArchive } from '../platform/image/imageTestSupport';

async function pvkit(
  argv: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd, env });
  return { code, out, err };
}

describe('pvkit app add / update', needsTools('mksquashfs', 'unsquashfs'), () => {
  test('exit codes and messages as pvr 037; the converted checkout validates with zero errors', async () => {
    const w = tmp('cli-app');
    const co = join(w, 'co');
    mkdirSync(join(co, '.pvr'), { recursive: true });
    writeFileSync(join(co, '.pvr/json'), '{"#spec":"pantavisor-service-system@1"}');
    const layer = await buildTar([
      { name: 'bin/sh', data: '#!', mode: 0o755 },
      { name: 'etc/hostname', data: 'demo\n' },
    ]);
    await writeDockerArchive(join(w, 'img.tar'), [layer], { repoTag: 'localhost/demo:2' });

    const cases: { argv: string[]; code: number; err?: RegExp; out?: RegExp }[] = [
      { argv: ['app', 'add'], code: 2, err: /app-add needs application name argument/ },
      { argv: ['app', 'add', 'x'], code: 4, err: /--from flag is required/ },
      {
        argv: ['app', 'add', 'x', '--from', 'a', '--group', 'g', '--runlevel', 'app'],
        code: 5,
        err: /--runlevel and --group/,
      },
      {
        argv: ['app', 'add', 'x', '--from', 'docker-archive:missing.tar'],
        code: 3,
        err: /missing\.tar does not exist/,
      },
      { argv: ['app', 'add', 'x', '--from', 'a', '--type', 'rootfs'], code: 2, err: /images only/ },
      { argv: ['app', 'update'], code: 2, err: /app-update needs application argument/ },
      { argv: ['app', 'update', 'nope'], code: 4, err: /src\.json not found/ },
      {
        argv: [
          'app',
          'add',
          'demo',
          '--from',
          `docker-archive:../img.tar`,
          '--group',
          'app',
          '--volume',
          '/data:permanent',
          '--arg',
          'PV_DEBUG_MODE=true',
        ],
        code: 0,
        out: /^Application added\n$/,
      },
      { argv: ['app', 'update', 'demo'], code: 0, out: /^Application updated\n$/, err: /already up to date/ },
    ];
    for (const c of cases) {
      const r = await pvkit(c.argv, co);
      assert.equal(r.code, c.code, `${c.argv.join(' ')}: ${r.err}`);
      if (c.err) assert.match(r.err, c.err, c.argv.join(' '));
      if (c.out) assert.match(r.out, c.out, c.argv.join(' '));
    }
    assert.ok(!existsSync(join(co, 'x')));
    const src = readFileSync(join(co, 'demo/src.json'), 'utf8');
    // pvr's MarshalIndent(" ", " ") layout: two-space first level, " }" at the end, no newline.
    assert.match(
      src,
      /^\{\n {2}"#spec": "service-manifest-src@1",\n {2}"template": "builtin-lxc-docker",\n {2}"args": \{\n {3}"PV_DEBUG_MODE": "true",\n {3}"PV_GROUP": "app"\n {2}\},/,
    );
    assert.ok(src.endsWith('\n }'));
    assert.match(src, /"persistence": \{\n {3}"\/data": "permanent"\n {2}\}/);
    assert.deepEqual(readdirSync(join(co, 'demo')).sort(), [
      'lxc.container.conf',
      'root.squashfs',
      'root.squashfs.docker-digest',
      'run.json',
      'src.json',
    ]);
    const v = await pvkit(['validate'], co);
    assert.equal(v.code, 0, v.out + v.err);
    assert.match(v.out + v.err, /1 checked: 0 errors/);
  });

  test('cancelling removes the temporary files and leaves no root.squashfs', async () => {
    const w = tmp('cli-cancel');
    const co = join(w, 'co');
    const temp = join(w, 'temp');
    mkdirSync(co);
    mkdirSync(temp);
    const big = await buildTar(
      Array.from({ length: 40 }, (_, i) => ({ name: `f${i}`, data: Buffer.alloc(1_000_000, i) })),
    );
    await writeDockerArchive(join(w, 'img.tar'), [big, big.subarray(0)]);
    const ac = new AbortController();
    let sawWrite = false;
    const p = addApp({
      checkout: co,
      app: 'c',
      from: `docker-archive:${join(w, 'img.tar')}`,
      tempDir: temp,
      signal: ac.signal,
      onProgress: (e) => {
        if (e.phase === 'write' && e.bytes > 2_000_000 && !sawWrite) {
          sawWrite = true;
          ac.abort();
        }
      },
    });
    await assert.rejects(p, /cancel/i);
    assert.ok(sawWrite, 'cancelled while mksquashfs was running');
    assert.ok(!existsSync(join(co, 'c')), 'no app folder, no root.squashfs');
    assert.deepEqual(readdirSync(temp), []);
    assert.deepEqual(readdirSync(co), []);
  });
});
