// The example workspace (`npm start`, README screenshots) must stay a real pvr checkout:
// .pvr/json in canonical form and equal to the files on disk, every object stored, a real squashfs,
// and a revision that validates without errors. Editing an example without updating .pvr/json
// fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../../support/corpus';

const CHECKOUTS = ['examples/revision'];

/** pvr's canonical JSON for the ASCII-only, integer-only values of our examples. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function walk(dir: string, root = dir): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((e) => {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) return relative(root, p) === '.pvr' ? [] : walk(p, root);
      return [relative(root, p)];
    });
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

for (const co of CHECKOUTS) {
  const dir = join(ROOT, co);
  test(`${co}: .pvr/json is canonical and matches the files`, () => {
    const text = readFileSync(join(dir, '.pvr/json'), 'utf8');
    const state = JSON.parse(text) as Record<string, unknown>;
    assert.equal(text, canonical(state), '.pvr/json is not in canonical form');
    assert.equal(state['#spec'], 'pantavisor-service-system@1');
    const tracked = Object.keys(state).filter((k) => k !== '#spec');
    assert.deepEqual(walk(dir).sort(), tracked.sort(), 'untracked or missing files');
    for (const key of tracked) {
      const bytes = readFileSync(join(dir, key));
      const value = state[key];
      if (typeof value === 'string' && /^[0-9a-f]{64}$/.test(value)) {
        assert.equal(sha256(bytes), value, `${key}: sha256 differs from .pvr/json`);
        const object = join(dir, '.pvr/objects', value);
        assert.ok(existsSync(object), `${key}: object ${value} missing in .pvr/objects`);
        assert.equal(sha256(readFileSync(object)), value);
      } else {
        assert.deepEqual(JSON.parse(bytes.toString('utf8')), value, `${key}: differs from .pvr/json`);
      }
    }
  });

  test(`${co}: root.squashfs is a real squashfs image`, (t) => {
    const image = join(dir, 'webapp/root.squashfs');
    assert.equal(readFileSync(image).subarray(0, 4).toString('latin1'), 'hsqs');
    const r = spawnSync('unsquashfs', ['-l', image], { encoding: 'utf8' });
    if (r.error) {
      t.skip('unsquashfs not installed (apt-get install squashfs-tools); only the magic was checked');
      return;
    }
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /squashfs-root\/www\/index\.html/);
  });

  test(`${co}: pvkit validate finds no errors`, () => {
    const cli = join(ROOT, 'dist/cli.js');
    assert.ok(existsSync(cli), 'dist/cli.js missing: run node esbuild.mjs first');
    const r = spawnSync(process.execPath, [cli, 'validate', '--format', 'json', dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, `pvkit validate exited ${r.status}:\n${r.stdout}${r.stderr}`);
  });
}
