import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  readdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusDir, needsCorpus } from '../../../support/corpus';
import { main } from '../../../../src/cli/pvkit';

const corpus = corpusDir('pvr-template');

/** Runs pvkit in `cwd` with captured streams. */
async function pvkit(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    cwd,
    env: {},
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
  });
  return { code, out, err };
}

/** A temp checkout holding one corpus case's app (and its groups.json, tracked as pvr add would). */
function checkout(caseId: string, app: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pvkit-app-'));
  mkdirSync(join(dir, app));
  cpSync(join(corpus ?? '', caseId, 'src.json'), join(dir, app, 'src.json'));
  mkdirSync(join(dir, '.pvr'));
  writeFileSync(join(dir, '.pvr', 'json'), '{"#spec":"pantavisor-service-system@1"}');
  if (existsSync(join(corpus ?? '', caseId, 'groups.json'))) {
    cpSync(join(corpus ?? '', caseId, 'groups.json'), join(dir, 'groups.json'));
    writeFileSync(join(dir, '.pvr', 'new'), '{"groups.json":{"Sha":"x","ForceObject":false}}');
  }
  return dir;
}

const expected = (caseId: string, f: string): string =>
  readFileSync(join(corpus ?? '', caseId, 'expected', f), 'utf8');

test('app install writes pvr 037 bytes (awconnect, pvr037 mode)', needsCorpus('pvr-template'), async () => {
  const dir = checkout('001-awconnect', 'awconnect');
  try {
    const r = await pvkit(dir, 'app', 'install', '--compat', 'pvr037', 'awconnect/');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'Application installed\n');
    assert.match(r.err, /NOTE: awconnect\/root.squashfs is not built/);
    assert.equal(
      readFileSync(join(dir, 'awconnect/run.json'), 'utf8'),
      expected('001-awconnect', 'run.json'),
    );
    assert.equal(
      readFileSync(join(dir, 'awconnect/lxc.container.conf'), 'utf8'),
      expected('001-awconnect', 'lxc.container.conf'),
    );
    assert.equal(statSync(join(dir, 'awconnect/run.json')).mode & 0o777 & ~0o022, 0o644);
    assert.deepEqual(readdirSync(join(dir, 'awconnect')).sort(), [
      'lxc.container.conf',
      'run.json',
      'src.json',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  'app install uses a tracked groups.json for the default group',
  needsCorpus('pvr-template'),
  async () => {
    const dir = checkout('043-groupsjson-default', 'groupsjson-default');
    try {
      const r = await pvkit(dir, 'app', 'ai', 'groupsjson-default');
      assert.equal(r.code, 0, r.err);
      assert.equal(
        readFileSync(join(dir, 'groupsjson-default/run.json'), 'utf8'),
        expected('043-groupsjson-default', 'run.json'),
      );
      // Untracked: pvr ignores the file.
      rmSync(join(dir, '.pvr', 'new'));
      assert.equal((await pvkit(dir, 'app', 'install', 'groupsjson-default')).code, 0);
      assert.doesNotMatch(readFileSync(join(dir, 'groupsjson-default/run.json'), 'utf8'), /"group"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'app install: multi-volume run.json fixed by default, pvr bytes with --compat',
  needsCorpus('pvr-template'),
  async () => {
    const dir = checkout('089-volume-mounts-two', 'volume-mounts-two');
    try {
      const fixed = await pvkit(dir, 'app', 'install', 'volume-mounts-two');
      assert.equal(fixed.code, 0);
      assert.match(fixed.err, /WARNING: volume-mounts-two: .*\[run-json-volumes-join\]/);
      const run = JSON.parse(readFileSync(join(dir, 'volume-mounts-two/run.json'), 'utf8')) as {
        volumes: string[];
      };
      assert.deepEqual(run.volumes, ['a.data', 'b.data']);
      const pvr = await pvkit(dir, 'app', 'install', '--compat=pvr037', 'volume-mounts-two');
      assert.equal(pvr.code, 0);
      assert.equal(
        readFileSync(join(dir, 'volume-mounts-two/run.json'), 'utf8'),
        expected('089-volume-mounts-two', 'run.json'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('app install failures: exit codes and nothing written', needsCorpus('pvr-template'), async () => {
  const dir = checkout('299-template-missing', 'template-missing');
  try {
    writeFileSync(join(dir, 'template-missing/run.json'), 'old');
    const r = await pvkit(dir, 'app', 'install', 'template-missing');
    assert.equal(r.code, 3);
    assert.match(r.err, /template-missing\/src.json: empty template/);
    assert.equal(r.out, '');
    assert.equal(readFileSync(join(dir, 'template-missing/run.json'), 'utf8'), 'old');
    assert.equal(existsSync(join(dir, 'template-missing/lxc.container.conf')), false);

    const none = await pvkit(dir, 'app', 'install');
    assert.equal(none.code, 2);
    assert.match(none.err, /needs application argument/);
    const missing = await pvkit(dir, 'app', 'install', 'nope');
    assert.equal(missing.code, 2);
    assert.match(missing.err, /nope\/src.json: no such file or directory/);

    mkdirSync(join(dir, 'bom'));
    cpSync(join(corpus ?? '', '308-utf8-bom', 'src.json'), join(dir, 'bom/src.json'));
    const bom = await pvkit(dir, 'app', 'install', 'bom');
    assert.equal(bom.code, 2);
    assert.match(bom.err, /bom\/src.json:1:1: invalid character 'ï' .*byte-order mark/);
    assert.deepEqual(readdirSync(join(dir, 'bom')), ['src.json']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  'a data container: no lxc.container.conf; a stale one is removed (fixed) or kept (pvr037)',
  needsCorpus('pvr-template'),
  async () => {
    const dir = checkout('020-runlevel-data', 'runlevel-data');
    try {
      writeFileSync(join(dir, 'runlevel-data/lxc.container.conf'), 'stale');
      const keep = await pvkit(dir, 'app', 'install', '--compat', 'pvr037', 'runlevel-data');
      assert.equal(keep.code, 0);
      assert.match(keep.err, /\[stale-lxc-conf\]/);
      assert.equal(readFileSync(join(dir, 'runlevel-data/lxc.container.conf'), 'utf8'), 'stale');
      assert.equal(
        readFileSync(join(dir, 'runlevel-data/run.json'), 'utf8'),
        expected('020-runlevel-data', 'run.json'),
      );
      const fixed = await pvkit(dir, 'app', 'install', 'runlevel-data');
      assert.equal(fixed.code, 0);
      assert.match(fixed.err, /Removed runlevel-data\/lxc.container.conf/);
      assert.equal(existsSync(join(dir, 'runlevel-data/lxc.container.conf')), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'base apps are rendered first; a missing base fails with exit 3',
  needsCorpus('pvr-template'),
  async () => {
    const dir = checkout('285-base-only', 'base-only');
    try {
      const meta = JSON.parse(readFileSync(join(corpus ?? '', '285-base-only', 'case.json'), 'utf8')) as {
        base_app_stub?: string;
      };
      const baseName = meta.base_app_stub ?? '';
      assert.ok(baseName, 'case has a base app');
      const missing = await pvkit(dir, 'app', 'install', 'base-only');
      assert.equal(missing.code, 3);
      assert.match(missing.err, /base app/);
      mkdirSync(join(dir, baseName));
      cpSync(join(corpus ?? '', '001-awconnect', 'src.json'), join(dir, baseName, 'src.json'));
      const ok = await pvkit(dir, 'app', 'install', '--compat', 'pvr037', 'base-only');
      // pvr would fetch the base image first; pvkit cannot, so pvr037 mode fails like offline pvr.
      assert.equal(ok.code, 3);
      const fixed = await pvkit(dir, 'app', 'install', 'base-only');
      assert.equal(fixed.code, 0, fixed.err);
      assert.ok(existsSync(join(dir, baseName, 'run.json')), 'base app rendered first');
      assert.equal(
        readFileSync(join(dir, 'base-only/run.json'), 'utf8'),
        expected('285-base-only', 'run.json'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('app ls and rm', needsCorpus('pvr-template'), async () => {
  const dir = checkout('001-awconnect', 'awconnect');
  try {
    mkdirSync(join(dir, 'b-app'));
    writeFileSync(join(dir, 'b-app/src.json'), '{}');
    mkdirSync(join(dir, 'not-app'));
    assert.deepEqual(await pvkit(dir, 'app', 'ls'), { code: 0, out: 'awconnect\nb-app\n', err: '' });
    assert.equal((await pvkit(dir, 'app', 'rm', 'not-app')).code, 3);
    assert.equal((await pvkit(dir, 'app', 'rm', 'b-app')).code, 0);
    assert.equal(existsSync(join(dir, 'b-app')), false);
    assert.equal((await pvkit(dir, 'app', 'bogus')).code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
