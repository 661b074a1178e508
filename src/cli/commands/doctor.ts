import { formatReport, runDoctor } from '../../platform/doctor/doctor';
import { resolveRemoteRef } from '../../platform/remote/remoteUrl';
import { bool, parseArgs, str } from '../args';
import { UsageError, type CliCommand } from '../CliContext';

export const doctorCommand: CliCommand = {
  summary: 'Check the tools pvkit uses (pvr, Docker/Podman, mksquashfs, QEMU, KVM, a push target)',
  usage:
    'Usage: pvkit doctor [--json] [--target URL|IP]\n\n' +
    '  --target  also check that a device endpoint (http://HOST:PORT or a device address) answers\n\n' +
    'Each line that is not ok names its fix. Exit status: 0 when nothing failed, 1 when a required tool is missing.',
  async run(ctx) {
    const args = parseArgs(ctx.argv, [
      { name: 'json', type: 'boolean' },
      { name: 'target', type: 'string' },
    ]);
    const ref = str(args, 'target');
    const remote = ref ? resolveRemoteRef(ref, {}) : undefined;
    if (ref && (!remote || remote.kind === 'pantahub'))
      throw new UsageError(`--target ${ref}: give a device address or an http(s) URL`);
    const results = await runDoctor({
      env: ctx.env,
      signal: ctx.signal,
      ...(ref && remote ? { target: { label: '--target', url: remote.url } } : {}),
    });
    ctx.stdout(bool(args, 'json') ? JSON.stringify(results, null, 2) + '\n' : formatReport(results));
    return results.some((r) => r.status === 'fail') ? 1 : 0;
  },
};
