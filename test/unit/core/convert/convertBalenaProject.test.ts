import { test } from 'node:test';
import assert from 'node:assert/strict';
import { projectFromFiles } from '../../../../src/core/compose/ComposeProject';
import {
  containerNames,
  convertBalenaProject,
  parseImageRef,
  resolveDockerfile,
  type ConvertResult,
} from '../../../../src/core/convert';
import { splitShellWords, parseByteSize } from '../../../../src/core/convert/values';
import { fieldInfo } from '../../../../src/core/compose/mapping';

function convert(compose: string, extra: Record<string, string> = {}, deviceType?: string): ConvertResult {
  const files = new Map([['docker-compose.yml', compose], ...Object.entries(extra)]);
  return convertBalenaProject({
    composeFile: 'docker-compose.yml',
    composeText: compose,
    project: projectFromFiles(files),
    projectName: 'demo',
    ...(deviceType ? { deviceType } : {}),
  });
}
const json = (r: ConvertResult, path: string): Record<string, unknown> =>
  JSON.parse(r.files.get(path) ?? 'null') as Record<string, unknown>;
const src = (r: ConvertResult, c: string): Record<string, unknown> => json(r, `${c}/src.json`);
const args = (r: ConvertResult, c: string): Record<string, unknown> =>
  src(r, c)['args'] as Record<string, unknown>;
const entry = (r: ConvertResult, service: string, key: string) =>
  r.report.entries.find((e) => e.service === service && e.key === key);

/** Table-driven: one compose snippet per mapping, and what must come out. */
const CASES: {
  name: string;
  compose: string;
  check: (r: ConvertResult) => void;
}[] = [
  {
    name: 'image → docker_name/tag, digest kept',
    compose: 'services:\n  a:\n    image: reg.io/x/y:1.2@sha256:abc\n',
    check: (r) => {
      assert.equal(src(r, 'a')['docker_name'], 'reg.io/x/y');
      assert.equal(src(r, 'a')['docker_tag'], '1.2');
      assert.equal(src(r, 'a')['docker_digest'], 'reg.io/x/y@sha256:abc');
      assert.equal(src(r, 'a')['template'], 'builtin-lxc-docker');
      assert.equal(src(r, 'a')['docker_source'], 'remote,local');
      assert.equal(entry(r, 'a', 'image')?.kind, 'mapped');
      assert.equal(entry(r, 'a', 'image')?.line, 3);
    },
  },
  {
    name: 'environment (list and dict) and balena.yml variables → PV_LXC_EXTRA_ENV while the image is unknown',
    compose:
      'services:\n  a:\n    image: x\n    environment:\n      - A=1\n      - B\n  b:\n    image: x\n    environment:\n      C: 3\n      TZ: UTC\n',
    check: (r) => {
      assert.deepEqual(args(r, 'a')['PV_LXC_EXTRA_ENV'], ['TZ=Europe/Paris', 'A=1']);
      assert.deepEqual(args(r, 'b')['PV_LXC_EXTRA_ENV'], ['TZ=UTC', 'C=3']);
      assert.equal(entry(r, 'a', 'environment')?.kind, 'approximated', 'B has no value');
      assert.equal(entry(r, 'b', 'environment')?.kind, 'mapped');
      assert.match(r.files.get('a/lxc.container.conf') ?? '', /lxc\.environment = A=1\n/);
    },
  },
  {
    name: 'command string is split like a shell; entrypoint without command clears Cmd',
    compose:
      'services:\n  a:\n    image: x\n    command: sh -c "echo \'hi there\'"\n  b:\n    image: x\n    entrypoint: ["/init"]\n    working_dir: /srv\n',
    check: (r) => {
      assert.deepEqual((src(r, 'a')['config'] as Record<string, unknown>)['Cmd'], [
        'sh',
        '-c',
        "echo 'hi there'",
      ]);
      assert.deepEqual(src(r, 'b')['config'], { Cmd: [], Entrypoint: ['/init'], WorkingDir: '/srv' });
      assert.match(
        r.files.get('b/lxc.container.conf') ?? '',
        /lxc\.init\.cmd = \/init\nlxc\.init\.cwd = \/srv\n/,
      );
    },
  },
  {
    name: 'named volumes → permanent persistence; a shared volume is imported from its first user',
    compose:
      'services:\n  a:\n    image: x\n    volumes:\n      - data:/data\n      - /cache\n  b:\n    image: x\n    volumes:\n      - data:/srv/data:ro\n      - /host:/host\nvolumes:\n  data:\n',
    check: (r) => {
      assert.deepEqual(src(r, 'a')['persistence'], { '/cache': 'revision', '/data': 'permanent' });
      assert.deepEqual(args(r, 'b')['PV_VOLUME_IMPORTS'], ['a:/data:/srv/data:ro']);
      assert.equal(src(r, 'b')['persistence'], undefined);
      assert.match(
        r.files.get('b/lxc.container.conf') ?? '',
        /\/volumes\/a\/docker--data srv\/data none bind,ro/,
      );
      assert.equal(entry(r, 'b', 'volumes')?.kind, 'dropped', 'a bind mount is dropped');
      const run = json(r, 'a/run.json');
      assert.deepEqual((run['storage'] as Record<string, unknown>)['docker--data'], {
        persistence: 'permanent',
      });
    },
  },
  {
    name: 'restart and depends_on → groups in start order with auto_recovery',
    compose:
      'services:\n  web:\n    image: x\n    depends_on: [db]\n    restart: on-failure:3\n    environment:\n      DB_URL: postgres://u@db:5432/x\n  db:\n    image: x\n  job:\n    image: x\n    restart: "no"\n',
    check: (r) => {
      assert.match(
        r.report.problems.find((p) => p.message.includes('DB_URL'))?.message ?? '',
        /names the service "db", which does not resolve in the host network/,
      );
      const groups = json(r, 'device.json')['groups'] as Record<string, unknown>[];
      assert.deepEqual(
        groups.map((g) => g['name']),
        ['app-1-always', 'app-1-no', 'app-2-on-failure-3'],
      );
      assert.deepEqual(groups[2]?.['auto_recovery'], {
        backoff_factor: 2,
        backoff_policy: 'never',
        max_retries: 3,
        policy: 'on-failure',
        retry_delay: 5,
      });
      assert.deepEqual(groups[1]?.['auto_recovery'], { policy: 'no' });
      assert.equal(groups[0]?.['restart_policy'], 'container');
      assert.equal(args(r, 'web')['PV_GROUP'], 'app-2-on-failure-3');
      assert.equal(json(r, 'web/run.json')['group'], 'app-2-on-failure-3');
      assert.equal(entry(r, 'web', 'depends_on')?.kind, 'approximated');
    },
  },
  {
    name: 'privileged, devices, cap_add, cap_drop',
    compose:
      'services:\n  a:\n    image: x\n    privileged: true\n    devices: ["/dev/i2c-1:/dev/i2c-1"]\n  b:\n    image: x\n    devices: ["/dev/ttyUSB0:/dev/serial"]\n    cap_add: [NET_ADMIN]\n    cap_drop: [ALL]\n  c:\n    image: x\n    cap_drop: [CAP_SYS_ADMIN]\n',
    check: (r) => {
      assert.equal(args(r, 'a')['PV_SECURITY_FULLDEV'], 'yes');
      assert.equal(args(r, 'a')['PV_LXC_EXTRA_CONF'], undefined, '/dev is bound whole');
      assert.equal(
        args(r, 'b')['PV_LXC_EXTRA_CONF'],
        'lxc.mount.entry = /dev/ttyUSB0 dev/serial none bind,optional,create=file 0 0',
      );
      assert.deepEqual(args(r, 'b')['PV_LXC_CAP_KEEP'], ['NET_ADMIN']);
      assert.match(r.files.get('b/lxc.container.conf') ?? '', /lxc\.cap\.keep = net_admin\n/);
      assert.deepEqual(args(r, 'c')['PV_LXC_CAP_DROP'], ['SYS_ADMIN']);
    },
  },
  {
    name: 'network_mode none → empty network; ports clash on the host network is reported',
    compose:
      'services:\n  a:\n    image: x\n    network_mode: none\n    ports: ["80:80"]\n  b:\n    image: x\n    ports: ["8080:80"]\n  c:\n    image: x\n    network_mode: host\n    ports: ["80"]\n',
    check: (r) => {
      assert.equal(args(r, 'a')['PV_LXC_NETWORK_TYPE'], 'empty');
      assert.match(r.files.get('a/lxc.container.conf') ?? '', /lxc\.net\.0\.type = empty/);
      const clash = r.report.problems.find((p) => p.message.startsWith('Port 80/tcp clashes'));
      assert.ok(clash, 'b and c both listen on 80');
      assert.match(clash.message, /"b" \(line 8\) and "c" \(line 12\)/);
      assert.match(entry(r, 'b', 'ports')?.detail ?? '', /reachable on 80\/tcp, not 8080/);
    },
  },
  {
    name: 'labels: procfs, supervisor-api, legacy io.resin, unknown and non-balena labels',
    compose:
      'services:\n  a:\n    image: x\n    labels:\n      io.balena.features.procfs: "1"\n      io.resin.features.supervisor-api: "1"\n      io.balena.features.dbus: "0"\n      io.balena.features.balena: "1"\n      traefik.enable: "true"\n',
    check: (r) => {
      assert.equal(args(r, 'a')['PV_SECURITY_WITH_HOSTPROC'], 'yes');
      assert.deepEqual(args(r, 'a')['PV_ROLES'], ['mgmt']);
      assert.equal(entry(r, 'a', 'io.balena.features.dbus')?.kind, 'mapped', 'off');
      assert.equal(entry(r, 'a', 'io.balena.features.balena')?.kind, 'dropped');
      assert.equal(entry(r, 'a', 'traefik.enable')?.kind, 'dropped');
      assert.equal(
        entry(r, 'a', 'io.resin.features.supervisor-api')?.tableKey,
        'io.balena.features.supervisor-api',
      );
      assert.deepEqual(json(r, 'a/run.json')['roles'], ['mgmt']);
    },
  },
  {
    name: 'tmpfs, sysctls, ulimits, stop_signal, hostname → PV_LXC_EXTRA_CONF; mem_limit → cgroup',
    compose:
      'services:\n  a:\n    image: x\n    tmpfs: /tmp\n    sysctls:\n      net.core.somaxconn: 1024\n    ulimits:\n      nofile: {soft: 1024, hard: 2048}\n    stop_signal: SIGINT\n    hostname: box\n    mem_limit: 512m\n',
    check: (r) => {
      assert.equal(
        args(r, 'a')['PV_LXC_EXTRA_CONF'],
        [
          'lxc.mount.entry = tmpfs tmp tmpfs rw,create=dir 0 0',
          'lxc.sysctl.net.core.somaxconn = 1024',
          'lxc.prlimit.nofile = 1024:2048',
          'lxc.signal.halt = SIGINT',
          'lxc.uts.name = box',
        ].join('\n'),
      );
      assert.deepEqual(args(r, 'a')['PVR_LXC_CGROUP_V1'], ['memory.limit_in_bytes = 536870912']);
      assert.match(
        r.files.get('a/lxc.container.conf') ?? '',
        /lxc\.cgroup\.memory\.limit_in_bytes = 536870912\n/,
      );
    },
  },
  {
    name: 'service names become valid container names, and the report says why',
    compose: 'services:\n  My_App:\n    image: x\n  bsp:\n    image: x\n  my_app:\n    image: x\n',
    check: (r) => {
      assert.deepEqual(
        r.report.containers.map((c) => c.container),
        ['my_app', 'bsp-app', 'my_app-2'],
      );
      assert.match(r.report.containers[0]?.renamed ?? '', /lower-cased/);
      assert.match(r.report.containers[1]?.renamed ?? '', /reserved/);
      assert.ok(r.files.has('bsp-app/run.json'));
    },
  },
  {
    name: 'balena.yml defaultDeviceType → platform; unknown fields are dropped with a reason',
    compose: 'services:\n  a:\n    image: x\n    foo: 1\n    x-note: hi\n',
    check: (r) => {
      assert.deepEqual(json(r, '_hostconfig/pvr/docker.json'), { platforms: ['linux/arm64'] });
      assert.equal(r.report.deviceType, 'raspberrypi4-64');
      assert.equal(entry(r, 'a', 'foo')?.kind, 'dropped');
      assert.equal(entry(r, 'a', 'x-note')?.kind, 'dropped');
    },
  },
  {
    name: 'build: Dockerfile.template is resolved and substituted; the build is the step left',
    compose: 'services:\n  web:\n    build: ./web\n    image: demo/web:2\n',
    check: (r) => {
      assert.equal(r.builds.length, 1);
      const b = r.builds[0];
      assert.equal(b?.dockerfile, 'web/Dockerfile.template');
      assert.equal(b?.dockerfileText, 'FROM balenalib/raspberrypi4-64-alpine\nRUN echo aarch64 web demo\n');
      assert.equal(b?.tag, 'demo/web:2');
      assert.equal(
        b?.command,
        "docker build --platform linux/arm64 -t demo/web:2 -f '<out>/.pvr/convert/web.Dockerfile' ./web",
      );
      assert.equal(src(r, 'web')['docker_source'], 'local');
      assert.ok(r.files.has('.pvr/convert/web.Dockerfile'));
      assert.ok(!r.revisionFiles.includes('.pvr/convert/web.Dockerfile'));
      assert.match(r.report.nextSteps[0] ?? '', /Build "web" .*docker build/);
    },
  },
];

const BALENA_YML =
  'name: demo\ntype: sw.application\ndata:\n  defaultDeviceType: raspberrypi4-64\n  applicationEnvironmentVariables:\n    - TZ: Europe/Paris\n';
const WEB = {
  'web/Dockerfile.template':
    'FROM balenalib/%%BALENA_MACHINE_NAME%%-alpine\nRUN echo %%BALENA_ARCH%% %%BALENA_SERVICE_NAME%% %%BALENA_APP_NAME%%\n',
  'web/Dockerfile': 'FROM scratch\n',
};

for (const c of CASES) {
  test(`convert: ${c.name}`, () => {
    const r = convert(c.compose, { 'balena.yml': BALENA_YML, ...WEB });
    assert.equal(r.failed, false);
    assert.deepEqual(
      r.report.problems.filter((p) => p.severity === 'error'),
      [],
    );
    c.check(r);
  });
}

test('every report entry names its table row, or is dropped with a reason', () => {
  for (const c of CASES) {
    const r = convert(c.compose, { 'balena.yml': BALENA_YML, ...WEB });
    for (const e of r.report.entries.filter((x) => x.scope === 'service' || x.scope === 'build')) {
      if (e.tableKey) assert.ok(fieldInfo(e.tableKey), `${c.name}: ${e.key}`);
      else assert.ok(e.kind === 'dropped' && e.why && e.instead, `${c.name}: ${e.key}`);
    }
  }
});

test('conversion is deterministic: the same input gives the same bytes', () => {
  for (const c of CASES) {
    const a = convert(c.compose, { 'balena.yml': BALENA_YML, ...WEB });
    const b = convert(c.compose, { 'balena.yml': BALENA_YML, ...WEB });
    assert.deepEqual([...a.files], [...b.files], c.name);
    assert.deepEqual([...a.files.keys()], [...a.files.keys()].sort(), 'files are sorted');
  }
});

test('Dockerfile resolution follows balena: device type, arch, template, plain', () => {
  const vars = {
    appName: 'p',
    serviceName: 's',
    deviceType: 'raspberrypi3',
    arch: 'armv7hf' as const,
    releaseHash: 'h',
  };
  const table: [Record<string, string>, string | undefined][] = [
    [
      {
        'Dockerfile.raspberrypi3': 'A',
        'Dockerfile.armv7hf': 'B',
        'Dockerfile.template': 'C',
        Dockerfile: 'D',
      },
      'Dockerfile.raspberrypi3',
    ],
    [{ 'Dockerfile.armv7hf': 'B', 'Dockerfile.template': 'C', Dockerfile: 'D' }, 'Dockerfile.armv7hf'],
    [{ 'Dockerfile.template': 'C', Dockerfile: 'D' }, 'Dockerfile.template'],
    [{ Dockerfile: 'D' }, 'Dockerfile'],
    [{ 'Dockerfile.aarch64': 'X' }, undefined],
  ];
  for (const [files, want] of table) {
    const r = resolveDockerfile(projectFromFiles(new Map(Object.entries(files))), '.', undefined, vars);
    if (want === undefined) assert.ok('error' in r);
    else assert.equal('error' in r ? r.error : r.path, want);
  }
});

test('value helpers: image refs, shell words, byte sizes, container names', () => {
  assert.deepEqual(parseImageRef('localhost:5000/a/b'), { name: 'localhost:5000/a/b' });
  assert.deepEqual(parseImageRef('a:1'), { name: 'a', tag: '1' });
  assert.deepEqual(splitShellWords(`a "b c" 'd e' f\\ g`), ['a', 'b c', 'd e', 'f g']);
  assert.deepEqual(splitShellWords(''), []);
  assert.equal(parseByteSize('1g'), 1024 ** 3);
  assert.equal(parseByteSize('64M'), 64 * 1024 ** 2);
  assert.equal(parseByteSize('lots'), undefined);
  assert.deepEqual(containerNames(['..', 'a b']), [
    {
      name: 'service',
      renamed: 'renamed from "..": leading punctuation removed; nothing was left, so "service" is used',
    },
    { name: 'a-b', renamed: 'renamed from "a b": characters other than a-z 0-9 . _ - replaced by "-"' },
  ]);
});

test('a compose file that is not YAML fails with the line, and writes nothing', () => {
  const r = convert('services:\n  a: [\n');
  assert.equal(r.failed, true);
  assert.equal(r.files.size, 0);
  assert.ok(r.report.problems[0]?.line);
});
