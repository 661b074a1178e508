import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addApp, updateApp } from '../../../../src/platform/image/importImage';
import {
  buildTar,
  listing,
  needsTools,
  putManifestList,
  sh,
  startProxy,
  startRegistry,
  type Mode,
  tmp,
  writeDockerArchive,
} from './imageTestSupport';

describe(
  'registry source (Debian docker-registry on 127.0.0.1)',
  needsTools('docker-registry', 'skopeo', 'mksquashfs', 'unsquashfs'),
  () => {
    let w = '';
    let reg: ChildProcess | undefined;
    let port = 0;
    let proxy: Awaited<ReturnType<typeof startProxy>>;
    const archives: Record<string, string> = {};
    const digests: Record<string, string> = {};

    before(async () => {
      w = tmp('registry');
      ({ port, proc: reg } = await startRegistry(w));
      for (const arch of ['amd64', 'arm64']) {
        const layer1 = await buildTar([
          { name: 'bin/', type: 'directory' },
          { name: 'bin/tool', data: randomBytes(8000), mode: 0o755 },
        ]);
        const layer2 = await buildTar([
          { name: 'etc/arch', data: arch },
          { name: 'bin/.wh.tool', data: '' },
        ]);
        archives[arch] = join(w, `${arch}.tar`);
        await writeDockerArchive(archives[arch], [layer1, layer2], {
          architecture: arch,
          repoTag: `test/img:${arch}`,
        });
        sh('skopeo', [
          'copy',
          '--quiet',
          '--dest-tls-verify=false',
          `docker-archive:${archives[arch]}`,
          `docker://127.0.0.1:${port}/test/img:${arch}`,
        ]);
        digests[arch] = sh('skopeo', [
          'inspect',
          '--tls-verify=false',
          '--format',
          '{{.Digest}}',
          `docker://127.0.0.1:${port}/test/img:${arch}`,
        ]).trim();
      }
      // A manifest list over the two, put with the registry API.
      await putManifestList(port, 'test/img', 'multi', ['amd64', 'arm64']);
      proxy = await startProxy(port);
    });

    after(() => {
      reg?.kill('SIGTERM');
      proxy?.server.close();
      if (w) rmSync(w, { recursive: true, force: true });
    });

    const checkout = (): string => {
      const co = join(w, `co-${Math.random().toString(36).slice(2)}`);
      mkdirSync(co);
      return co;
    };

    test('anonymous pull by tag equals the archive import; src.json names the manifest digest', async () => {
      const co = checkout();
      const ref = `127.0.0.1:${port}/test/img:amd64`;
      await addApp({ checkout: co, app: 'r', from: ref, source: 'remote' });
      await addApp({ checkout: co, app: 'a', from: `docker-archive:${archives['amd64']}` });
      assert.deepEqual(listing(join(co, 'r/root.squashfs')), listing(join(co, 'a/root.squashfs')));
      const src = JSON.parse(readFileSync(join(co, 'r/src.json'), 'utf8')) as Record<string, unknown>;
      assert.equal(src['docker_name'], `127.0.0.1:${port}/test/img`);
      assert.equal(src['docker_tag'], 'amd64');
      assert.equal(src['docker_digest'], `127.0.0.1:${port}/test/img@${digests['amd64']}`);
      assert.equal(src['docker_source'], 'remote');
      assert.equal(readFileSync(join(co, 'r/root.squashfs.docker-digest'), 'utf8'), src['docker_digest']);
      assert.deepEqual((src['docker_config'] as { Cmd: string[] }).Cmd, ['/bin/sh']);
    });

    test('digest pinning, and a pinned digest that does not exist', async () => {
      const co = checkout();
      await addApp({
        checkout: co,
        app: 'p',
        from: `127.0.0.1:${port}/test/img@${digests['arm64']}`,
        source: 'remote',
      });
      assert.ok(listing(join(co, 'p/root.squashfs')).some((l) => /squashfs-root\/etc\/arch$/.test(l)));
      await assert.rejects(
        addApp({
          checkout: co,
          app: 'q',
          from: `127.0.0.1:${port}/test/img@sha256:${'0'.repeat(64)}`,
          source: 'remote',
        }),
        /not found \(404\)/,
      );
      assert.ok(!existsSync(join(co, 'q')));
    });

    test('manifest list: --platform picks the entry as pvr does; update keeps the platform', async () => {
      const co = checkout();
      await addApp({
        checkout: co,
        app: 'm',
        from: `127.0.0.1:${port}/test/img:multi`,
        platform: 'linux/arm64',
        source: 'remote',
      });
      const src = JSON.parse(readFileSync(join(co, 'm/src.json'), 'utf8')) as Record<string, unknown>;
      assert.equal(src['docker_platform'], 'linux/arm64');
      assert.equal(src['docker_digest'], `127.0.0.1:${port}/test/img@${digests['arm64']}`);
      sh('unsquashfs', ['-d', join(co, 'x'), join(co, 'm/root.squashfs'), 'etc/arch']);
      assert.equal(readFileSync(join(co, 'x/etc/arch'), 'utf8'), 'arm64');
      // Without a platform: linux/amd64, what a registry serves clients that cannot read lists.
      await addApp({ checkout: co, app: 'd', from: `127.0.0.1:${port}/test/img:multi`, source: 'remote' });
      assert.match(readFileSync(join(co, 'd/src.json'), 'utf8'), new RegExp(digests['amd64'] ?? 'x'));
      await assert.rejects(
        addApp({
          checkout: co,
          app: 'n',
          from: `127.0.0.1:${port}/test/img:multi`,
          platform: 'linux/s390x',
          source: 'remote',
        }),
        /no image for platform linux\/s390x/,
      );
      const r = await updateApp({ checkout: co, app: 'm' });
      assert.equal(r.squashfsWritten, false, 'same digest: the work is skipped');
    });

    test('token auth: the Bearer challenge with user name and password', async () => {
      proxy.mode.value = 'token';
      try {
        const co = checkout();
        const from = `127.0.0.1:${proxy.port}/test/img:amd64`;
        await assert.rejects(
          addApp({ checkout: co, app: 't', from, source: 'remote' }),
          /token service .* answered 401/,
        );
        await addApp({
          checkout: co,
          app: 't',
          from,
          source: 'remote',
          username: 'user',
          password: 'secret',
        });
        assert.ok(existsSync(join(co, 't/root.squashfs')));
      } finally {
        proxy.mode.value = 'pass';
      }
    });

    const FAULTS: { mode: Mode; error: RegExp; layer?: boolean }[] = [
      { mode: '401', error: /access denied \(401\)|answered 401/ },
      { mode: '404', error: /not found \(404\)/ },
      { mode: '500', error: /answered 500/ },
      { mode: 'close-mid-blob', error: /connection closed after|download failed/, layer: true },
      { mode: 'corrupt-blob', error: /digest mismatch/, layer: true },
    ];
    for (const f of FAULTS) {
      test(`a registry that ${f.mode === 'close-mid-blob' ? 'closes mid-blob' : f.mode === 'corrupt-blob' ? 'sends a corrupt blob' : `answers ${f.mode}`}`, async () => {
        proxy.mode.value = f.mode;
        try {
          const co = checkout();
          const temp = join(co, '..', `temp-${f.mode}`);
          mkdirSync(temp);
          const from = `127.0.0.1:${proxy.port}/test/img:amd64`;
          await assert.rejects(
            addApp({
              checkout: co,
              app: 'f',
              from,
              source: 'remote',
              tempDir: temp,
              username: 'user',
              password: 'secret',
            }),
            (e: Error) => {
              assert.match(e.message, f.error);
              assert.ok(e.message.includes(from), `names the image: ${e.message}`);
              if (f.layer) assert.match(e.message, /layer 1\/2 \(sha256:/);
              return true;
            },
          );
          assert.ok(!existsSync(join(co, 'f')), 'nothing left in the checkout');
          assert.equal(sh('ls', ['-A', temp]).trim(), '', 'work folder removed');
        } finally {
          proxy.mode.value = 'pass';
        }
      });
    }
  },
);
