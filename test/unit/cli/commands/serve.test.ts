import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, pvkitSpawn } from '../../../support/pvkitCli';
import {
  committedRepo,
  pvkitIn,
  randomBytesOf,
  revisionIsWhole,
  scratchDir,
  sha256,
} from '../../../support/remoteRepo';

const built = existsSync(CLI) ? {} : { skip: 'dist/cli.js not built (scripts/test.mjs builds it)' };

interface Server {
  child: ChildProcess;
  url: string;
  /** Resolves when the server logs a line matching the pattern. */
  waitFor: (re: RegExp) => Promise<void>;
}

/** Starts `pvkit serve DIR --port PORT` as a separate process (so that it can be killed). */
function serve(cwd: string, env: NodeJS.ProcessEnv, dir: string, port: number): Promise<Server> {
  const child = pvkitSpawn(cwd, env, 'serve', dir, '--port', String(port));
  let log = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  child.stderr?.on('data', (c: Buffer) => {
    log += c.toString('utf8');
    for (const w of waiters.splice(0)) {
      if (w.re.test(log)) w.resolve();
      else waiters.push(w);
    }
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /Serving .* at (http:\S+)/.exec(out);
      if (m?.[1]) {
        resolve({
          child,
          url: m[1],
          waitFor: (re) =>
            new Promise<void>((r) => {
              if (re.test(log)) r();
              else waiters.push({ re, resolve: r });
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`pvkit serve exited with ${String(code)}: ${log}`)));
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r();
    child.once('exit', () => r());
    child.kill('SIGKILL');
  });
}

const BIG = 6;
const files = (): Record<string, Buffer | string> => {
  const f: Record<string, Buffer | string> = { 'app/run.json': '{"name":"app"}' };
  for (let i = 0; i < BIG; i++) f[`app/part${i}.bin`] = randomBytesOf(6 << 20, i);
  return f;
};

test(
  'server killed during a post: the re-run sends only what is missing and the stored revision is whole',
  built,
  async () => {
    const s = scratchDir('pvkit-kill-');
    const repo = join(s.base, 'repo');
    const srv = join(s.base, 'srv');
    await committedRepo(s, repo, files());
    const env = { ...s.env, PVKIT_HTTP_RETRIES: '2', PVKIT_HTTP_BACKOFF_MS: '20' };
    let server = await serve(s.base, s.env, srv, 0);
    const port = new URL(server.url).port;
    try {
      const posting = pvkitIn(repo, env, 'post', '-m', 'interrupted', server.url);
      await server.waitFor(/PUT \S+ 200/); // one object is stored, others are on the way
      await kill(server.child);
      const failed = await posting;
      assert.equal(failed.code, 3);
      assert.match(
        failed.stderr,
        /failed at step "objects" \(object app\/part\d\.bin\): (uploading|announcing) object app\/part\d\.bin/,
      );
      assert.deepEqual(readdirSync(join(srv, 'trails')), [], 'no revision from the interrupted post');
      // Every object that has its name is whole (uploads in progress stay in .incoming).
      const stored = readdirSync(join(srv, 'objects')).filter((n) => n !== '.incoming');
      assert.ok(stored.length >= 1 && stored.length < BIG, `stored ${stored.length}`);
      for (const n of stored) assert.equal(sha256(readFileSync(join(srv, 'objects', n))), n);

      // Uploads cut by the kill are kept as <sha>.partial and resumed below.
      const kept = readdirSync(join(srv, 'objects/.incoming'))
        .filter((n) => n.endsWith('.partial'))
        .reduce((n, f) => n + statSync(join(srv, 'objects/.incoming', f)).size, 0);
      const missingBytes = (BIG - stored.length) * (6 << 20);
      server = await serve(s.base, s.env, srv, Number(port));
      const again = await pvkitIn(repo, env, 'post', '-m', 'resumed', server.url);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, /Successfully posted Revision 1 /);
      const m = /Uploaded (\d+) objects \((\d+) bytes/.exec(again.stderr);
      const present = (again.stderr.match(/\[OK - present\]/g) ?? []).length;
      assert.equal(Number(m?.[1]) + present, BIG, 'every object is either sent or reported present');
      assert.ok(present >= stored.length);
      // Only what is missing travels: objects stored before the kill and the bytes of interrupted
      // uploads the server kept (resumed with Content-Range) are not sent again.
      assert.equal(Number(m?.[2]), missingBytes - kept);
      const whole = revisionIsWhole(srv, 1);
      assert.ok(whole.ok, whole.problems.join('\n'));
      assert.deepEqual(readdirSync(join(srv, 'objects/.incoming')), []);
    } finally {
      await kill(server.child);
      rmSync(s.base, { recursive: true, force: true });
    }
  },
);

test('server killed and restarted while the client retries: the same post completes', built, async () => {
  const s = scratchDir('pvkit-kill2-');
  const repo = join(s.base, 'repo');
  const srv = join(s.base, 'srv');
  await committedRepo(s, repo, files());
  const env = { ...s.env, PVKIT_HTTP_RETRIES: '12', PVKIT_HTTP_BACKOFF_MS: '100' };
  let server = await serve(s.base, s.env, srv, 0);
  const port = Number(new URL(server.url).port);
  try {
    const posting = pvkitIn(repo, env, 'post', server.url);
    await server.waitFor(/PUT \S+ 200/);
    await kill(server.child);
    server = await serve(s.base, s.env, srv, port);
    const r = await posting;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /retrying /);
    assert.match(r.stderr, /Successfully posted Revision 1 /);
    const whole = revisionIsWhole(srv, 1);
    assert.ok(whole.ok, whole.problems.join('\n'));
  } finally {
    await kill(server.child);
    rmSync(s.base, { recursive: true, force: true });
  }
});

test('serve refuses a non-loopback address without --allow-remote', async () => {
  const s = scratchDir('pvkit-serve-');
  try {
    const r = await pvkitIn(s.base, s.env, 'serve', '--host', '0.0.0.0', '--port', '0');
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /--host 0\.0\.0\.0 would expose the endpoint beyond this machine; add --allow-remote/,
    );
  } finally {
    rmSync(s.base, { recursive: true, force: true });
  }
});
