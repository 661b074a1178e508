import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { addApp } from '../../../../src/platform/image/importImage';
import { buildTar, listing, needsTools, sh, sha256hex, tmp } from './imageTestSupport';

const ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';
const GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

/** Writes an OCI image layout (`oci:DIR:v1`) whose layers are stored as given. */
function ociLayout(dir: string, layers: { tar: Buffer; blob: Buffer; mediaType: string }[]): void {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = (b: Buffer): { digest: string; size: number } => {
    const hex = sha256hex(b);
    writeFileSync(join(dir, 'blobs', 'sha256', hex), b);
    return { digest: `sha256:${hex}`, size: b.length };
  };
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2024-01-02T03:04:05Z',
      config: { Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => `sha256:${sha256hex(l.tar)}`) },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...put(config) },
      layers: layers.map((l) => ({ mediaType: l.mediaType, ...put(l.blob) })),
    }),
  );
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...put(manifest),
          annotations: { 'org.opencontainers.image.ref.name': 'v1' },
        },
      ],
    }),
  );
}

describe(
  'zstd-compressed OCI layers (the zstd command)',
  needsTools('zstd', 'mksquashfs', 'unsquashfs'),
  () => {
    let w = '';
    let tars: Buffer[] = [];
    before(async () => {
      w = tmp('zstd');
      tars = [
        await buildTar([
          { name: 'bin/', type: 'directory' },
          { name: 'bin/tool', data: randomBytes(100_000), mode: 0o755 },
          { name: 'etc/gone', data: 'x' },
        ]),
        await buildTar([
          { name: 'etc/.wh.gone', data: '' },
          { name: 'etc/hello', data: 'hi' },
          { name: 'bin/link', type: 'symlink', linkname: 'tool' },
        ]),
      ];
      const zstBlobs = tars.map((t, i) => {
        const f = join(w, `layer${i}.tar`);
        writeFileSync(f, t);
        sh('zstd', ['-q', '-f', '-19', f, '-o', `${f}.zst`]);
        return readFileSync(`${f}.zst`);
      });
      ociLayout(
        join(w, 'zstd'),
        tars.map((tar, i) => ({ tar, blob: zstBlobs[i] ?? Buffer.alloc(0), mediaType: ZSTD })),
      );
      ociLayout(
        join(w, 'gzip'),
        tars.map((tar) => ({ tar, blob: gzipSync(tar), mediaType: GZIP })),
      );
      // A zstd layer whose data is damaged after its (correct-looking) frame header.
      const bad = Buffer.from(zstBlobs[0] ?? Buffer.alloc(0));
      bad.fill(0x55, 20, 60);
      ociLayout(join(w, 'bad'), [{ tar: tars[0] ?? Buffer.alloc(0), blob: bad, mediaType: ZSTD }]);
    });
    after(() => {
      if (w) rmSync(w, { recursive: true, force: true });
    });

    test('a zstd image imports to the same file system as its gzip twin', async () => {
      const co = join(w, 'co');
      mkdirSync(co);
      await addApp({ checkout: co, app: 'z', from: `oci:${join(w, 'zstd')}:v1` });
      await addApp({ checkout: co, app: 'g', from: `oci:${join(w, 'gzip')}:v1` });
      const z = listing(join(co, 'z/root.squashfs'));
      assert.deepEqual(z, listing(join(co, 'g/root.squashfs')));
      assert.ok(z.some((l) => l.endsWith('squashfs-root/etc/hello')));
      assert.ok(!z.some((l) => l.endsWith('squashfs-root/etc/gone')), 'the whiteout applies');
      assert.ok(z.some((l) => l.includes('squashfs-root/bin/link -> tool')));
    });

    test('damaged zstd data fails naming the image and layer; nothing is left', async () => {
      const co = join(w, 'co-bad');
      mkdirSync(co);
      await assert.rejects(
        addApp({ checkout: co, app: 'b', from: `oci:${join(w, 'bad')}:v1` }),
        (e: Error) =>
          /layer 1\/1 \(sha256:[a-f0-9]{64}\)/.test(e.message) && /zstd -d failed/.test(e.message),
      );
      assert.ok(!existsSync(join(co, 'b')));
    });

    test('without the zstd command the error says to install it', async () => {
      // A PATH with mksquashfs but no zstd.
      const bin = join(w, 'bin');
      mkdirSync(bin, { recursive: true });
      symlinkSync(sh('sh', ['-c', 'command -v mksquashfs']).trim(), join(bin, 'mksquashfs'));
      const path = process.env['PATH'];
      process.env['PATH'] = bin;
      try {
        const co = join(w, 'co-nozstd');
        mkdirSync(co);
        await assert.rejects(
          addApp({ checkout: co, app: 'n', from: `oci:${join(w, 'zstd')}:v1` }),
          (e: Error) =>
            /layer 1\/2 \(sha256:[a-f0-9]{64}\)/.test(e.message) && /apt-get install zstd/.test(e.message),
        );
        assert.ok(!existsSync(join(co, 'n')));
      } finally {
        process.env['PATH'] = path;
      }
    });
  },
);
