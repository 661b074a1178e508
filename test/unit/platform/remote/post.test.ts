import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeviceEndpoint } from '../../../../src/platform/remote/DeviceEndpoint';
import { HttpClient, type RetryInfo } from '../../../../src/platform/remote/HttpClient';
import { postRevision } from '../../../../src/platform/remote/postRevision';
import { RemoteError } from '../../../../src/platform/remote/PvrRemote';
import { openRepo } from '../../../../src/platform/repo/Repository';
import { FaultProxy, type Fault, type SeenRequest } from '../../../support/faultProxy';
import {
  committedRepo,
  listFiles,
  pvkitIn,
  randomBytesOf,
  revisionIsWhole,
  scratchDir,
  sha256,
  type Scratch,
} from '../../../support/remoteRepo';

const FILES = (): Record<string, string | Buffer> => ({
  'bsp/kernel.img': randomBytesOf(300_000, 1),
  'bsp/run.json': '{"linux":"kernel.img","initrd":"pantavisor"}',
  'bsp/pantavisor': randomBytesOf(120_000, 2),
  'app/root.squashfs': randomBytesOf(700_000, 3),
  'app/run.json': '{"name":"app","type":"lxc","root-volume":"root.squashfs"}',
  'app/lxc.container.conf': 'lxc.uts.name = app\n',
  'app/copy.conf': 'lxc.uts.name = app\n', // same content: one object
  'app/empty.txt': '',
  '_config/app/etc/motd': 'hello\n',
  'device.json': '{"groups":[{"name":"root"}]}',
});

interface Setup {
  s: Scratch;
  repo: string;
  ep: DeviceEndpoint;
  url: string;
  serveDir: string;
}

async function setup(files = FILES()): Promise<Setup> {
  const s = scratchDir();
  const repo = join(s.base, 'repo');
  await committedRepo(s, repo, files);
  const serveDir = join(s.base, 'srv');
  const ep = new DeviceEndpoint({ dir: serveDir, port: 0 });
  const url = await ep.start();
  return { s, repo, ep, url, serveDir };
}

async function teardown(x: Setup, proxy?: FaultProxy): Promise<void> {
  await proxy?.stop();
  await x.ep.stop();
  rmSync(x.s.base, { recursive: true, force: true });
}

/** A proxy that injects `faults[i]` the i-th time a request matches `when`. */
function proxyWith(target: string, when: (r: SeenRequest) => boolean, faults: Fault[]): FaultProxy {
  let n = 0;
  return new FaultProxy(new URL(target), (r) => {
    if (!when(r)) return { kind: 'pass' };
    return faults[n++] ?? { kind: 'pass' };
  });
}

const isPut = (r: SeenRequest): boolean => r.method === 'PUT';

test('round trip: a checkout posted to pvkit serve and cloned back is identical, every object sha256 equal', async () => {
  const x = await setup();
  try {
    const post = await pvkitIn(x.repo, x.s.env, 'post', '-m', 'first post', x.url);
    assert.equal(post.code, 0, post.stderr);
    assert.match(post.stderr, /^Successfully posted Revision 1 \([0-9a-f]{8}\) to device id [0-9a-f]{24}$/m);
    assert.ok(revisionIsWhole(x.serveDir, 1).ok);
    assert.equal(readFileSync(join(x.serveDir, 'trails/1/.pvr/commitmsg'), 'utf8'), 'first post');
    // The served state is byte-identical to the committed one.
    assert.equal(
      readFileSync(join(x.serveDir, 'trails/1/.pvr/json'), 'utf8'),
      readFileSync(join(x.repo, '.pvr/json'), 'utf8'),
    );
    // Clone with a fresh objects dir, so that every object really travels over HTTP.
    const env = { ...x.s.env, PVR_CONFIG_DIR: join(x.s.base, 'config2') };
    const clone = await pvkitIn(x.s.base, env, 'clone', x.url, 'back');
    assert.equal(clone.code, 0, clone.stderr);
    assert.match(clone.stdout, /Successfully cloned: .*\/back/);
    const back = join(x.s.base, 'back');
    assert.deepEqual(listFiles(back), listFiles(x.repo));
    for (const f of listFiles(x.repo)) {
      if (f.endsWith('.json')) {
        assert.deepEqual(
          JSON.parse(readFileSync(join(back, f), 'utf8')),
          JSON.parse(readFileSync(join(x.repo, f), 'utf8')),
          f,
        );
      } else assert.equal(sha256(readFileSync(join(back, f))), sha256(readFileSync(join(x.repo, f))), f);
    }
    assert.equal(
      readFileSync(join(back, '.pvr/json'), 'utf8'),
      readFileSync(join(x.repo, '.pvr/json'), 'utf8'),
    );
    // get of one part into the clone after a second post.
    writeFileSync(join(x.repo, 'app/lxc.container.conf'), 'lxc.uts.name = app2\n');
    assert.equal((await pvkitIn(x.repo, x.s.env, 'add', '.')).code, 0);
    assert.equal((await pvkitIn(x.repo, x.s.env, 'commit', '-m', 'two')).code, 0);
    const second = await pvkitIn(x.repo, x.s.env, 'post'); // the last target is remembered
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /Successfully posted Revision 2 /);
    assert.match(second.stderr, /Uploaded 1 objects \(20 bytes/);
    const get = await pvkitIn(back, env, 'get', `${x.url}#app`);
    assert.equal(get.code, 0, get.stderr);
    const st = JSON.parse(readFileSync(join(back, '.pvr/json'), 'utf8')) as Record<string, string>;
    assert.equal(st['app/lxc.container.conf'], sha256(Buffer.from('lxc.uts.name = app2\n')));
  } finally {
    await teardown(x);
  }
});

test('a second post of the same revision with one object changed sends only that object and the state', async () => {
  const x = await setup();
  try {
    const repo = await openRepo(x.repo);
    const c1 = new HttpClient({ retries: 0 });
    await postRevision(repo, x.url, { client: c1 });
    c1.dispose();
    const changed = randomBytesOf(700_000, 99);
    writeFileSync(join(x.repo, 'app/root.squashfs'), changed);
    assert.equal((await pvkitIn(x.repo, x.s.env, 'add', '.')).code, 0);
    assert.equal((await pvkitIn(x.repo, x.s.env, 'commit')).code, 0);
    const before = x.ep.stats.bytesReceived;
    const c2 = new HttpClient({ retries: 0 });
    const r = await postRevision(await openRepo(x.repo), x.url, { client: c2 });
    c2.dispose();
    const state = readFileSync(join(x.repo, '.pvr/json'));
    assert.equal(r.uploaded, 1);
    assert.equal(r.uploadedBytes, changed.length);
    // The object, its announcement record, and the state envelope: nothing else.
    assert.ok(c2.bytesSent < changed.length + state.length + 1000, `sent ${c2.bytesSent}`);
    assert.equal(x.ep.stats.bytesReceived - before, c2.bytesSent);
  } finally {
    await teardown(x);
  }
});

test('a 500 in the middle of the uploads is retried and the post completes whole', async () => {
  const x = await setup();
  const proxy = proxyWith(x.url, isPut, [{ kind: 'pass' }, { kind: 'status', status: 500 }]);
  try {
    const url = await proxy.start();
    const r = await pvkitIn(x.repo, x.s.env, 'post', url);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /retrying PUT .*500/);
    assert.ok(revisionIsWhole(x.serveDir, 1).ok);
  } finally {
    await teardown(x, proxy);
  }
});

test('a 500 that persists fails the post naming the step and the object; nothing is stored', async () => {
  const x = await setup();
  const bad = proxyWith(
    x.url,
    isPut,
    Array.from({ length: 50 }, () => ({ kind: 'status' as const, status: 500 })),
  );
  try {
    const url = await bad.start();
    const r = await pvkitIn(x.repo, x.s.env, 'post', url);
    assert.equal(r.code, 3);
    assert.match(
      r.stderr,
      /failed at step "objects" \(object [^)]+\): uploading object .* failed after 4 attempts: 500/,
    );
    assert.match(r.stdout, /^ERROR: /);
    assert.deepEqual(readdirSync(join(x.serveDir, 'trails')), []);
  } finally {
    await teardown(x, bad);
  }
});

test('the server closing the connection mid-upload is survived', async () => {
  const x = await setup();
  const proxy = proxyWith(x.url, isPut, [{ kind: 'close-mid-body', afterBytes: 50_000 }]);
  try {
    const url = await proxy.start();
    const r = await pvkitIn(x.repo, x.s.env, 'post', url);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /retrying PUT/);
    assert.ok(revisionIsWhole(x.serveDir, 1).ok);
    assert.deepEqual(readdirSync(join(x.serveDir, 'objects/.incoming')), []);
  } finally {
    await teardown(x, proxy);
  }
});

test('a slow server within the timeout works; one that stalls times out and names the step', async () => {
  const x = await setup();
  const slow = new FaultProxy(new URL(x.url), () => ({ kind: 'delay', ms: 50 }));
  const stall = new FaultProxy(new URL(x.url), (r) =>
    r.path.endsWith('/json') ? { kind: 'stall' } : { kind: 'pass' },
  );
  try {
    const slowUrl = await slow.start();
    const ok = await pvkitIn(x.repo, { ...x.s.env, PVKIT_HTTP_TIMEOUT: '5' }, 'post', slowUrl);
    assert.equal(ok.code, 0, ok.stderr);
    const stallUrl = await stall.start();
    const r = await pvkitIn(
      x.repo,
      { ...x.s.env, PVKIT_HTTP_TIMEOUT: '0.3', PVKIT_HTTP_RETRIES: '1' },
      'post',
      stallUrl,
    );
    assert.equal(r.code, 3);
    assert.match(
      r.stderr,
      /failed at step "baseline".*failed after 2 attempts: no answer from the server for 0\.3s \(timeout\)/,
    );
  } finally {
    await slow.stop();
    await teardown(x, stall);
  }
});

test('503 with Retry-After is waited for as the server says ("Not ready"), then the post completes', async () => {
  const x = await setup();
  const proxy = proxyWith(x.url, (r) => r.method === 'POST' && r.path.endsWith('/revisions'), [
    { kind: 'status', status: 503, headers: { 'Retry-After': '1' } },
  ]);
  try {
    const url = await proxy.start();
    const retries: RetryInfo[] = [];
    const client = new HttpClient({ retries: 2, backoffMs: 10, onRetry: (i) => retries.push(i) });
    const res = await postRevision(await openRepo(x.repo), url, { client });
    client.dispose();
    assert.equal(res.rev, '1');
    assert.equal(retries.length, 1);
    assert.equal(retries[0]?.delayMs, 1000);
    assert.match(retries[0]?.reason ?? '', /Endpoint reported Not ready/);
    assert.ok(revisionIsWhole(x.serveDir, 1).ok);
  } finally {
    await teardown(x, proxy);
  }
});

test('a 500 on the final state post is not repeated (it may have been stored) and is reported', async () => {
  const x = await setup();
  const proxy = proxyWith(x.url, (r) => r.method === 'POST' && r.path.endsWith('/revisions'), [
    { kind: 'status', status: 500 },
  ]);
  try {
    const url = await proxy.start();
    const client = new HttpClient({ retries: 3, backoffMs: 10 });
    await assert.rejects(postRevision(await openRepo(x.repo), url, { client }), (e: unknown) => {
      assert.ok(e instanceof RemoteError);
      assert.equal(e.step, 'state');
      assert.match(e.message, /REST call failed\. 500/);
      return true;
    });
    client.dispose();
    assert.equal(proxy.seen.filter((r) => r.path.endsWith('/revisions')).length, 1);
  } finally {
    await teardown(x, proxy);
  }
});

test('a corrupt local object is refused by the endpoint (422) and named', async () => {
  const x = await setup();
  try {
    const state = JSON.parse(readFileSync(join(x.repo, '.pvr/json'), 'utf8')) as Record<string, string>;
    const sha = state['bsp/kernel.img'] ?? '';
    writeFileSync(join(x.s.base, 'objects', sha), 'corrupted');
    const r = await pvkitIn(x.repo, x.s.env, 'post', x.url);
    assert.equal(r.code, 3);
    assert.match(
      r.stderr,
      /object bsp\/kernel\.img\).*422.*(announced with \d+ bytes|does not match its sha256)/,
    );
    assert.deepEqual(readdirSync(join(x.serveDir, 'trails')), []);
  } finally {
    await teardown(x);
  }
});

test('bearer token: -a and PVR_ACCESSTOKEN are sent; without them the post is refused with 401', async () => {
  const s = scratchDir();
  const repo = join(s.base, 'repo');
  await committedRepo(s, repo, { 'a.txt': 'a' });
  const ep = new DeviceEndpoint({ dir: join(s.base, 'srv'), port: 0, token: 'tok123' });
  const url = await ep.start();
  try {
    const no = await pvkitIn(repo, s.env, 'post', url);
    assert.equal(no.code, 3);
    assert.match(no.stderr, /step "discover".*401/);
    assert.equal((await pvkitIn(repo, s.env, '-a', 'tok123', 'post', url)).code, 0);
    const viaEnv = await pvkitIn(
      repo,
      { ...s.env, PVR_ACCESSTOKEN: 'tok123' },
      'clone',
      url,
      join(s.base, 'c'),
    );
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
  } finally {
    await ep.stop();
    rmSync(s.base, { recursive: true, force: true });
  }
});

test('USER/DEVICE resolves below PVR_REPO_BASEURL (pointed at loopback here, never Pantahub)', async () => {
  const x = await setup({ 'a.txt': 'a' });
  try {
    await pvkitIn(x.repo, x.s.env, 'post', x.url);
    const base = new URL(x.url);
    const r = await pvkitIn(
      x.s.base,
      { ...x.s.env, PVR_REPO_BASEURL: base.origin },
      'clone',
      'cgi-bin/pvr',
      'viaNick',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(listFiles(join(x.s.base, 'viaNick')), ['a.txt']);
  } finally {
    await teardown(x);
  }
});
