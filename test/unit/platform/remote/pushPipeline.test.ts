import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DeviceEndpoint } from '../../../../src/platform/remote/DeviceEndpoint';
import { HttpClient } from '../../../../src/platform/remote/HttpClient';
import { PushPipeline } from '../../../../src/platform/remote/PushPipeline';
import { deviceStatus } from '../../../../src/platform/remote/deviceStatus';
import { pantahubLogin, readPvrAuthToken } from '../../../../src/platform/remote/pvrAuth';
import { committedRepo, revisionIsWhole, scratchDir, writeTree } from '../../../support/remoteRepo';

test('push pipeline: stage, commit, post; a failed post is retried alone and the device shows the revision', async () => {
  const s = scratchDir();
  const repo = join(s.base, 'repo');
  await committedRepo(s, repo, { 'a.txt': 'a' });
  writeTree(repo, { 'b/run.json': '{"name":"b"}', 'b/root.squashfs': 'squash' });
  const srv = join(s.base, 'srv');
  // First the endpoint is down: stage and commit succeed, post fails.
  const ep1 = new DeviceEndpoint({ dir: srv, port: 0 });
  const url = await ep1.start();
  const port = ep1.port;
  await ep1.stop();
  const seen: string[] = [];
  const p = new PushPipeline({
    root: repo,
    url,
    message: 'from the editor',
    commit: true,
    client: { retries: 0 },
    onChange: (steps) => seen.push(steps.map((x) => `${x.id}:${x.status}`).join(',')),
  });
  await assert.rejects(p.run(), /ECONNREFUSED/);
  assert.deepEqual(
    p.steps.map((x) => x.status),
    ['done', 'done', 'failed'],
  );
  assert.match(p.failed?.detail ?? '', /^discover: /);
  // Then the endpoint is up on the same port: only the post runs again.
  const ep2 = new DeviceEndpoint({ dir: srv, port });
  await ep2.start();
  try {
    seen.length = 0;
    const r = await p.run();
    assert.equal(r?.rev, '1');
    assert.deepEqual(seen[0], 'add:done,commit:done,post:running');
    assert.ok(revisionIsWhole(srv, 1).ok);
    const client = new HttpClient({ retries: 0 });
    const st = await deviceStatus(client, url);
    client.dispose();
    assert.equal(st.rev, '1');
    assert.equal(st.stateSha, r?.stateSha);
  } finally {
    await ep2.stop();
    rmSync(s.base, { recursive: true, force: true });
  }
});

test('push pipeline with steps before staging: a failed step is retried alone, earlier ones are not re-run; cancel stops it', async () => {
  const s = scratchDir();
  const repo = join(s.base, 'repo');
  const srv = join(s.base, 'srv');
  const ep = new DeviceEndpoint({ dir: srv, port: 0 });
  const url = await ep.start();
  const runs: string[] = [];
  let imagesFail = true;
  const p = new PushPipeline({
    root: repo,
    url,
    message: 'converted',
    commit: true,
    client: { retries: 0 },
    before: [
      {
        id: 'convert',
        title: 'Convert',
        run: async () => {
          runs.push('convert');
          await committedRepo(s, repo, { 'a.txt': 'a' });
          return 'converted';
        },
      },
      {
        id: 'images',
        title: 'Import images',
        run: () => {
          runs.push('images');
          if (imagesFail) return Promise.reject(new Error('web: no engine answered'));
          writeTree(repo, { 'web/root.squashfs': 'squash' });
          return Promise.resolve('web imported');
        },
      },
    ],
  });
  try {
    assert.deepEqual(
      p.steps.map((x) => x.id),
      ['convert', 'images', 'add', 'commit', 'post'],
    );
    await assert.rejects(p.run(), /no engine answered/);
    assert.deepEqual(
      p.steps.map((x) => x.status),
      ['done', 'failed', 'pending', 'pending', 'pending'],
    );
    assert.equal(p.failed?.id, 'images');
    assert.equal(p.failed?.detail, 'web: no engine answered');
    imagesFail = false;
    const r = await p.run();
    assert.deepEqual(runs, ['convert', 'images', 'images'], 'convert ran once');
    assert.equal(r?.rev, '1');
    assert.equal(p.steps[1]?.detail, 'web imported');
    assert.ok(revisionIsWhole(srv, 1).ok);
    assert.ok(
      Object.keys(JSON.parse(readFileSync(join(srv, 'trails/1/.pvr/json'), 'utf8')) as object).includes(
        'web/root.squashfs',
      ),
      'the imported file was committed and posted',
    );

    // Cancelled before it starts: no step runs, nothing is posted.
    const ac = new AbortController();
    ac.abort(new Error('push cancelled'));
    const q = new PushPipeline({
      root: repo,
      url,
      message: 'x',
      commit: true,
      client: { retries: 0, signal: ac.signal },
      before: [{ id: 'convert', title: 'Convert', run: () => Promise.resolve('never') }],
    });
    await assert.rejects(q.run(), /push cancelled/);
    assert.equal(q.steps[0]?.status, 'failed');
    assert.deepEqual(await ep.store.revisions(), [1]);
  } finally {
    await ep.stop();
    rmSync(s.base, { recursive: true, force: true });
  }
});

test("reuses an installed pvr's cached token only for the matching API", async () => {
  const s = scratchDir();
  try {
    mkdirSync(join(s.base, 'pvr'));
    writeFileSync(
      join(s.base, 'pvr', 'auth.json'),
      JSON.stringify({
        spec: '1',
        tokens: {
          'https://api.pantahub.com/auth realm=pantahub services': {
            'access-token': 'TOK',
            'refresh-token': 'R',
          },
        },
      }),
    );
    assert.equal(await readPvrAuthToken(join(s.base, 'pvr')), 'TOK');
    assert.equal(await readPvrAuthToken(join(s.base, 'pvr'), 'https://other.example'), undefined);
    assert.equal(await readPvrAuthToken(join(s.base, 'nothing')), undefined);
  } finally {
    rmSync(s.base, { recursive: true, force: true });
  }
});

test('Pantahub login against a loopback stand-in for Pantahub (the real one is never contacted)', async () => {
  const server = http.createServer((req, res) => {
    let b = '';
    req.on('data', (c: Buffer) => (b += c.toString()));
    req.on('end', () => {
      const j = JSON.parse(b) as { username: string; password: string };
      const ok = req.url === '/auth/login' && j.username === 'u' && j.password === 'p';
      res.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(ok ? { token: 'JWT1' } : { Error: 'bad credentials' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new HttpClient({ retries: 0 });
  try {
    assert.equal(await pantahubLogin(client, api, 'u', 'p'), 'JWT1');
    await assert.rejects(pantahubLogin(client, api, 'u', 'x'), /401.*bad credentials/);
  } finally {
    client.dispose();
    server.close();
  }
});
