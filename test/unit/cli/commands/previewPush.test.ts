import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { main } from '../../../../src/cli/pvkit';
import {
  buildTestInitramfs,
  needsTestGuest,
  scratchDir,
  testKernel,
  testEnvDir,
  type GuestArch,
} from '../../../support/qemuGuest';

/**
 * The CLI path of "push to a preview": `pvkit preview` boots the test guest (Debian's kernel and a
 * busybox initramfs whose port 12368 runs the STAND-IN of a device's pvr endpoint,
 * test/support/pvr-endpoint-standin.sh), then `pvkit post` sends a checkout through the forwarded
 * port and `pvkit clone` reads it back. The guest checks every object with busybox sha256sum and
 * keeps the revision in its RAM. Once with an x86_64 guest (KVM when it works) and once with an
 * aarch64 guest (Debian's arm64 cloud kernel and busybox, emulated by TCG on this host).
 */

interface Io {
  out: string;
  err: string;
}

function run(
  argv: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  signal?: AbortSignal,
): Promise<Io & { code: number }> {
  const io: Io = { out: '', err: '' };
  return main(argv, {
    stdout: (t) => (io.out += t),
    stderr: (t) => (io.err += t),
    cwd,
    env,
    signal: signal ?? new AbortController().signal,
  }).then((code) => ({ code, ...io }));
}

function http(
  method: string,
  url: string,
  body?: Buffer | string,
): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const data = body === undefined ? undefined : Buffer.from(body);
    const req = request(
      url,
      { method, timeout: 30_000, headers: data ? { 'Content-Length': String(data.length) } : {} },
      (r) => {
        let text = '';
        r.on('data', (d: Buffer) => (text += d.toString()));
        r.on('end', () => res({ status: r.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', rej);
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.end(data);
  });
}

async function until(pred: () => boolean, what: string, seen: () => string, ms = 150_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; seen:\n${seen()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

for (const arch of ['x86_64', 'aarch64'] as GuestArch[]) {
  test(
    `pvkit preview --arch ${arch} + pvkit post + pvkit clone: a checkout posted to the guest pvr endpoint (stand-in) and read back`,
    { ...needsTestGuest(testEnvDir(), arch), timeout: 240_000 },
    async () => {
      const k = testKernel(testEnvDir(), arch)!;
      const dir = scratchDir('pvkit-cli-push-');
      const env = { ...process.env, PVR_CONFIG_DIR: join(dir, 'config'), PVR_DISABLE_SELF_UPGRADE: '1' };
      const initrd = buildTestInitramfs(dir, k, { marker: 'PVKIT-CLI-PUSH', httpPort: 12368 });
      const stop = new AbortController();
      const preview: Io = { out: '', err: '' };
      const exited = main(
        [
          'preview',
          '--arch',
          arch,
          '--kernel',
          k.vmlinuz,
          '--initrd',
          initrd,
          '--append',
          'panic=-1 quiet',
          '--memory',
          '256',
          '--forward',
          ':12368',
        ],
        {
          stdout: (t) => (preview.out += t),
          stderr: (t) => (preview.err += t),
          cwd: dir,
          env,
          signal: stop.signal,
        },
      );
      try {
        const ready = /ready: the pvr endpoint answers at (http:\/\/127\.0\.0\.1:\d+\/cgi-bin\/pvr)/;
        await until(
          () => ready.test(preview.err),
          'the preview to be ready',
          () => preview.err + preview.out,
        );
        const url = ready.exec(preview.err)![1]!;
        assert.match(preview.out, new RegExp(`PVKIT-CLI-PUSH kernel=${k.version}`));
        if (arch === 'aarch64')
          assert.match(preview.err, /acceleration TCG: KVM unavailable \(KVM cannot run aarch64 guests/);

        // A small checkout with one object and one inline JSON file.
        const co = join(dir, 'checkout');
        mkdirSync(join(co, 'app'), { recursive: true });
        assert.equal((await run(['init'], co, env)).code, 0);
        const blob = Buffer.alloc(150_000);
        for (let i = 0; i < blob.length; i++) blob[i] = (i * 7919) % 251;
        writeFileSync(join(co, 'app/root.squashfs'), blob);
        writeFileSync(join(co, 'app/run.json'), '{"name":"app","root-volume":"root.squashfs","type":"lxc"}');
        assert.equal((await run(['add', '.'], co, env)).code, 0);
        assert.equal((await run(['commit', '-m', 'first'], co, env)).code, 0);

        const post = await run(['post', '-m', 'from the CLI test', url], co, env);
        assert.equal(post.code, 0, post.err);
        assert.match(
          post.err,
          /Successfully posted Revision 1 \([0-9a-f]{8}\) to device id qemu-preview-standin/,
        );

        // The guest holds the posted state, byte for byte, and recomputed the object's sha256.
        const pristine = readFileSync(join(co, '.pvr/json'), 'utf8');
        const state = await http('GET', `${url}/json`);
        assert.equal(state.status, 200);
        assert.deepEqual(JSON.parse(state.body), JSON.parse(pristine));
        const sha = sha256(blob);
        const rec = await http('GET', `${url}/objects/${sha}`);
        assert.equal(rec.status, 200, rec.body);
        assert.equal((JSON.parse(rec.body) as { sha256sum: string }).sha256sum, sha);
        const revs = JSON.parse((await http('GET', `${url}/revisions`)).body) as {
          current: number;
          revisions: { rev: number; 'state-sha': string }[];
        };
        assert.equal(revs.current, 1);
        assert.equal(revs.revisions[0]?.['state-sha'], sha256(state.body.trimEnd()));

        // Bytes that do not match the announced sha are refused by the guest's check.
        const other = Buffer.from('not what was announced');
        const fake = sha256('something else');
        const ann = await http(
          'POST',
          `${url}/objects/`,
          `{"mime-type":"application/octet-stream","objectname":"x/y","sha256sum":"${fake}","size":"${other.length}"}`,
        );
        assert.equal(ann.status, 200, ann.body);
        const put = await http('PUT', `${url}/objects/${fake}/blob`, other);
        assert.equal(put.status, 422, put.body);
        assert.match(put.body, new RegExp(`has sha256 ${sha256(other)}, not ${fake}`));

        // pvkit clone reads the revision back through the same port.
        const cloned = join(dir, 'clone');
        const clone = await run(['clone', url, cloned], dir, env);
        assert.equal(clone.code, 0, clone.err);
        assert.deepEqual(readFileSync(join(cloned, 'app/root.squashfs')), blob);
      } finally {
        stop.abort();
        const code = await exited;
        assert.equal(code, 130, preview.err);
      }
      const pid = Number(/QEMU \(pid (\d+)\) exited/.exec(preview.err)?.[1]);
      assert.ok(pid > 0, preview.err);
      assert.equal(alive(pid), false, `QEMU pid ${pid} still runs`);
    },
  );
}
