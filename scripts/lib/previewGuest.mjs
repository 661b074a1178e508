// A QEMU guest to try previews with: Debian's cloud kernel from the test-env dir (fetched by
// scripts/setup-test-env.sh) and a busybox initramfs built now by test/support/qemuGuest.ts. Used
// by `npm start` (a ready "x64" profile on the example workspace) and the screenshots.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, TEST_ENV_DIR } from './codeServer.mjs';

/**
 * Builds the initramfs into `dir` and returns a `pantavisor.qemu.profiles` entry, or undefined
 * with the reason when the kernel or busybox-static is missing.
 */
export function buildPreviewGuest(dir, name = 'x64') {
  const built = spawnSync(
    'node',
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(join(ROOT, 'test/support/qemuGuest.ts'))});
       const { buildTestInitramfs, testKernel } = m.buildTestInitramfs ? m : m.default;
       const k = testKernel(${JSON.stringify(TEST_ENV_DIR)});
       if (!k) process.exit(3);
       const initrd = buildTestInitramfs(${JSON.stringify(dir)}, k, { marker: 'Pantavisor preview guest is up', httpPort: 12368 });
       console.log(JSON.stringify({ kernel: k.vmlinuz, initrd }));`,
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (built.status !== 0) return { reason: built.stderr.trim() || `exit ${built.status}` };
  const guest = JSON.parse(built.stdout.trim().split('\n').pop());
  return { profile: { name, kernel: guest.kernel, initrd: guest.initrd, append: 'panic=-1', memory: 256 } };
}
