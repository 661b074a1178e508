import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initCmd, volumeImportLine } from '../../../../src/core/template/renderLxcConf';
import { dockerVolumeName, strip1, trim1 } from '../../../../src/core/template/volumeMap';
import { TemplateError } from '../../../../src/core/template/TemplateContext';
import { renderContainerFiles } from '../../../../src/core/template/renderContainerFiles';
import { toGoValue } from '../../../../src/core/template/goValue';

test('lxc.init.cmd follows pvr-template.md §4.1', () => {
  const u = undefined;
  const cases: [unknown, unknown, string][] = [
    [u, ['/sbin/init'], '/sbin/init'],
    [u, ['python3', '-m', 'http.server', '8080'], 'python3 "-m" "http.server" "8080"'],
    [['/usr/bin/dumb-init', '--'], ['/start.sh'], '/usr/bin/dumb-init "--" "/start.sh"'],
    [
      ['/docker-entrypoint.sh'],
      ['nginx', '-g', 'daemon off;'],
      '/docker-entrypoint.sh "nginx""-g""daemon off;"',
    ],
    [['/entry'], 'run all', '/entry "run all"'],
    ["/bin/sh -c 'exec app'", ['ignored'], "/bin/sh -c 'exec app'"],
    [[], ['/bin/app', 'run'], '/bin/app "run"'],
    [['', '--flag'], ['a', 'b'], '"a""b"'],
    [[''], u, ''],
    [u, ['', 'x'], ''],
    [u, [], '/sbin/init'],
    [u, null, '/sbin/init'],
    [u, 0, '0'],
    [[0, 'x'], u, '0 "x"'],
    [[false, 'x'], ['c'], '"c"'],
    [['/e', ''], ['', ''], '/e "" """"'],
    [
      u,
      ['/bin/app', 8080, 1.5, null, true, ['x', 'y'], { k: 'v' }],
      '/bin/app "8080" "1.5" "<no value>" "true" "[x y]" "map[k:v]"',
    ],
    [{ b: 1, a: 'x' }, u, 'map[a:x b:1]'],
  ];
  for (const [e, c, tail] of cases) {
    const line = initCmd(
      e === undefined ? undefined : toGoValue(e),
      c === undefined ? undefined : toGoValue(c),
    );
    assert.equal(line, `lxc.init.cmd =${tail ? ` ${tail}` : ''}`, JSON.stringify([e, c]));
  }
});

test('PV_VOLUME_IMPORTS items (§4.4)', () => {
  const cases: [string, string][] = [
    [
      'os:/pvrun/dbus:/var/run/dbus',
      'lxc.mount.entry = /volumes/os/docker--pvrun-dbus var/run/dbus none bind,rw,create=dir 0 0',
    ],
    [
      'pv-avahi:etc@/etc/avahi:/mnt/avahi:ro',
      'lxc.mount.entry = /volumes/pv-avahi/docker--etc-avahi/etc mnt/avahi none bind,ro,create=dir 0 0',
    ],
    [
      'src:/data:/imp:ro,noexec:extra',
      'lxc.mount.entry = /volumes/src/docker--data imp none bind,ro,noexec:extra,create=dir 0 0',
    ],
    ['src:/data:/imp:', 'lxc.mount.entry = /volumes/src/docker--data imp none bind,,create=dir 0 0'],
  ];
  for (const [item, line] of cases) assert.equal(volumeImportLine(item), line);
  assert.throws(() => volumeImportLine('a:b'), TemplateError);
});

test('path helpers trim exactly one slash', () => {
  assert.equal(dockerVolumeName('/etc/avahi'), 'docker--etc-avahi');
  assert.equal(dockerVolumeName('/data/'), 'docker--data');
  assert.equal(trim1('/data//'), '/data/');
  assert.equal(strip1('//x'), '/x');
});

const base = {
  template: 'builtin-lxc-docker',
  docker_name: 'x/y',
  docker_config: { Cmd: ['/bin/sh'] },
};

test('template errors write nothing and exit 3; pipeline checks use pvr exit codes', () => {
  const cases: [Record<string, unknown>, number, string][] = [
    [{ args: { PV_LXC_CAP_KEEP: 5 } }, 3, 'template-error'],
    [{ args: { PV_LXC_CAP_DROP: [null] } }, 3, 'template-error'],
    [{ docker_config: { Env: 'A=1' } }, 3, 'template-error'],
    [{ docker_config: { Cmd: ['x'], WorkingDir: true } }, 3, 'template-error'],
    [{ docker_config: { Cmd: ['x'], Volumes: [] } }, 3, 'template-error'],
    [{ args: { PV_VOLUME_IMPORTS: ['a:b'] } }, 3, 'template-error'],
    [{ args: { PV_STATUS_GOAL: true } }, 3, 'template-error'],
    [{ args: { PV_LXC_NETWORK_TYPE: ['veth'] } }, 3, 'template-error'],
    [{ args: { PV_GROUP: 1 } }, 2, 'src-arg-type'],
    [{ args: { PV_RUNLEVEL: false } }, 2, 'src-arg-type'],
    [{ template: '' }, 3, 'src-template'],
    [{ template: 'other' }, 3, 'src-template'],
    [{ docker_name: '' }, 3, 'src-docker-name'],
    [{ docker_config: null }, 3, 'src-docker-config'],
    [{ docker_source: 'remote,cloud' }, 3, 'src-docker-source'],
    [{ exports: [1] }, 2, 'src-json-type'],
  ];
  for (const [patch, exit, code] of cases) {
    const r = renderContainerFiles({ ...base, ...patch }, { name: 'app' });
    assert.equal(r.runJson, undefined, JSON.stringify(patch));
    assert.equal(r.lxcConf, undefined);
    assert.equal(r.error?.exitCode, exit, JSON.stringify(patch));
    assert.equal(r.error?.code, code, JSON.stringify(patch));
  }
  // PV_RUNLEVEL "data" stops the gate before PV_STATUS_GOAL is compared, so a boolean there is harmless.
  const data = renderContainerFiles(
    { ...base, args: { PV_RUNLEVEL: 'data', PV_STATUS_GOAL: true } },
    { name: 'app' },
  );
  assert.equal(data.error, undefined);
  assert.equal(data.lxcConf, undefined);
});

test('base app: missing is exit 3; stale fails only in pvr037 mode', () => {
  const src = { ...base, base: 'other' };
  assert.equal(
    renderContainerFiles(src, { name: 'app', baseStatus: 'missing' }).error?.code,
    'src-base-missing',
  );
  assert.equal(renderContainerFiles(src, { name: 'app', baseStatus: 'stale' }).error, undefined);
  assert.equal(
    renderContainerFiles(src, { name: 'app', baseStatus: 'stale', compat: 'pvr037' }).error?.code,
    'src-base-stale',
  );
  assert.equal(
    renderContainerFiles({ ...base, base: 'app' }, { name: 'app', baseStatus: 'missing' }).error,
    undefined,
  );
});

test('default group: last groups.json entry unless PV_GROUP or PV_RUNLEVEL is set', () => {
  const groups = [{ name: 'root' }, { name: 'platform' }];
  const group = (args: Record<string, unknown>, g: unknown = groups): string | undefined => {
    const r = renderContainerFiles({ ...base, args }, { name: 'app', groups: g });
    return /"group": "([^"]*)"/.exec(r.runJson ?? '')?.[1];
  };
  assert.equal(group({}), 'platform');
  assert.equal(group({ PV_GROUP: null }), 'platform');
  assert.equal(group({ PV_GROUP: 'app' }), 'app');
  assert.equal(group({ PV_GROUP: '' }), undefined);
  assert.equal(group({ PV_RUNLEVEL: 'app' }), undefined);
  assert.equal(group({}, []), undefined);
  assert.equal(group({}, null), undefined);
  assert.equal(renderContainerFiles({ ...base }, { name: 'app' }).runJson?.includes('"group"'), false);
});

test('fixed mode escapes raw strings and Go-only escapes; pvr037 keeps them and warns', () => {
  const src = { ...base, args: { PV_GROUP: 'we"ird', PV_EXTRA_VOLUMES: 'a\u000bb' } };
  const fixed = renderContainerFiles(src, { name: 'app' });
  const parsed = JSON.parse(fixed.runJson ?? '') as { group: string; volumes: string[] };
  assert.equal(parsed.group, 'we"ird');
  assert.deepEqual(parsed.volumes, ['a\u000bb']);
  assert.deepEqual(fixed.warnings.map((w) => w.code).sort(), ['run-json-go-escape', 'run-json-unescaped']);
  const pvr = renderContainerFiles(src, { name: 'app', compat: 'pvr037' });
  assert.match(pvr.runJson ?? '', /"group": "we"ird",/);
  assert.match(pvr.runJson ?? '', /"a\\vb"/);
  assert.deepEqual(pvr.warnings.map((w) => w.code).sort(), ['run-json-go-escape', 'run-json-unescaped']);
});

test('storage-name collisions are reported', () => {
  const r = renderContainerFiles(
    { ...base, docker_config: { Cmd: ['x'], Volumes: { '/a-b': {}, '/a/b': {} } } },
    { name: 'app' },
  );
  assert.deepEqual(
    r.warnings.map((w) => w.code),
    ['storage-name-collision'],
  );
});

test('a missing value printed as <no value> is reported', () => {
  const r = renderContainerFiles({ ...base, args: { PV_LXC_NETWORK_TYPE: 'phys' } }, { name: 'app' });
  assert.match(r.lxcConf ?? '', /^lxc\.net\.0\.link =<no value>$/m);
  assert.deepEqual(
    r.warnings.map((w) => w.code),
    ['conf-no-value'],
  );
});

test('template errors point at the src.json line of the value', () => {
  const text =
    '{\n "template": "builtin-lxc-docker", "docker_name": "x",\n "args": {\n  "PV_LXC_CAP_KEEP": 5\n },\n "docker_config": {"Cmd": ["x"]}\n}';
  const r = renderContainerFiles(text, { name: 'app' });
  assert.equal(r.error?.line, 4);
  assert.equal(r.error?.column, 22);
  assert.match(r.error?.message ?? '', /^src\.json:4:22: args\.PV_LXC_CAP_KEEP: range can't iterate over 5/);
});
