import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ConvertError, convertProject } from '../../../../src/platform/convert/convertProject';
import { loadCheckout } from '../../../../src/platform/revision/loadRevision';
import { createPantavisorService } from '../../../../src/core/service';
import { CLI, pvkit, scratch } from '../../../support/pvkitCli';

const COMPOSE = `version: '2.1'
services:
  web:
    build: ./web
    restart: "no"
    depends_on: [db]
    labels:
      io.balena.features.supervisor-api: '1'
  db:
    image: postgres:16
    volumes:
      - pg:/var/lib/postgresql/data
    ports:
      - "5432:5432"
volumes:
  pg:
`;

function makeProject(root: string): string {
  const dir = join(root, 'proj');
  mkdirSync(join(dir, 'web'), { recursive: true });
  writeFileSync(join(dir, 'docker-compose.yml'), COMPOSE);
  writeFileSync(join(dir, 'balena.yml'), 'name: proj\ntype: sw.application\n');
  writeFileSync(
    join(dir, 'web', 'Dockerfile.template'),
    'FROM balenalib/%%BALENA_MACHINE_NAME%%-debian\nCMD ["sleep", "infinity"]\n',
  );
  return dir;
}

/** Every file below `dir` (including `.pvr/`) with its bytes. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'latin1'));
    }
  };
  walk(dir);
  return out;
}

test('convert writes a committed checkout that validates; a re-run gives identical bytes', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'pvkit-convert-'));
  try {
    const project = makeProject(tmp);
    const configDir = join(tmp, 'pvrconfig');
    const a = await convertProject({
      project,
      out: join(tmp, 'a'),
      deviceType: 'raspberrypi3',
      build: 'never',
      images: 'never',
      configDir,
    });
    await convertProject({
      project,
      out: join(tmp, 'b'),
      deviceType: 'raspberrypi3',
      build: 'never',
      images: 'never',
      configDir,
    });
    assert.equal(a.result.report.containers.length, 2);
    const sa = snapshot(join(tmp, 'a'));
    const sb = snapshot(join(tmp, 'b'));
    // The report links to the project relative to the output; both outputs are siblings.
    assert.deepEqual([...sa.keys()], [...sb.keys()]);
    for (const [k, v] of sa) assert.equal(sb.get(k), v, k);
    assert.ok(sa.has('.pvr/json') && sa.has('.pvr/config') && sa.has('.pvr/commitmsg'));
    assert.equal(sa.get('.pvr/commitmsg'), 'Converted from balena project proj');
    const pristine = JSON.parse(sa.get('.pvr/json') ?? '{}') as Record<string, unknown>;
    assert.ok('web/run.json' in pristine && 'db/lxc.container.conf' in pristine && 'device.json' in pristine);
    assert.ok(!('CONVERSION.md' in pristine), 'the report is not part of the revision');
    // Objects of the committed files are in the objects dir.
    const conf = pristine['db/lxc.container.conf'] as string;
    assert.ok(existsSync(join(configDir, 'objects', conf)));
    const loaded = await loadCheckout(join(tmp, 'a'));
    const diags = createPantavisorService().validateCheckout(join(tmp, 'a'), loaded.files, loaded.pristine);
    assert.deepEqual(
      diags.filter((d) => d.severity === 'error'),
      [],
    );
    assert.equal(
      diags.filter((d) => d.code === 'PV114').length,
      2,
      'both images are reported as not imported (information)',
    );
    assert.ok(existsSync(join(tmp, 'a', '.pvr', 'convert', 'web.Dockerfile')));
    assert.match(
      sa.get('CONVERSION.md') ?? '',
      /\[docker-compose\.yml:4\]\(\.\.\/proj\/docker-compose\.yml#L4\)/,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('convert never overwrites: an existing folder needs force, and is replaced whole', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'pvkit-convert-'));
  try {
    const project = makeProject(tmp);
    const out = join(tmp, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'precious.txt'), 'keep me');
    await assert.rejects(
      convertProject({ project, out, build: 'never', images: 'never', configDir: join(tmp, 'c') }),
      (e: unknown) => e instanceof ConvertError && e.code === 'exists',
    );
    assert.equal(readFileSync(join(out, 'precious.txt'), 'utf8'), 'keep me');
    await convertProject({
      project,
      out,
      build: 'never',
      images: 'never',
      configDir: join(tmp, 'c'),
      force: true,
    });
    assert.ok(!existsSync(join(out, 'precious.txt')));
    assert.ok(existsSync(join(out, 'web', 'run.json')));
    assert.deepEqual(
      readdirSync(tmp).filter((n) => n.includes('pvkit-convert')),
      [],
      'no temporary folder is left behind',
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('pvkit convert: --strict exits 1 and writes nothing; missing --force exits 3; success exits 0', () => {
  const { dir, env } = scratch('pvkit-convert-cli-');
  try {
    assert.ok(existsSync(CLI), 'dist/cli.js is built by scripts/test.mjs');
    const project = makeProject(dir);
    const strict = pvkit(
      dir,
      env,
      'convert',
      project,
      '--out',
      'strict-out',
      '--strict',
      '--no-build',
      '--no-images',
    );
    assert.equal(strict.status, 1, strict.stderr);
    assert.match(
      strict.stderr,
      /--strict: 4 field\(s\)[^\n]*\ndocker-compose\.yml:4: web: build is approximated\n/,
    );
    assert.ok(!existsSync(join(dir, 'strict-out')));
    const ok = pvkit(
      dir,
      env,
      'convert',
      project,
      '--out',
      'out',
      '--no-build',
      '--no-images',
      '-t',
      'raspberrypi4-64',
    );
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /Converted proj into .*: 2 container\(s\)/);
    assert.match(ok.stdout, /next 1: Build "web"/);
    const again = pvkit(dir, env, 'convert', project, '--out', 'out', '--no-build', '--no-images');
    assert.equal(again.status, 3);
    assert.match(again.stderr, /already exists.*--force/);
    const usage = pvkit(dir, env, 'convert', project);
    assert.equal(usage.status, 2);
    // A clean project converts under --strict.
    const clean = join(dir, 'clean');
    mkdirSync(clean);
    writeFileSync(
      join(clean, 'docker-compose.yml'),
      'services:\n  app:\n    image: alpine:3\n    command: ["sleep", "1"]\n    network_mode: host\n',
    );
    const badSource = pvkit(dir, env, 'convert', clean, '--out', 'clean-out', '--source', 'cloud');
    assert.equal(badSource.status, 3);
    assert.match(badSource.stderr, /--source "cloud" is not a source list: use remote, local/);
    assert.ok(!existsSync(join(dir, 'clean-out')));
    const s2 = pvkit(dir, env, 'convert', clean, '--out', 'clean-out', '--strict', '--no-images');
    assert.equal(s2.status, 0, s2.stderr);
    // The status of the new checkout is clean apart from the untracked report.
    const st = pvkit(join(dir, 'clean-out'), env, 'status');
    assert.equal(st.status, 0, st.stderr);
    assert.deepEqual(st.stdout.trim().split('\n').sort(), ['? CONVERSION.json', '? CONVERSION.md']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
