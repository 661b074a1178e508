import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  validateCompose,
  validateBalenaYml,
  type ComposeValidationOptions,
} from '../../../../src/core/compose/validateCompose';
import { projectFromFiles } from '../../../../src/core/compose/ComposeProject';
import type { Fix } from '../../../../src/core/compose/fixes';
import type { CoreDiagnostic } from '../../../../src/core/diagnostics';

/** Marks a balena project (a label) without adding diagnostics of its own. */
const BALENA = `    labels:\n      io.balena.features.kernel-modules: '1'\n`;

interface Case {
  name: string;
  text: string;
  code: string;
  /** The exact text the range covers (its first occurrence, or the `nth`). */
  at: string;
  nth?: number;
  canary: string;
  severity?: CoreDiagnostic['severity'];
  opts?: Partial<ComposeValidationOptions>;
  /** The text after applying the quick fix, when one is expected. */
  fixed?: string;
}

const svc = (body: string, extra = ''): string =>
  `services:\n  web:\n    image: alpine\n${body}${BALENA}${extra}`;

const CASES: Case[] = [
  {
    name: 'YAML syntax error',
    text: 'services:\n  web: [a,\n',
    code: 'BAL001',
    at: '',
    canary: 'YAML',
    severity: 'error',
  },
  {
    name: 'misspelled field',
    text: svc('    imgae: x\n'),
    code: 'BAL002',
    at: 'imgae',
    canary: 'is not allowed',
    severity: 'error',
  },
  {
    name: 'wrong type on the value',
    text: svc('    privileged: [1]\n'),
    code: 'BAL002',
    at: '[1]',
    canary: 'must be a boolean',
    severity: 'error',
  },
  {
    name: 'links rejected',
    text: svc('    links:\n      - db\n'),
    code: 'BAL010',
    at: 'links',
    canary: 'balena rejects',
    severity: 'error',
  },
  {
    name: 'blkio_config rejected',
    text: svc('    blkio_config: {}\n'),
    code: 'BAL010',
    at: 'blkio_config',
    canary: 'blkio_config',
    severity: 'error',
  },
  {
    name: 'container_name dropped, quick fix removes it',
    text: svc('    container_name: foo\n'),
    code: 'BAL011',
    at: 'container_name',
    canary: 'removes',
    severity: 'warning',
    fixed: svc(''),
  },
  {
    name: 'unquoted restart: no',
    text: svc('    restart: no\n'),
    code: 'BAL030',
    at: 'no',
    nth: 0,
    canary: 'YAML 1.1',
    severity: 'warning',
    fixed: svc('    restart: "no"\n'),
  },
  {
    name: 'on-failure with a retry count',
    text: svc('    restart: on-failure:3\n'),
    code: 'BAL031',
    at: 'on-failure:3',
    canary: 'always',
  },
  {
    name: 'unquoted restart: yes has no certain fix',
    text: svc('    restart: yes\n'),
    code: 'BAL030',
    at: 'yes',
    canary: 'boolean true',
  },
  {
    name: 'unknown restart policy',
    text: svc('    restart: never\n'),
    code: 'BAL031',
    at: 'never',
    canary: 'always',
    severity: 'warning',
  },
  {
    name: 'bind mount becomes a named volume',
    text: svc('    volumes:\n      - ./data:/data\n'),
    code: 'BAL020',
    at: './data:/data',
    canary: 'bind mounts',
    severity: 'error',
    fixed: svc('    volumes:\n      - data:/data\n') + 'volumes:\n  data:\n',
  },
  {
    name: 'bind mount fix reuses the volumes section',
    text: svc('    volumes:\n      - /srv/app/:/app\n', 'volumes:\n  other:\n'),
    code: 'BAL020',
    at: '/srv/app/:/app',
    canary: 'named volume',
    fixed: svc('    volumes:\n      - app:/app\n', 'volumes:\n  app:\n  other:\n'),
  },
  {
    name: 'feature path bind mount',
    text: svc('    volumes:\n      - /run/dbus:/host/run/dbus\n'),
    code: 'BAL025',
    at: '/run/dbus:/host/run/dbus',
    canary: 'io.balena.features.dbus',
    severity: 'warning',
  },
  {
    name: 'undeclared named volume',
    text: svc('    volumes:\n      - cache:/cache\n'),
    code: 'BAL022',
    at: 'cache:/cache',
    canary: 'not declared',
    severity: 'error',
  },
  {
    name: 'undeclared volume in plain compose too',
    text: 'services:\n  web:\n    image: a\n    volumes:\n      - cache:/c\n',
    code: 'BAL022',
    at: 'cache:/c',
    canary: 'not declared',
  },
  {
    name: 'anonymous volume',
    text: svc('    volumes:\n      - /data\n'),
    code: 'BAL024',
    at: '/data',
    canary: 'no volume name',
    severity: 'error',
  },
  {
    name: 'long-syntax bind',
    text: svc('    volumes:\n      - type: bind\n        source: /x\n        target: /y\n'),
    code: 'BAL023',
    at: 'bind',
    canary: 'type "bind"',
    severity: 'error',
  },
  {
    name: 'legacy io.resin label renamed',
    text: svc('', '').replace("io.balena.features.kernel-modules: '1'", "io.resin.features.resin-api: '1'"),
    code: 'BAL041',
    at: 'io.resin.features.resin-api',
    canary: 'legacy',
    fixed: svc('').replace('kernel-modules', 'balena-api'),
  },
  {
    name: 'misspelled feature label',
    text: svc('').replace('kernel-modules', 'kernel-module'),
    code: 'BAL040',
    at: 'io.balena.features.kernel-module',
    canary: 'Did you mean `io.balena.features.kernel-modules`',
    severity: 'warning',
  },
  {
    name: 'label value that is not a string',
    text: svc('').replace("kernel-modules: '1'", 'kernel-modules: 1'),
    code: 'BAL042',
    at: '1',
    nth: 0,
    canary: 'as a number',
    fixed: svc('').replace("kernel-modules: '1'", 'kernel-modules: "1"'),
  },
  {
    name: 'update strategy value',
    text: svc('').replace("io.balena.features.kernel-modules: '1'", 'io.balena.update.strategy: fast'),
    code: 'BAL043',
    at: 'fast',
    canary: 'download-then-kill',
    severity: 'warning',
  },
  {
    name: 'requirement label semver',
    text: svc('').replace(
      "io.balena.features.kernel-modules: '1'",
      "io.balena.features.requires.sw.supervisor: 'not-valid'",
    ),
    code: 'BAL045',
    at: "'not-valid'",
    canary: 'semver range',
    severity: 'error',
  },
  {
    name: 'list-form label',
    text: 'services:\n  web:\n    image: a\n    labels:\n      - io.balena.features.dbuss=1\n',
    code: 'BAL040',
    at: 'io.balena.features.dbuss',
    canary: 'Unknown balena label',
  },
  {
    name: 'interpolation',
    text: svc('    environment:\n      A: ${FOO:-x}\n'),
    code: 'BAL032',
    at: '${FOO:-x}',
    canary: 'does not substitute',
    severity: 'warning',
  },
  {
    name: 'ports under host networking',
    text: svc('    network_mode: host\n    ports:\n      - "80:80"\n'),
    code: 'BAL061',
    at: 'ports',
    canary: 'ignores `ports`',
    fixed: svc('    network_mode: host\n'),
  },
  {
    name: 'network_mode container',
    text: svc('    network_mode: container:abc\n'),
    code: 'BAL010',
    at: 'container:abc',
    canary: 'network_mode: container',
    severity: 'error',
  },
  {
    name: 'security_opt',
    text: svc('    security_opt:\n      - label=disable\n'),
    code: 'BAL010',
    at: 'label=disable',
    canary: 'security_opt',
    severity: 'error',
  },
  {
    name: 'depends_on condition',
    text: svc('    depends_on:\n      db:\n        condition: service_healthy\n'),
    code: 'BAL010',
    at: 'service_healthy',
    canary: 'service_started',
    severity: 'error',
  },
  {
    name: 'top-level secrets',
    text: svc('', 'secrets:\n  s:\n    file: ./s\n'),
    code: 'BAL010',
    at: 'secrets',
    nth: 0,
    canary: 'secrets and configs',
    severity: 'error',
  },
  {
    name: 'volume driver',
    text: svc('', 'volumes:\n  v:\n    driver: custom\n'),
    code: 'BAL010',
    at: 'custom',
    canary: '"local"',
    severity: 'error',
  },
  {
    name: 'invalid port protocol',
    text: svc('    ports:\n      - 80:80/tc\n'),
    code: 'BAL010',
    at: '80:80/tc',
    canary: 'protocol "tc"',
    severity: 'error',
  },
  {
    name: 'compose format 3',
    text: `version: '3.8'\n` + svc(''),
    code: 'BAL013',
    at: "'3.8'",
    canary: 'format 2.4',
    severity: 'warning',
  },
  {
    name: 'Pantavisor: user has no equivalent',
    text: svc('    user: app\n'),
    code: 'BAL101',
    at: 'user',
    canary: 'Pantavisor (user)',
    severity: 'warning',
  },
  {
    name: 'Pantavisor: devices approximated',
    text: svc('    devices:\n      - /dev/i2c-1:/dev/i2c-1\n'),
    code: 'BAL100',
    at: 'devices',
    canary: 'PVR_LXC_CGROUP_DEVICES_WHITE',
    severity: 'info',
  },
  {
    name: 'JSON pointer with ~1 lands on the value',
    text: "services:\n  web:\n    image: a\n    labels:\n      com.example/x: {}\n      io.balena.features.dbus: '1'\n",
    code: 'BAL002',
    at: '{}',
    canary: 'labels.com.example/x',
  },
  {
    name: 'merged anchor entries are checked once at the anchor',
    text:
      'x-base: &base\n  links: [db]\nservices:\n  a:\n    <<: *base\n    image: a\n' +
      BALENA +
      '  b:\n    <<: *base\n    image: b\n',
    code: 'BAL010',
    at: 'links',
    canary: 'balena rejects `links`',
  },
];

function apply(text: string, fix: Fix): string {
  const edits = [...fix.edits].sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

function nthIndex(text: string, at: string, nth: number): number {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = text.indexOf(at, i + 1);
  return i;
}

for (const c of CASES) {
  test(`compose rule: ${c.name}`, () => {
    const r = validateCompose({ composePath: 'docker-compose.yml', composeText: c.text, ...c.opts });
    const found = r.diagnostics.filter((d) => d.code === c.code);
    assert.ok(
      found.length > 0,
      `no ${c.code}; got ${r.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n')}`,
    );
    const d = found.find((x) => x.message.includes(c.canary)) ?? found[0];
    assert.ok(d);
    assert.ok(d.message.includes(c.canary), `message "${d.message}" lacks "${c.canary}"`);
    if (c.at !== '') {
      const want = nthIndex(c.text, c.at, c.nth ?? 0);
      assert.deepEqual([d.start, d.end], [want, want + c.at.length], `range of ${c.code}`);
    }
    if (c.severity) assert.equal(d.severity, c.severity);
    assert.equal(d.source, 'balena-compose');
    if (c.fixed !== undefined) {
      const fix = d.data?.['fix'] as Fix | undefined;
      assert.ok(fix, 'expected a quick fix');
      const after = apply(c.text, fix);
      assert.equal(after, c.fixed);
      const again = validateCompose({ composePath: 'docker-compose.yml', composeText: after });
      assert.ok(
        !again.diagnostics.some((x) => x.code === c.code && x.start === d.start),
        'the fix removes the diagnostic',
      );
    }
  });
}

test('merged anchor entries are reported once', () => {
  const text =
    'x-base: &base\n  links: [db]\nservices:\n  a:\n    <<: *base\n    image: a\n' +
    BALENA +
    '  b:\n    <<: *base\n    image: b\n';
  const r = validateCompose({ composePath: 'c.yml', composeText: text });
  assert.equal(r.diagnostics.filter((d) => d.code === 'BAL010').length, 1);
});

test('plain compose files get only generic diagnostics', () => {
  const text =
    'services:\n  web:\n    image: a\n    links: [db]\n    container_name: x\n    restart: no\n    user: app\n    imgae: x\n';
  const r = validateCompose({ composePath: 'c.yml', composeText: text });
  assert.equal(r.balena, false);
  assert.deepEqual(
    r.diagnostics.map((d) => d.code),
    ['BAL002'],
  );
});

test('balena.yml beside the compose file makes it a balena project', () => {
  const project = projectFromFiles(new Map([['balena.yml', 'name: x\ntype: sw.application\n']]));
  const text = 'services:\n  web:\n    image: a\n    links: [db]\n';
  const r = validateCompose({ composePath: 'c.yml', composeText: text, project });
  assert.equal(r.balena, true);
  assert.ok(r.diagnostics.some((d) => d.code === 'BAL010'));
});

test('with the Red Hat YAML extension active, generic diagnostics are left to it', () => {
  const text = svc('    imgae: x\n    links: [db]\n') + 'oops: [\n';
  const all = validateCompose({ composePath: 'c.yml', composeText: text, mode: 'balena' });
  const ours = validateCompose({
    composePath: 'c.yml',
    composeText: text,
    mode: 'balena',
    genericDiagnostics: false,
  });
  assert.ok(all.diagnostics.some((d) => d.code === 'BAL001' || d.code === 'BAL002'));
  assert.ok(!ours.diagnostics.some((d) => d.code === 'BAL001' || d.code === 'BAL002'));
  assert.ok(ours.diagnostics.some((d) => d.code === 'BAL010'));
});

test('pantavisorNotes: off hides the convertibility notes, warnings keeps only warnings', () => {
  const text = svc('    user: app\n    devices:\n      - /dev/x:/dev/x\n');
  const codes = (notes: 'all' | 'warnings' | 'off'): string[] =>
    validateCompose({ composePath: 'c.yml', composeText: text, pantavisorNotes: notes })
      .diagnostics.filter((d) => d.code === 'BAL100' || d.code === 'BAL101')
      .map((d) => `${d.code}:${d.severity}`);
  assert.ok(codes('all').includes('BAL100:info'));
  assert.deepEqual(codes('warnings'), ['BAL101:warning']);
  assert.deepEqual(codes('off'), []);
});

const PROJECT_CASES: {
  name: string;
  files: Record<string, string>;
  compose: string;
  code: string;
  file: string;
  at?: string;
  canary: string;
}[] = [
  {
    name: 'missing build context',
    files: {},
    compose: 'services:\n  web:\n    build: ./web\n',
    code: 'BAL050',
    file: 'proj/docker-compose.yml',
    at: './web',
    canary: 'does not exist',
  },
  {
    name: 'build context that is an image name',
    files: {},
    compose: 'services:\n  web:\n    build: org/image\n',
    code: 'BAL050',
    file: 'proj/docker-compose.yml',
    at: 'org/image',
    canary: 'image: org/image',
  },
  {
    name: 'no Dockerfile in the context',
    files: { 'web/app.py': '', 'balena.yml': 'type: sw.application\n' },
    compose: 'services:\n  web:\n    build: ./web\n',
    code: 'BAL051',
    file: 'proj/docker-compose.yml',
    at: './web',
    canary: 'Dockerfile.template',
  },
  {
    name: 'named Dockerfile missing',
    files: { 'web/Dockerfile': 'FROM a' },
    compose: 'services:\n  web:\n    build:\n      context: web\n      dockerfile: Dockerfile.arm\n',
    code: 'BAL051',
    file: 'proj/docker-compose.yml',
    at: 'Dockerfile.arm',
    canary: 'not found',
  },
  {
    name: 'unknown %%BALENA_*%% variable',
    files: {
      'web/Dockerfile.template': 'FROM balenalib/%%BALENA_MACHINE_NAME%%\nRUN echo %%BALENA_DEVICE%%\n',
    },
    compose: 'services:\n  web:\n    build: ./web\n',
    code: 'BAL053',
    file: 'proj/web/Dockerfile.template',
    at: '%%BALENA_DEVICE%%',
    canary: 'does not define',
  },
  {
    name: 'remote context',
    files: { 'balena.yml': 'type: sw.application\n' },
    compose: 'services:\n  web:\n    build: https://github.com/a/b.git\n',
    code: 'BAL052',
    file: 'proj/docker-compose.yml',
    at: 'https://github.com/a/b.git',
    canary: 'remote context',
  },
  {
    name: 'extends file missing',
    files: { 'balena.yml': 'type: sw.application\n' },
    compose: 'services:\n  web:\n    image: a\n    extends:\n      file: base.yml\n      service: x\n',
    code: 'BAL054',
    file: 'proj/docker-compose.yml',
    at: 'base.yml',
    canary: 'does not exist',
  },
  {
    name: 'balena.yml without type',
    files: { 'balena.yml': 'name: x\n' },
    compose: 'services:\n  web:\n    image: a\n',
    code: 'BAL071',
    file: 'proj/balena.yml',
    canary: 'Missing property "type"',
  },
];

for (const c of PROJECT_CASES) {
  test(`compose project rule: ${c.name}`, () => {
    const project = projectFromFiles(new Map(Object.entries(c.files)));
    const r = validateCompose({
      composePath: 'proj/docker-compose.yml',
      composeText: c.compose,
      project,
      balenaYmlPath: 'proj/balena.yml',
    });
    const d = r.diagnostics.find((x) => x.code === c.code);
    assert.ok(d, `no ${c.code}; got ${r.diagnostics.map((x) => `${x.code} ${x.message}`).join('\n')}`);
    assert.equal(d.file, c.file);
    assert.ok(d.message.includes(c.canary), d.message);
    if (c.at) {
      const text = d.file.endsWith('docker-compose.yml')
        ? c.compose
        : (c.files[d.file.slice('proj/'.length)] ?? '');
      const start = text.indexOf(c.at);
      assert.deepEqual([d.start, d.end], [start, start + c.at.length]);
    }
  });
}

test('balena.yml problems are warnings, on the key', () => {
  const text = 'type: sw.application\ndata:\n  applicationEnvrionmentVariables: []\n';
  const d = validateBalenaYml(text, 'balena.yml');
  assert.equal(d.length, 1);
  assert.equal(d[0]?.severity, 'warning');
  assert.equal(text.slice(d[0]?.start, d[0]?.end), 'applicationEnvrionmentVariables');
});
