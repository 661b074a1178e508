import { formatReport, runDoctor } from '../../platform/doctor/doctor';
import { bool, parseArgs } from '../args';
import type { CliCommand } from '../CliContext';

export const doctorCommand: CliCommand = {
  summary: 'Check the tools pvkit uses (pvr, Docker/Podman, mksquashfs, QEMU, KVM)',
  usage:
    'Usage: pvkit doctor [--json]\n\nExit status: 0 when nothing failed, 1 when a required tool is missing.',
  async run(ctx) {
    const args = parseArgs(ctx.argv, [{ name: 'json', type: 'boolean' }]);
    const results = await runDoctor({ env: ctx.env, signal: ctx.signal });
    ctx.stdout(bool(args, 'json') ? JSON.stringify(results, null, 2) + '\n' : formatReport(results));
    return results.some((r) => r.status === 'fail') ? 1 : 0;
  },
};
