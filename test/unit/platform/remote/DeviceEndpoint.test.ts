import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import { DeviceEndpoint } from '../../../../src/platform/remote/DeviceEndpoint';
import { randomBytesOf, scratchDir, sha256 } from '../../../support/remoteRepo';

/** Raw HTTP over loopback, so that malformed requests reach the server as written. */
function send(
  url: string,
  method: string,
  body?: Buffer | string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (b += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function withEndpoint(
  fn: (url: string, ep: DeviceEndpoint, dir: string) => Promise<void>,
  opts: { maxJsonBytes?: number; token?: string } = {},
): Promise<void> {
  const s = scratchDir('pvkit-endpoint-');
  const dir = join(s.base, 'srv');
  const ep = new DeviceEndpoint({ dir, port: 0, ...opts });
  const url = await ep.start();
  try {
    await fn(url, ep, dir);
  } finally {
    await ep.stop();
    rmSync(s.base, { recursive: true, force: true });
  }
}

function noRevision(dir: string): void {
  assert.deepEqual(readdirSync(join(dir, 'trails')), [], 'no revision (and no half revision) stored');
  assert.deepEqual(readdirSync(join(dir, 'objects', '.incoming')), [], 'no upload left behind');
}

const record = (name: string, sha: string, size: number): string =>
  JSON.stringify({
    objectname: name,
    sha256sum: sha,
    size: String(size),
    'mime-type': 'application/octet-stream',
  });

test('.pvrremote names the endpoints with absolute URLs and pvr-pantahub-like fields', async () => {
  await withEndpoint(async (url) => {
    const r = await send(`${url}/.pvrremote`, 'GET');
    assert.equal(r.status, 200);
    const j = JSON.parse(r.body) as Record<string, unknown>;
    assert.equal(j['json-key'], 'state');
    assert.equal(j['json-get-url'], `${url}/json`);
    assert.equal(j['objects-endpoint'], `${url}/objects`);
    assert.equal(j['post-url'], `${url}/revisions`);
    assert.deepEqual(j['post-fields'], ['commit-msg']);
    assert.equal((await send(`${url}/json`, 'GET')).body, '{}');
  });
});

test('the endpoint rejects bad input with a clear status and message, storing nothing', async () => {
  await withEndpoint(
    async (url, _ep, dir) => {
      const data = randomBytesOf(5000, 1);
      const sha = sha256(data);
      const cases: [string, () => Promise<{ status: number; body: string }>, number, RegExp][] = [
        [
          'malformed JSON record',
          () => send(`${url}/objects/`, 'POST', '{"objectname": "a",'),
          400,
          /malformed JSON/,
        ],
        [
          'malformed JSON post',
          () => send(`${url}/revisions`, 'POST', '{"state": {]}'),
          400,
          /malformed JSON.*invalid character/,
        ],
        ['JSON that is no object', () => send(`${url}/revisions`, 'POST', '[1]'), 400, /not a JSON object/],
        [
          'oversized body (declared)',
          () => send(`${url}/revisions`, 'POST', 'x'.repeat(3000)),
          413,
          /over the limit of 2048 bytes/,
        ],
        [
          'oversized body (chunked)',
          () => send(`${url}/revisions`, 'POST', 'x'.repeat(3000), { 'Transfer-Encoding': 'chunked' }),
          413,
          /over the limit/,
        ],
        [
          'traversal in objectname',
          () => send(`${url}/objects/`, 'POST', record('../../etc/passwd', sha, 5000)),
          400,
          /path traversal/,
        ],
        [
          'absolute objectname',
          () => send(`${url}/objects/`, 'POST', record('/etc/passwd', sha, 5000)),
          400,
          /absolute path/,
        ],
        [
          'traversal in object URL',
          () => send(`${url}/objects/..%2F..%2Fdevice-id`, 'GET'),
          400,
          /not a sha256/,
        ],
        [
          'traversal below an object',
          () => send(`${url}/objects/${sha}/../../x`, 'PUT', data),
          404,
          /no such endpoint/,
        ],
        [
          'bad sha in record',
          () => send(`${url}/objects/`, 'POST', record('a', 'ABC', 1)),
          400,
          /64 lowercase hex/,
        ],
        [
          'bad size in record',
          () => send(`${url}/objects/`, 'POST', record('a', sha, -1).replace('"-1"', '"x"')),
          400,
          /not a byte count/,
        ],
        [
          'content not matching its sha256',
          () => send(`${url}/objects/${sha}/blob`, 'PUT', randomBytesOf(5000, 2)),
          422,
          /does not match its sha256/,
        ],
        [
          'state with traversal key',
          () => send(`${url}/revisions`, 'POST', JSON.stringify({ state: { '../x': sha } })),
          400,
          /path traversal/,
        ],
        [
          'state referring to missing objects',
          () =>
            send(
              `${url}/revisions`,
              'POST',
              JSON.stringify({ state: { '#spec': 'pantavisor-service-system@1', 'bsp/kernel.img': sha } }),
            ),
          422,
          /does not have; upload them first: bsp\/kernel\.img/,
        ],
        [
          'state without state key',
          () => send(`${url}/revisions`, 'POST', '{"commit-msg":"x"}'),
          400,
          /no "state" object/,
        ],
        ['bad rev', () => send(`${url}/revisions`, 'POST', '{"rev":"abc","state":{}}'), 400, /rev abc/],
      ];
      for (const [what, fn, status, msg] of cases) {
        const r = await fn();
        assert.equal(r.status, status, `${what}: ${r.body}`);
        assert.match((JSON.parse(r.body) as { error: string }).error, msg, what);
      }
      noRevision(dir);
      assert.equal(existsSync(join(dir, 'objects', sha)), false);
    },
    { maxJsonBytes: 2048 },
  );
});

test('an upload whose length differs from its announcement is refused', async () => {
  await withEndpoint(async (url, _ep, dir) => {
    const data = randomBytesOf(1000, 3);
    const sha = sha256(data);
    assert.equal((await send(`${url}/objects/`, 'POST', record('a.bin', sha, 999))).status, 200);
    const r = await send(`${url}/objects/${sha}/blob`, 'PUT', data);
    assert.equal(r.status, 422);
    assert.match(r.body, /announced with 999 bytes but the upload has 1000/);
    noRevision(dir);
  });
});

test('a valid upload is stored under its sha, announced again it is 409 (present)', async () => {
  await withEndpoint(async (url, _ep, dir) => {
    const data = randomBytesOf(1000, 4);
    const sha = sha256(data);
    const a = await send(`${url}/objects/`, 'POST', record('x/a.bin', sha, 1000));
    assert.equal(a.status, 200);
    const put = (JSON.parse(a.body) as Record<string, string>)['signed-puturl'] ?? '';
    assert.equal((await send(put, 'PUT', data)).status, 200);
    const again = await send(`${url}/objects/`, 'POST', record('x/a.bin', sha, 1000));
    assert.equal(again.status, 409);
    assert.equal(again.headers['pantahub-object-type'], 'object');
    const post = await send(
      `${url}/revisions`,
      'POST',
      JSON.stringify({ 'commit-msg': 'm', rev: -1, state: { 'x/a.bin': sha } }),
    );
    assert.equal(post.status, 200, post.body);
    const j = JSON.parse(post.body) as Record<string, unknown>;
    assert.equal(j['rev'], 1);
    assert.equal(j['revlocal'], '1');
    assert.deepEqual(readdirSync(join(dir, 'trails')), ['1']);
    const dup = await send(`${url}/revisions`, 'POST', JSON.stringify({ rev: 1, state: { 'x/a.bin': sha } }));
    assert.equal(dup.status, 409);
    assert.match(dup.body, /revision 1 already exists/);
  });
});

test('with --token, requests without the bearer token get 401 and WWW-Authenticate', async () => {
  await withEndpoint(
    async (url) => {
      const r = await send(`${url}/.pvrremote`, 'GET');
      assert.equal(r.status, 401);
      assert.match(String(r.headers['www-authenticate']), /^Bearer/);
      assert.equal(
        (await send(`${url}/.pvrremote`, 'GET', undefined, { Authorization: 'Bearer wrong' })).status,
        401,
      );
      assert.equal(
        (await send(`${url}/.pvrremote`, 'GET', undefined, { Authorization: 'Bearer s3cret' })).status,
        200,
      );
    },
    { token: 's3cret' },
  );
});

/**
 * Waits until the endpoint has kept the prefix of an interrupted upload (the announcement reports
 * it as `pvkit-received`): the server notices the dropped connection a moment after the client.
 */
async function kept(url: string, name: string, sha: string, size: number): Promise<number> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const r = await send(`${url}/objects/`, 'POST', record(name, sha, size));
    const have = Number((JSON.parse(r.body) as Record<string, string>)['pvkit-received'] ?? 0);
    if (have > 0 || Date.now() > deadline) return have;
    await new Promise((res) => setTimeout(res, 20));
  }
}

/** A PUT that waits out `503 Retry-After` (the previous upload of the object is still closing), as pvkit's client does. */
async function putResuming(
  url: string,
  body: Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  for (let i = 0; ; i++) {
    const r = await send(url, 'PUT', body, headers);
    if (r.status !== 503 || i >= 10) return r;
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** Sends the headers and the first `n` bytes of a PUT, then drops the connection. */
function putPartly(url: string, data: Buffer, n: number): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'PUT', headers: { 'Content-Length': String(data.length) } });
    req.on('error', () => resolve());
    req.write(data.subarray(0, n), () => setTimeout(() => (req.destroy(), resolve()), 100));
  });
}

test('an interrupted upload is kept and continues with Content-Range; a wrong resumption is refused', async () => {
  await withEndpoint(async (url, _ep, dir) => {
    const data = randomBytesOf(300_000, 5);
    const sha = sha256(data);
    const partial = join(dir, 'objects', '.incoming', `${sha}.partial`);
    assert.equal((await send(`${url}/objects/`, 'POST', record('big.bin', sha, data.length))).status, 200);
    await putPartly(`${url}/objects/${sha}/blob`, data, 120_000);
    const have = await kept(url, 'big.bin', sha, data.length);
    assert.ok(have > 0 && have <= 120_000, `kept ${have} bytes`);
    assert.ok(existsSync(partial));
    const beyond = await putResuming(`${url}/objects/${sha}/blob`, data.subarray(have + 10), {
      'Content-Range': `bytes ${have + 10}-${data.length - 1}/${data.length}`,
    });
    assert.equal(beyond.status, 416);
    const rest = await putResuming(`${url}/objects/${sha}/blob`, data.subarray(have), {
      'Content-Range': `bytes ${have}-${data.length - 1}/${data.length}`,
    });
    assert.equal(rest.status, 200, rest.body);
    assert.equal(sha256(readFileSync(join(dir, 'objects', sha))), sha);
    assert.equal(existsSync(partial), false);
  });
});

test('a resumed upload whose bytes do not add up to the sha is refused and its partial removed', async () => {
  await withEndpoint(async (url, _ep, dir) => {
    const data = randomBytesOf(200_000, 6);
    const sha = sha256(data);
    const partial = join(dir, 'objects', '.incoming', `${sha}.partial`);
    assert.equal((await send(`${url}/objects/`, 'POST', record('b.bin', sha, data.length))).status, 200);
    await putPartly(`${url}/objects/${sha}/blob`, data, 50_000);
    assert.ok((await kept(url, 'b.bin', sha, data.length)) >= 10_000, 'the prefix was kept');
    const tail = randomBytesOf(200_000 - 10_000, 7);
    const r = await putResuming(`${url}/objects/${sha}/blob`, tail, {
      'Content-Range': `bytes 10000-199999/200000`,
    });
    assert.equal(r.status, 422);
    assert.equal(existsSync(partial), false);
    assert.equal(existsSync(join(dir, 'objects', sha)), false);
  });
});
