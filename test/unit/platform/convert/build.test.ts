import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  copyFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertProject } from '../../../../src/platform/convert/convertProject';
import { pingEngine } from '../../../../src/platform/doctor/doctor';
import { loadCheckout } from '../../../../src/platform/revision/loadRevision';
import { createPantavisorService } from '../../../../src/core/service';

const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
const HAS_PODMAN = spawnSync('podman', ['--version']).status === 0;
const SKIP =
  !HAS_PODMAN || !BUSYBOX
    ? 'podman or busybox-static missing (apt-get install -y podman runc busybox-static): the real build test is SKIPPED'
    : undefined;
if (SKIP) process.stderr.write(`\n!!! ${SKIP} !!!\n\n`);

const BASE = 'localhost/pvkit-convert-base:1';
// The Docker API names an unqualified tag as Docker Hub would.
const BUILT = 'docker.io/library/pvkit-convert-test_web:latest';

/**
 * A real build through the Docker API served by `podman system service` (test-environment.md §2):
 * a local busybox base image made offline with `podman import`, and a Dockerfile.template whose
 * `%%BALENA_*%%` variables must be substituted for the build to produce the expected file.
 */
test(
  'a service with build: and a Dockerfile.template is built through podman and its config lands in src.json',
  { skip: SKIP, timeout: 180_000 },
  async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'pvkit-convert-build-'));
    const conf = join(tmp, 'containers.conf');
    writeFileSync(
      conf,
      '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n[engine]\nruntime = "runc"\n',
    );
    const env = { ...process.env, CONTAINERS_CONF: conf };
    // The base image, from a busybox rootfs.
    const root = join(tmp, 'rootfs');
    mkdirSync(join(root, 'bin'), { recursive: true });
    copyFileSync(BUSYBOX ?? '', join(root, 'bin', 'busybox'));
    for (const a of ['sh', 'echo', 'cat', 'mkdir']) symlinkSync('busybox', join(root, 'bin', a));
    spawnSync('tar', ['-C', root, '-cf', join(tmp, 'rootfs.tar'), '.']);
    const imp = spawnSync(
      'podman',
      ['import', '--change', 'ENV PATH=/bin', '--change', 'CMD ["/bin/sh"]', join(tmp, 'rootfs.tar'), BASE],
      { env, encoding: 'utf8' },
    );
    assert.equal(imp.status, 0, imp.stderr);
    const sock = join(tmp, 'podman.sock');
    const service = spawn('podman', ['system', 'service', '--time=0', `unix://${sock}`], {
      env,
      stdio: 'ignore',
    });
    try {
      const deadline = Date.now() + 20_000;
      while (!(await pingEngine(`unix://${sock}`, 500)).ok) {
        assert.ok(Date.now() < deadline, 'podman service did not answer');
        await new Promise((r) => setTimeout(r, 100));
      }
      const proj = join(tmp, 'pvkit-convert-test');
      mkdirSync(join(proj, 'web'), { recursive: true });
      writeFileSync(
        join(proj, 'docker-compose.yml'),
        'services:\n  web:\n    build: ./web\n    environment:\n      GREETING: hello\n    network_mode: host\n',
      );
      writeFileSync(
        join(proj, 'web', 'Dockerfile.template'),
        `FROM ${BASE}\nRUN mkdir -p /etc && echo "%%BALENA_MACHINE_NAME%% %%BALENA_ARCH%% %%BALENA_SERVICE_NAME%%" > /etc/built-for\nENV BUILT_FOR=%%BALENA_ARCH%%\nWORKDIR /srv\nCMD ["/bin/cat", "/etc/built-for"]\n`,
      );
      writeFileSync(join(proj, 'web', 'Dockerfile'), 'FROM scratch\nthis file must not be used\n');
      const lines: string[] = [];
      const r = await convertProject({
        project: proj,
        out: join(tmp, 'out'),
        deviceType: 'intel-nuc',
        configDir: join(tmp, 'pvrconfig'),
        env: { ...process.env, DOCKER_HOST: `unix://${sock}` },
        progress: (l) => lines.push(l),
      });
      const c = r.result.report.containers[0];
      assert.equal(c?.build?.status, 'built', lines.join('\n'));
      assert.equal(c?.imageConfigKnown, true);
      const src = JSON.parse(readFileSync(join(tmp, 'out', 'web', 'src.json'), 'utf8')) as Record<
        string,
        Record<string, unknown>
      >;
      assert.deepEqual(src['docker_config']?.['Cmd'], ['/bin/cat', '/etc/built-for']);
      assert.equal(src['docker_config']?.['WorkingDir'], '/srv');
      // Image Env merged with the service environment, in config.Env.
      assert.deepEqual(src['config']?.['Env'], ['PATH=/bin', 'BUILT_FOR=amd64', 'GREETING=hello']);
      assert.equal(src['docker_source'], 'local');
      const conf2 = readFileSync(join(tmp, 'out', 'web', 'lxc.container.conf'), 'utf8');
      assert.match(conf2, /lxc\.init\.cmd = \/bin\/cat "\/etc\/built-for"\nlxc\.init\.cwd = \/srv\n/);
      // The image really holds what the substituted template wrote.
      const run = spawnSync('podman', ['run', '--rm', '--network', 'none', BUILT], { env, encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout.trim(), 'intel-nuc amd64 web');
      // The converter imported the built image from the engine into web/root.squashfs, as
      // `pvr app add --source local` does: the digest file, docker_digest and the commit agree.
      const out = join(tmp, 'out');
      assert.deepEqual(c?.import, { status: 'imported', image: BUILT.replace('docker.io/library/', '') });
      assert.equal(
        r.result.report.nextSteps.some((s) => /web/.test(s)),
        false,
        r.result.report.nextSteps.join('\n'),
      );
      assert.equal(
        readFileSync(join(out, 'web', 'root.squashfs.docker-digest'), 'utf8'),
        src['docker_digest'],
      );
      const pristine = JSON.parse(readFileSync(join(out, '.pvr', 'json'), 'utf8')) as Record<string, unknown>;
      assert.ok(typeof pristine['web/root.squashfs'] === 'string', 'root.squashfs is committed');
      if (spawnSync('unsquashfs', ['-version']).status === 0) {
        const ls = spawnSync('unsquashfs', ['-lln', join(out, 'web', 'root.squashfs')], { encoding: 'utf8' });
        assert.match(ls.stdout, /squashfs-root\/etc\/built-for\n/);
        assert.match(ls.stdout, /squashfs-root\/bin\/busybox\n/);
      }
      // The checkout validates without errors and without the not-imported note for web.
      const loaded = await loadCheckout(out);
      const diags = createPantavisorService().validateCheckout(out, loaded.files, loaded.pristine);
      assert.deepEqual(
        diags
          .filter((d) => d.severity === 'error' || (d.code === 'PV114' && d.file.includes('web')))
          .map((d) => d.message),
        [],
      );
    } finally {
      service.kill('SIGTERM');
      spawnSync('podman', ['rmi', '-f', BUILT, BASE], { env });
      rmSync(tmp, { recursive: true, force: true });
    }
  },
);
