import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../../src/cli/pvkit';
import { CLI, scratch } from '../../../support/pvkitCli';
import { tarHeader, tarPadding, TAR_END } from '../../../../src/platform/repo/tar';
import { openRepo } from '../../../../src/platform/repo/Repository';
import { addFiles } from '../../../../src/platform/repo/add';

// Bad input: errors name the file and the fix, nothing is written outside the repository, and
// nothing already committed is lost. Runs pvkit in-process (same code path as the CLI).

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(cwd: string, env: NodeJS.ProcessEnv, ...argv: string[]): Promise<Out> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { cwd, env, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

async function committed(
  files: Record<string, string>,
): Promise<{ root: string; env: NodeJS.ProcessEnv; objects: string; base: string }> {
  const s = scratch('pvkit-bad-');
  const root = join(s.dir, 'repo');
  mkdirSync(root);
  const objects = join(s.dir, 'objects');
  assert.equal((await run(root, s.env, 'init', '-o', objects)).code, 0);
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), c);
  }
  assert.equal((await run(root, s.env, 'add', '.')).code, 0);
  const c = await run(root, s.env, 'commit', '-m', 'base');
  assert.equal(c.code, 0, c.stderr);
  return { root, env: s.env, objects, base: s.dir };
}

const SHA_A = 'ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb'; // sha256("a")

test('an object whose content does not match its name is refused by checkout', async () => {
  const r = await committed({ 'a.txt': 'a' });
  writeFileSync(join(r.objects, SHA_A), 'tampered');
  writeFileSync(join(r.root, 'a.txt'), 'local edit');
  const out = await run(r.root, r.env, 'checkout');
  assert.equal(out.code, 3);
  assert.match(out.stderr, new RegExp(`Object cannot be checked out; wrong sha: [0-9a-f]{64} == ${SHA_A}`));
  assert.equal(readFileSync(join(r.root, 'a.txt'), 'utf8'), 'local edit', 'the working file was kept');
  assert.deepEqual(readdirSync(r.root).sort(), ['.pvr', 'a.txt'], 'no temporary file left behind');
  rmSync(r.base, { recursive: true, force: true });
});

test('a corrupt object is refused by export, naming the object and the fix', async () => {
  const r = await committed({ 'a.txt': 'a' });
  writeFileSync(join(r.objects, SHA_A), 'b');
  const out = await run(r.root, r.env, 'export', '../x.tar');
  assert.equal(out.code, 3);
  assert.match(out.stderr, new RegExp(`object .*${SHA_A} is corrupt: .*restore it`));
  rmSync(r.base, { recursive: true, force: true });
});

test('a missing object fails checkout with its path', async () => {
  const r = await committed({ 'a.txt': 'a' });
  rmSync(join(r.objects, SHA_A));
  const out = await run(r.root, r.env, 'checkout');
  assert.equal(out.code, 3);
  assert.equal(out.stderr, `open ${join(r.objects, SHA_A)}: no such file or directory\n`);
  rmSync(r.base, { recursive: true, force: true });
});

test('a corrupt .pvr/json is reported with the file and loses nothing', async () => {
  const r = await committed({ 'a.txt': 'a' });
  writeFileSync(join(r.root, '.pvr', 'json'), '{"#spec":');
  for (const cmd of ['status', 'add', 'commit', 'checkout', 'export']) {
    const out = await run(r.root, r.env, cmd, ...(cmd === 'export' ? ['../x.tar'] : []));
    assert.equal(out.code, 2, cmd);
    assert.equal(out.stderr, 'JSON Unmarshal (.pvr/json): unexpected EOF\n', cmd);
  }
  assert.equal(readFileSync(join(r.root, 'a.txt'), 'utf8'), 'a');
  rmSync(r.base, { recursive: true, force: true });
});

test('paths with spaces, unicode and shell characters round-trip through commit and checkout', async () => {
  const names = ['with space.txt', 'ünï cødé/ф.txt', 'q\'uote".txt', 'dir with space/x y.json'];
  const r = await committed(Object.fromEntries(names.map((n) => [n, n.endsWith('.json') ? '{"k":"v"}' : n])));
  for (const n of names) rmSync(join(r.root, n));
  const out = await run(r.root, r.env, 'checkout');
  assert.equal(out.code, 0, out.stderr);
  for (const n of names) assert.ok(existsSync(join(r.root, n)), n);
  assert.equal(readFileSync(join(r.root, 'ünï cødé/ф.txt'), 'utf8'), 'ünï cødé/ф.txt');
  assert.equal((await run(r.root, r.env, 'status')).stdout, '');
  rmSync(r.base, { recursive: true, force: true });
});

test('state keys with .. are refused by checkout; nothing is written outside', async () => {
  const r = await committed({ 'a.txt': 'a' });
  writeFileSync(join(r.root, '.pvr', 'json'), `{"#spec":"x","../escaped.txt":"${SHA_A}"}`);
  const out = await run(r.root, r.env, 'checkout');
  assert.equal(out.code, 3);
  assert.match(out.stderr, /refusing to check out '\.\.\/escaped\.txt' from \.pvr\/json/);
  assert.ok(!existsSync(join(r.base, 'escaped.txt')));
  rmSync(r.base, { recursive: true, force: true });
});

test('checkout never writes through a symlinked directory that points outside', async () => {
  const r = await committed({ 'd/a.txt': 'a' });
  const outside = join(r.base, 'outside');
  mkdirSync(outside);
  rmSync(join(r.root, 'd'), { recursive: true });
  symlinkSync(outside, join(r.root, 'd'));
  const out = await run(r.root, r.env, 'checkout');
  assert.equal(out.code, 3);
  assert.match(out.stderr, /is a symbolic link, and writing through it could leave the repository/);
  assert.deepEqual(readdirSync(outside), []);
  rmSync(r.base, { recursive: true, force: true });
});

test('a symlink to a file outside is committed by content and checked out as a regular file', async () => {
  const s = scratch('pvkit-bad-');
  const outsideFile = join(s.dir, 'outside.txt');
  writeFileSync(outsideFile, 'a');
  const root = join(s.dir, 'repo');
  mkdirSync(root);
  await run(root, s.env, 'init');
  symlinkSync(outsideFile, join(root, 'link.txt'));
  await run(root, s.env, 'add', '.');
  assert.equal((await run(root, s.env, 'commit')).code, 0);
  assert.equal((await run(root, s.env, 'checkout')).code, 0);
  assert.equal(readFileSync(outsideFile, 'utf8'), 'a', 'the link target was not written');
  assert.equal(readFileSync(join(root, 'link.txt'), 'utf8'), 'a');
  rmSync(s.dir, { recursive: true, force: true });
});

function tarOf(entries: [string, string][]): Buffer {
  const parts: Buffer[] = [];
  for (const [name, data] of entries) {
    const b = Buffer.from(data);
    parts.push(tarHeader(name, b.length, 0o644, 0), b, tarPadding(b.length));
  }
  return Buffer.concat([...parts, TAR_END]);
}

test('import refuses entries that leave .pvr/ and objects whose content does not match', async () => {
  const r = await committed({ 'a.txt': 'a' });
  const before = readFileSync(join(r.root, '.pvr', 'json'), 'utf8');
  writeFileSync(join(r.base, 'evil.tar'), tarOf([['../../evil.txt', 'x']]));
  let out = await run(r.root, r.env, 'import', '../evil.tar');
  assert.equal(out.code, 3);
  assert.match(out.stderr, /refusing to import entry '\.\.\/\.\.\/evil\.txt'/);
  assert.ok(!existsSync(join(r.base, 'evil.txt')));
  const wrong = '0'.repeat(64);
  writeFileSync(join(r.base, 'bad.tar'), tarOf([[`objects/${wrong}`, 'not zero']]));
  out = await run(r.root, r.env, 'import', '../bad.tar');
  assert.equal(out.code, 3);
  assert.match(out.stderr, new RegExp(`object objects/${wrong} in .*bad.tar is corrupt`));
  assert.ok(!existsSync(join(r.objects, wrong)));
  assert.equal(readFileSync(join(r.root, '.pvr', 'json'), 'utf8'), before);
  rmSync(r.base, { recursive: true, force: true });
});

test('get from a source with a corrupt object imports nothing', async () => {
  const src = await committed({ 'a.txt': 'a' });
  writeFileSync(join(src.objects, SHA_A), 'evil');
  const s = scratch('pvkit-bad-');
  const dst = join(s.dir, 'dst');
  mkdirSync(dst);
  await run(dst, s.env, 'init', '-o', join(s.dir, 'objs'));
  const before = readFileSync(join(dst, '.pvr', 'json'), 'utf8');
  const out = await run(dst, s.env, 'get', join(src.root, '.pvr'));
  assert.equal(out.code, 3);
  assert.match(out.stderr, /is corrupt: its content hashes to/);
  assert.equal(readFileSync(join(dst, '.pvr', 'json'), 'utf8'), before);
  assert.deepEqual(readdirSync(join(s.dir, 'objs')), []);
  rmSync(src.base, { recursive: true, force: true });
  rmSync(s.dir, { recursive: true, force: true });
});

test('a USER/DEVICE reference goes to the repo base URL and an unreachable remote is a clear error', async () => {
  const r = await committed({ 'a.txt': 'a' });
  // Port 1 on loopback: nothing listens there; Pantahub itself is never contacted by tests.
  const env = { ...r.env, PVR_REPO_BASEURL: 'http://127.0.0.1:1', PVKIT_HTTP_RETRIES: '0' };
  const out = await run(r.root, env, 'get', 'user/device');
  assert.equal(out.code, 3);
  assert.match(
    out.stderr,
    /get from http:\/\/127\.0\.0\.1:1\/user\/device failed \(discover\).*ECONNREFUSED/,
  );
  rmSync(r.base, { recursive: true, force: true });
});

test(
  'stdout export is a tar that the system tar reads',
  { skip: existsSync(CLI) ? false : 'dist/cli.js not built' },
  async () => {
    const r = await committed({ 'a.txt': 'a', 'c.json': '{"x":1}' });
    const res = spawnSync(process.execPath, [CLI, 'export', '-'], { cwd: r.root, env: r.env });
    assert.equal(res.status, 0, res.stderr.toString());
    writeFileSync(join(r.base, 'o.tar'), res.stdout);
    const t = spawnSync('tar', ['-tf', join(r.base, 'o.tar')], { encoding: 'utf8' });
    assert.equal(t.stdout, `json\nobjects/${SHA_A}\n`);
    rmSync(r.base, { recursive: true, force: true });
  },
);

test('a file that vanishes while add runs is reported, not staged, and the rest is staged', async () => {
  const s = scratch('pvkit-bad-');
  const root = join(s.dir, 'repo');
  mkdirSync(root);
  assert.equal((await run(root, s.env, 'init')).code, 0);
  for (const n of ['a.txt', 'gone.txt', 'z.txt']) writeFileSync(join(root, n), n);
  const repo = await openRepo(root, s.env['PVR_CONFIG_DIR']);
  // The race, made deterministic: the file is deleted after the walk listed it, before it is read.
  const hash = repo.hashes.hash.bind(repo.hashes);
  repo.hashes.hash = (abs, staging) => {
    if (abs.endsWith('gone.txt')) rmSync(abs);
    return hash(abs, staging);
  };
  const warnings: string[] = [];
  await addFiles(repo, ['.'], false, (t) => warnings.push(t));
  assert.deepEqual(warnings, [
    `WARNING: ${join(root, 'gone.txt')} disappeared while it was being added; it is not staged\n`,
  ]);
  assert.deepEqual(Object.keys(JSON.parse(readFileSync(join(root, '.pvr', 'new'), 'utf8')) as object), [
    'a.txt',
    'z.txt',
  ]);
  const c = await run(root, s.env, 'commit', '-m', 'x');
  assert.equal(c.code, 0, c.stderr);
  assert.deepEqual(
    Object.keys(JSON.parse(readFileSync(join(root, '.pvr', 'json'), 'utf8')) as object).sort(),
    ['#spec', 'a.txt', 'z.txt'],
  );
  rmSync(s.dir, { recursive: true, force: true });
});

test('a symlink to a directory outside is not walked: nothing from outside is added', async () => {
  const s = scratch('pvkit-bad-');
  const outside = join(s.dir, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.txt'), 'secret');
  const root = join(s.dir, 'repo');
  mkdirSync(root);
  await run(root, s.env, 'init');
  writeFileSync(join(root, 'a.txt'), 'a');
  symlinkSync(outside, join(root, 'linked-dir'));
  assert.equal((await run(root, s.env, 'add', '.')).code, 0);
  assert.equal((await run(root, s.env, 'commit')).code, 0);
  const json = readFileSync(join(root, '.pvr', 'json'), 'utf8');
  assert.doesNotMatch(json, /secret/);
  assert.deepEqual(Object.keys(JSON.parse(json) as object).sort(), ['#spec', 'a.txt']);
  assert.deepEqual(readdirSync(outside), ['secret.txt'], 'nothing written outside');
  rmSync(s.dir, { recursive: true, force: true });
});

test('a corrupt or stale hash cache is not believed: shas come from the files', async () => {
  const s = scratch('pvkit-bad-');
  const root = join(s.dir, 'repo');
  mkdirSync(root);
  await run(root, s.env, 'init');
  writeFileSync(join(root, 'a.txt'), 'a');
  const cacheDir = join(s.env['PVR_CONFIG_DIR'] ?? '', 'pvkit-hash-cache');
  mkdirSync(cacheDir, { recursive: true });
  const cacheFile = join(cacheDir, `${createHash('sha256').update(root).digest('hex').slice(0, 24)}.json`);
  // Garbage, then a well-formed entry that lies about the file: neither may be believed.
  for (const bad of [
    '{not json',
    JSON.stringify({ [join(root, 'a.txt')]: { id: 'x', sha: '0'.repeat(64) } }),
  ]) {
    writeFileSync(cacheFile, bad);
    rmSync(join(root, '.pvr', 'new'), { force: true });
    assert.equal((await run(root, s.env, 'add', '.')).code, 0);
    const staged = JSON.parse(readFileSync(join(root, '.pvr', 'new'), 'utf8')) as Record<
      string,
      { Sha: string }
    >;
    assert.equal(staged['a.txt']?.Sha, SHA_A);
  }
  rmSync(s.dir, { recursive: true, force: true });
});
