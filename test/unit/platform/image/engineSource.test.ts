import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  copyFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { corpusDir, needsCorpus } from '../../../support/corpus';
import { resolveDockerHost } from '../../../../src/platform/image/dockerHost';
import { listEngineImages } from '../../../../src/platform/image/engineSource';
import { addApp } from '../../../../src/platform/image/importImage';
import { listing, needsTools, sh, startPodman, tmp } from './imageTestSupport';
import { main } from '../../../../src/cli/pvkit';

const DOCKERFILE = 'balena/balenablocks__audio/examples/mplayer/Dockerfile.template';

describe(
  'engine source (Podman API socket via dockerode)',
  needsTools('podman', 'runc', 'busybox', 'mksquashfs'),
  () => {
    let w = '';
    let svc: ChildProcess | undefined;
    let podman: (args: string[], cwd?: string) => string;
    let host = '';

    before(async () => {
      w = tmp('engine');
      ({ host, podman, proc: svc } = await startPodman(w));
      // A local base standing in for balenalib: busybox plus offline stand-ins for the helpers the
      // corpus Dockerfile calls (install_packages, curl, balena-idle). Named as a stand-in: the real
      // base image cannot be pulled here.
      const root = join(w, 'base');
      mkdirSync(join(root, 'bin'), { recursive: true });
      mkdirSync(join(root, 'usr/bin'), { recursive: true });
      copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
      for (const a of ['sh', 'ls', 'echo', 'cat', 'mkdir', 'touch', 'sleep'])
        symlinkSync('busybox', join(root, 'bin', a));
      const script = (name: string, body: string): void => {
        writeFileSync(join(root, 'usr/bin', name), `#!/bin/sh\n${body}\n`);
        chmodSync(join(root, 'usr/bin', name), 0o755);
      };
      script(
        'install_packages',
        'for p in "$@"; do mkdir -p /usr/share/doc/$p && echo stub > /usr/share/doc/$p/installed; done',
      );
      script(
        'curl',
        'while [ $# -gt 0 ]; do [ "$1" = --output ] && { echo wav > "$2"; shift; }; shift; done',
      );
      script('balena-idle', 'exec sleep 1000000');
      sh('tar', ['-C', root, '-cf', join(w, 'base.tar'), '.']);
      podman([
        'import',
        '--change',
        'ENV PATH=/usr/bin:/bin',
        join(w, 'base.tar'),
        'localhost/balenalib-stub:latest',
      ]);
    });

    after(() => {
      svc?.kill('SIGTERM');
      if (w) rmSync(w, { recursive: true, force: true });
    });

    test(
      'a corpus Dockerfile built with podman on a local base converts; engine and docker-save archive agree',
      needsCorpus(DOCKERFILE),
      async () => {
        const ctx = join(w, 'ctx');
        mkdirSync(ctx);
        const text = readFileSync(join(corpusDir() ?? '', DOCKERFILE), 'utf8').replace(
          /^FROM .*$/m,
          'FROM localhost/balenalib-stub:latest',
        );
        writeFileSync(join(ctx, 'Dockerfile'), text);
        podman(['build', '--network', 'none', '-t', 'localhost/mplayer-demo:1', ctx]);
        const listed = await listEngineImages(resolveDockerHost(host));
        assert.ok(
          listed.some((i) => i.tags.includes('localhost/mplayer-demo:1')),
          'the picker lists the built image',
        );

        const co = join(w, 'co');
        mkdirSync(co);
        const r = await addApp({
          checkout: co,
          app: 'mplayer',
          from: 'localhost/mplayer-demo:1',
          source: 'local',
          dockerHost: host,
        });
        assert.equal(r.image.source, 'local');
        const src = JSON.parse(readFileSync(join(co, 'mplayer/src.json'), 'utf8')) as Record<string, unknown>;
        assert.equal(src['docker_name'], 'localhost/mplayer-demo');
        assert.equal(src['docker_tag'], '1');
        assert.equal(src['docker_source'], 'local');
        assert.match(String(src['docker_digest']), /^(sha256:[a-f0-9]{64}|.+@sha256:[a-f0-9]{64})$/);
        const cfg = src['docker_config'] as { Cmd: string[]; WorkingDir: string; Env: string[] };
        assert.deepEqual(cfg.Cmd, ['balena-idle']);
        assert.equal(cfg.WorkingDir, '/usr/src');
        assert.ok(cfg.Env.includes('PULSE_SERVER=unix:/run/pulse/pulseaudio.socket'));
        const list = listing(join(co, 'mplayer/root.squashfs'));
        for (const p of ['usr/share/doc/mplayer/installed', 'usr/src/test.wav', 'bin/busybox'])
          assert.ok(
            list.some((l) => l.endsWith(`squashfs-root/${p}`)),
            `${p} in the squashfs`,
          );
        // The converted checkout (src.json, run.json, lxc.container.conf, root.squashfs) validates.
        let out = '';
        const code = await main(['validate'], {
          stdout: (t) => (out += t),
          stderr: (t) => (out += t),
          cwd: co,
          env: {},
        });
        assert.equal(code, 0, out);
        assert.match(out, /0 errors/);
        // The same image through `podman save` (docker-archive) gives the same file system.
        podman([
          'save',
          '--format',
          'docker-archive',
          '-o',
          join(w, 'mplayer.tar'),
          'localhost/mplayer-demo:1',
        ]);
        await addApp({ checkout: co, app: 'viaarchive', from: `docker-archive:${join(w, 'mplayer.tar')}` });
        assert.deepEqual(listing(join(co, 'viaarchive/root.squashfs')), list);
        // An OCI layout of it too (skopeo names: oci:DIR:TAG), when skopeo is there.
        if (needsTools('skopeo').skip === undefined) {
          sh('skopeo', [
            'copy',
            '--quiet',
            `docker-archive:${join(w, 'mplayer.tar')}`,
            `oci:${join(w, 'oci')}:v1`,
          ]);
          await addApp({ checkout: co, app: 'viaoci', from: `oci:${join(w, 'oci')}:v1` });
          assert.deepEqual(listing(join(co, 'viaoci/root.squashfs')), list);
          sh('skopeo', [
            'copy',
            '--quiet',
            `docker-archive:${join(w, 'mplayer.tar')}`,
            `oci-archive:${join(w, 'img.oci.tar')}:v1`,
          ]);
          await addApp({ checkout: co, app: 'viaociarchive', from: `oci-archive:${join(w, 'img.oci.tar')}` });
          assert.deepEqual(listing(join(co, 'viaociarchive/root.squashfs')), list);
        }
      },
    );

    test('the engine is found through DOCKER_HOST and through the Docker context', async () => {
      assert.equal(resolveDockerHost(undefined, { DOCKER_HOST: host }).from, 'DOCKER_HOST');
      const cfg = join(w, 'dockercfg');
      const id = createHash('sha256').update('podtest').digest('hex');
      mkdirSync(join(cfg, 'contexts/meta', id), { recursive: true });
      writeFileSync(join(cfg, 'config.json'), JSON.stringify({ currentContext: 'podtest' }));
      writeFileSync(
        join(cfg, 'contexts/meta', id, 'meta.json'),
        JSON.stringify({ Name: 'podtest', Endpoints: { docker: { Host: host } } }),
      );
      const ep = resolveDockerHost(undefined, { DOCKER_CONFIG: cfg });
      assert.equal(ep.from, 'context');
      assert.equal(ep.host, host);
      assert.equal(resolveDockerHost('unix:///x.sock', { DOCKER_HOST: host }).from, 'setting');
      const co = join(w, 'co-ctx');
      mkdirSync(co);
      await addApp({
        checkout: co,
        app: 'b',
        from: 'localhost/balenalib-stub:latest',
        source: 'local',
        env: { DOCKER_CONFIG: cfg },
      });
      assert.ok(existsSync(join(co, 'b/root.squashfs')));
      // An image the engine does not have: "not found" from every source, nothing left behind.
      await assert.rejects(
        addApp({ checkout: co, app: 'c', from: 'localhost/nope:1', source: 'local', dockerHost: host }),
        /not found in source local/,
      );
      assert.ok(!existsSync(join(co, 'c')));
    });
  },
);
