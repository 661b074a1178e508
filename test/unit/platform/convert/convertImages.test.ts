import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { corpusDir, needsCorpus } from '../../../support/corpus';
import { main } from '../../../../src/cli/pvkit';
import { ConvertError, convertProject } from '../../../../src/platform/convert/convertProject';
import { pingEngine } from '../../../../src/platform/doctor/doctor';
import { loadCheckout } from '../../../../src/platform/revision/loadRevision';
import { createPantavisorService } from '../../../../src/core/service';
import {
  buildTar,
  listing,
  needsTools,
  putManifestList,
  sh,
  startPodman,
  startProxy,
  startRegistry,
  tmp,
  writeDockerArchive,
} from '../image/imageTestSupport';

/** A corpus project with one `build:` service whose Dockerfile starts `FROM alpine:3.16`. */
const CORPUS_PROJECT = 'balena/balena-labs-projects__project-template';

type Src = Record<string, unknown> & { docker_config?: Record<string, unknown> };
const readSrc = (f: string): Src => JSON.parse(readFileSync(f, 'utf8')) as Src;

/** Errors of `pvkit`'s validation of a checkout, plus the not-imported notes (PV114). */
async function problems(out: string): Promise<string[]> {
  const loaded = await loadCheckout(out);
  return createPantavisorService()
    .validateCheckout(out, loaded.files, loaded.pristine)
    .filter((d) => d.severity === 'error' || d.code === 'PV114')
    .map((d) => `${d.file}: ${d.code} ${d.message}`);
}

/**
 * The converter imports every service's image into its container's root.squashfs, with a real
 * engine (`podman system service`, storage in the temp folder, test-environment.md §2) and a real
 * registry (Debian's docker-registry on 127.0.0.1, behind a proxy that corrupts one repository's
 * layers).
 */
describe(
  'convert imports the images of all services (podman API socket, docker-registry on 127.0.0.1)',
  needsTools('podman', 'runc', 'busybox', 'mksquashfs', 'unsquashfs', 'docker-registry', 'skopeo'),
  () => {
    let w = '';
    let svc: ChildProcess | undefined;
    let reg: ChildProcess | undefined;
    let proxy: Awaited<ReturnType<typeof startProxy>> | undefined;
    let host = '';
    let registry = '';
    let env: NodeJS.ProcessEnv = {};

    before(async () => {
      w = tmp('convert-images');
      const engine = await startPodman(w);
      host = engine.host;
      svc = engine.proc;
      const podman = engine.podman;
      // The local base: a busybox root file system, tagged as the corpus Dockerfile's `FROM`
      // (alpine:3.16 cannot be pulled here; the build must not need the network).
      const root = join(w, 'base');
      mkdirSync(join(root, 'bin'), { recursive: true });
      mkdirSync(join(root, 'etc'), { recursive: true });
      copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
      for (const a of ['sh', 'cat', 'echo', 'mkdir']) symlinkSync('busybox', join(root, 'bin', a));
      writeFileSync(join(root, 'etc/os-release'), 'NAME="pvkit local base"\n');
      sh('tar', ['-C', root, '-cf', join(w, 'base.tar'), '.']);
      podman(['import', '--change', 'ENV PATH=/bin', join(w, 'base.tar'), 'localhost/pvkit-stub:1']);
      podman(['tag', 'localhost/pvkit-stub:1', 'docker.io/library/alpine:3.16']);
      const deadline = Date.now() + 20_000;
      while (!(await pingEngine(host, 500)).ok) {
        assert.ok(Date.now() < deadline, 'podman service did not answer');
        await new Promise((r) => setTimeout(r, 100));
      }
      env = { ...process.env, DOCKER_HOST: host };

      // The registry: test/good:1 and test/bad:1 (whose layers the proxy corrupts).
      const registryServer = await startRegistry(w);
      reg = registryServer.proc;
      const port = registryServer.port;
      for (const name of ['good', 'bad']) {
        const layers = [
          await buildTar([
            { name: 'srv/', type: 'directory' },
            { name: `srv/${name}.bin`, data: randomBytes(300_000) },
          ]),
          await buildTar([{ name: 'etc/which', data: name }]),
        ];
        const file = join(w, `${name}.tar`);
        await writeDockerArchive(file, layers, { config: { Cmd: ['/srv/run', name] } });
        sh('skopeo', [
          'copy',
          '--quiet',
          '--dest-tls-verify=false',
          `docker-archive:${file}`,
          `docker://127.0.0.1:${port}/test/${name}:1`,
        ]);
      }
      // test/multi:1, a manifest list over an amd64 and an arm64 image.
      for (const arch of ['amd64', 'arm64']) {
        const file = join(w, `multi-${arch}.tar`);
        await writeDockerArchive(file, [await buildTar([{ name: 'etc/arch', data: arch }])], {
          architecture: arch,
        });
        sh('skopeo', [
          'copy',
          '--quiet',
          '--dest-tls-verify=false',
          `docker-archive:${file}`,
          `docker://127.0.0.1:${port}/test/multi:${arch}`,
        ]);
      }
      await putManifestList(port, 'test/multi', '1', ['amd64', 'arm64']);
      proxy = await startProxy(port);
      proxy.mode.value = 'corrupt-blob';
      proxy.mode.only = '/v2/test/bad/blobs/';
      registry = `127.0.0.1:${proxy.port}`;
    });

    after(() => {
      svc?.kill('SIGTERM');
      reg?.kill('SIGTERM');
      proxy?.server.close();
      if (w) rmSync(w, { recursive: true, force: true });
    });

    test(
      'a corpus project built with podman on a local base converts end to end: root.squashfs imported, zero errors',
      needsCorpus(CORPUS_PROJECT),
      async () => {
        const out = join(w, 'template-out');
        const lines: string[] = [];
        const r = await convertProject({
          project: join(corpusDir() ?? '', CORPUS_PROJECT),
          out,
          deviceType: 'intel-nuc',
          configDir: join(w, 'pvrconfig'),
          env,
          progress: (l) => lines.push(l),
        });
        const c = r.result.report.containers[0];
        assert.equal(c?.build?.status, 'built', lines.join('\n'));
        assert.equal(c?.import?.status, 'imported', lines.join('\n'));
        const dir = join(out, c?.container ?? '');
        const src = readSrc(join(dir, 'src.json'));
        assert.deepEqual(src.docker_config?.['Cmd'], ['cat', '/etc/os-release']);
        assert.equal(src['docker_source'], 'local');
        assert.equal(readFileSync(join(dir, 'root.squashfs.docker-digest'), 'utf8'), src['docker_digest']);
        const files = listing(join(dir, 'root.squashfs'));
        for (const p of ['etc/os-release', 'bin/busybox', 'bin/sh'])
          assert.ok(
            files.some((l) => l.includes(`squashfs-root/${p}`)),
            `${p} in the squashfs:\n${files.join('\n')}`,
          );
        // Progress named the service and counted bytes per layer.
        assert.ok(
          lines.some((l) => /^balena-project-template: Converting layer 1\/1 .*MB/.test(l)),
          lines.join('\n'),
        );
        // Nothing is left to do for the image, and the checkout validates with zero errors.
        assert.deepEqual(r.result.report.nextSteps, []);
        assert.deepEqual(await problems(out), []);
        const pristine = JSON.parse(readFileSync(join(out, '.pvr/json'), 'utf8')) as Record<string, unknown>;
        assert.ok(`${c?.container ?? ''}/root.squashfs` in pristine, 'root.squashfs is committed');
        assert.deepEqual(
          readdirSync(w).filter((f) => f.includes('pvkit-images') || f.includes('pvkit-convert')),
          [],
          'no work folders left',
        );
      },
    );

    test('pvkit convert: one service failing (corrupt layer) is reported with its image, layer and line; the others are imported', async () => {
      const proj = join(w, 'multi');
      mkdirSync(join(proj, 'app'), { recursive: true });
      writeFileSync(
        join(proj, 'docker-compose.yml'),
        [
          'services:',
          '  app:',
          '    build: ./app',
          '  good:',
          `    image: ${registry}/test/good:1`,
          '  stub:',
          '    image: localhost/pvkit-stub:1',
          '  bad:',
          `    image: ${registry}/test/bad:1`,
          '',
        ].join('\n'),
      );
      writeFileSync(
        join(proj, 'app', 'Dockerfile'),
        'FROM localhost/pvkit-stub:1\nRUN echo built > /etc/app\nCMD ["cat", "/etc/app"]\n',
      );
      let stdout = '';
      let stderr = '';
      const code = await main(
        ['convert', proj, '--out', 'multi-out', '-t', 'intel-nuc', '--docker-host', host],
        {
          stdout: (t) => (stdout += t),
          stderr: (t) => (stderr += t),
          cwd: w,
          env: { PVR_CONFIG_DIR: join(w, 'pvrconfig') },
        },
      );
      assert.equal(code, 0, stderr);
      assert.match(stdout, /4 container\(s\), 3 image\(s\) imported/);
      const out = join(w, 'multi-out');
      const report = JSON.parse(readFileSync(join(out, 'CONVERSION.json'), 'utf8')) as {
        containers: { service: string; import?: { status: string; layer?: string; error?: string } }[];
        problems: { severity: string; message: string; file?: string; line?: number }[];
        nextSteps: string[];
      };
      const status = Object.fromEntries(report.containers.map((c) => [c.service, c.import?.status]));
      assert.deepEqual(status, { app: 'imported', good: 'imported', stub: 'imported', bad: 'failed' });
      // The failure: service, image, layer, and the compose line of its `image:`.
      const bad = report.containers.find((c) => c.service === 'bad')?.import;
      assert.match(bad?.layer ?? '', /^sha256:[a-f0-9]{64}$/);
      assert.match(bad?.error ?? '', /digest mismatch/);
      const p = report.problems.find((x) => x.message.includes('"bad"'));
      assert.equal(p?.file, 'docker-compose.yml');
      assert.equal(p?.line, 9);
      assert.ok(p?.message.includes(`${registry}/test/bad:1`) && p.message.includes(bad?.layer ?? '?'));
      assert.match(readFileSync(join(out, 'CONVERSION.md'), 'utf8'), /docker-compose\.yml#L9\)/);
      assert.ok(report.nextSteps.some((s) => s.includes('pvkit app update bad')));
      assert.equal(report.nextSteps.length, 1, report.nextSteps.join('\n'));
      // The others are there and right; nothing of the failed one is left.
      assert.ok(!existsSync(join(out, 'bad', 'root.squashfs')));
      assert.ok(
        listing(join(out, 'good', 'root.squashfs')).some((l) => l.endsWith('squashfs-root/srv/good.bin')),
      );
      assert.ok(listing(join(out, 'app', 'root.squashfs')).some((l) => l.endsWith('squashfs-root/etc/app')));
      assert.ok(
        listing(join(out, 'stub', 'root.squashfs')).some((l) => l.endsWith('squashfs-root/bin/busybox')),
      );
      const good = readSrc(join(out, 'good', 'src.json'));
      assert.match(String(good['docker_digest']), new RegExp(`^${registry}/test/good@sha256:[a-f0-9]{64}$`));
      assert.deepEqual(good.docker_config?.['Cmd'], ['/srv/run', 'good']);
      assert.equal(readSrc(join(out, 'stub', 'src.json'))['docker_source'], 'remote,local');
      // Per-service progress with bytes on stderr.
      assert.match(stderr, /good: Downloading layer 1\/2 sha256:[a-f0-9]+: 0\.3 MB of 0\.3 MB/);
      assert.match(stderr, /Import of bad \(.*test\/bad:1\) failed: .*layer/);
      const errs = await problems(out);
      assert.deepEqual(
        errs.filter((e) => !e.includes('/bad/run.json: PV114')),
        [],
      );
    });

    test('pvkit convert -u with PVR_REGISTRY_PASSWORD: a registry that wants a token gets one; without them the service fails with 401', async () => {
      const proj = join(w, 'auth');
      mkdirSync(proj);
      writeFileSync(
        join(proj, 'docker-compose.yml'),
        `services:\n  good:\n    image: ${registry}/test/good:1\n`,
      );
      const saved = { ...proxy!.mode };
      proxy!.mode.value = 'token';
      proxy!.mode.only = '/v2/test/good/';
      try {
        const run = async (out: string, extra: string[], env: NodeJS.ProcessEnv): Promise<string> => {
          let text = '';
          const code = await main(
            ['convert', proj, '--out', out, '-t', 'intel-nuc', '--source', 'remote', ...extra],
            {
              stdout: (t) => (text += t),
              stderr: (t) => (text += t),
              cwd: w,
              env: { PVR_CONFIG_DIR: join(w, 'pvrconfig'), ...env },
            },
          );
          assert.equal(code, 0, text);
          return text;
        };
        const denied = await run('auth-none', [], {});
        assert.match(denied, /1 container\(s\), 0 image\(s\) imported/);
        assert.match(readFileSync(join(w, 'auth-none', 'CONVERSION.md'), 'utf8'), /import failed.*401/);
        const ok = await run('auth-ok', ['-u', 'user'], { PVR_REGISTRY_PASSWORD: 'secret' });
        assert.match(ok, /1 container\(s\), 1 image\(s\) imported/);
        assert.ok(!ok.includes('secret'), 'the password is never printed');
        assert.ok(existsSync(join(w, 'auth-ok', 'good', 'root.squashfs')));
      } finally {
        Object.assign(proxy!.mode, saved);
      }
    });

    test('--no-build: an image built earlier (the tag the report names) is imported from the engine; one never built is left as the build step', async () => {
      // Same project name as the previous test, so `app` has the tag that test built (multi_app).
      const proj = join(w, 'again', 'multi');
      mkdirSync(join(proj, 'app'), { recursive: true });
      mkdirSync(join(proj, 'other'), { recursive: true });
      writeFileSync(
        join(proj, 'docker-compose.yml'),
        'services:\n  app:\n    build: ./app\n  other:\n    build: ./other\n',
      );
      for (const d of ['app', 'other'])
        writeFileSync(join(proj, d, 'Dockerfile'), 'FROM localhost/pvkit-stub:1\n');
      const out = join(w, 'again-out');
      const r = await convertProject({
        project: proj,
        out,
        deviceType: 'intel-nuc',
        build: 'never',
        configDir: join(w, 'pvrconfig'),
        env,
        dockerHost: host,
      });
      const by = Object.fromEntries(r.result.report.containers.map((c) => [c.service, c]));
      assert.equal(by['app']?.build?.status, 'pending');
      assert.equal(by['app']?.import?.status, 'imported');
      assert.ok(listing(join(out, 'app', 'root.squashfs')).some((l) => l.endsWith('squashfs-root/etc/app')));
      const other = by['other']?.import;
      assert.equal(other?.status, 'skipped');
      assert.match(other?.status === 'skipped' ? other.reason : '', /not in the engine/);
      assert.ok(!existsSync(join(out, 'other', 'root.squashfs')));
      assert.equal(r.result.report.nextSteps.length, 1, r.result.report.nextSteps.join('\n'));
      assert.match(
        r.result.report.nextSteps[0] ?? '',
        /^Build "other" .*docker build.*pvkit app update other/,
      );
      assert.deepEqual(
        r.result.report.problems.filter((p) => p.severity !== 'info'),
        [],
      );
    });

    test("an image: service with a manifest list gets the device type's platform, as pvr takes it from _hostconfig", async () => {
      const proj = join(w, 'arm');
      mkdirSync(proj);
      writeFileSync(
        join(proj, 'docker-compose.yml'),
        `services:\n  m:\n    image: ${registry}/test/multi:1\n`,
      );
      const out = join(w, 'arm-out');
      const r = await convertProject({
        project: proj,
        out,
        deviceType: 'raspberrypi4-64',
        configDir: join(w, 'pvrconfig'),
        env,
        imageSource: 'remote',
      });
      assert.equal(r.result.report.containers[0]?.import?.status, 'imported');
      const src = readSrc(join(out, 'm', 'src.json'));
      assert.equal(src['docker_platform'], 'linux/arm64');
      assert.equal(src['docker_source'], 'remote');
      assert.match(String(src['docker_digest']), /test\/multi@sha256:[a-f0-9]{64}$/);
      sh('unsquashfs', ['-d', join(w, 'arm-root'), join(out, 'm', 'root.squashfs'), 'etc/arch']);
      assert.equal(readFileSync(join(w, 'arm-root', 'etc', 'arch'), 'utf8'), 'arm64');
    });

    test('cancelling during an import writes nothing and leaves no work folder; --no-images imports nothing', async () => {
      const proj = join(w, 'cancel');
      mkdirSync(proj);
      writeFileSync(
        join(proj, 'docker-compose.yml'),
        `services:\n  good:\n    image: ${registry}/test/good:1\n`,
      );
      const ac = new AbortController();
      await assert.rejects(
        convertProject({
          project: proj,
          out: join(w, 'cancel-out'),
          configDir: join(w, 'pvrconfig'),
          env,
          signal: ac.signal,
          onImageProgress: (_s, p) => {
            if ('bytes' in p && p.bytes > 0) ac.abort();
          },
        }),
        (e) => e instanceof ConvertError && e.code === 'cancelled',
      );
      assert.ok(!existsSync(join(w, 'cancel-out')));
      assert.deepEqual(
        readdirSync(w).filter((f) => f.startsWith('.cancel-out')),
        [],
      );
      const r = await convertProject({
        project: proj,
        out: join(w, 'cancel-out'),
        configDir: join(w, 'pvrconfig'),
        env,
        images: 'never',
      });
      assert.equal(r.result.report.containers[0]?.import, undefined);
      assert.ok(!existsSync(join(w, 'cancel-out', 'good', 'root.squashfs')));
      assert.match(r.result.report.nextSteps[0] ?? '', /pvkit app update good/);
    });
  },
);
