import { pvrCommand } from '../pvrCommand';
import { exportRepo } from '../../platform/repo/exportImport';
import { PvrError } from '../../platform/repo/PvrError';
import { resolve } from 'node:path';

export const exportCommand = pvrCommand({
  name: 'export',
  usage: 'pvr export [command options] <file>',
  summary: 'export repo into single file (tarball)',
  description: 'write the committed state and its objects as a tar (gzip for .gz/.tgz); - is stdout',
  flags: [
    {
      name: 'parts',
      short: 'p',
      type: 'string',
      placeholder: 'value',
      help: 'comma-separated parts to export',
    },
  ],
  run: async ({ ctx, flags, args, open }) => {
    if (args.length === 0) throw new PvrError('export-file name is required. See --help', 1, 'plain');
    if (args.length > 1) throw new PvrError('export can have at most 1 argument. See --help', 1, 'plain');
    const repo = await open();
    const p = typeof flags['parts'] === 'string' ? flags['parts'] : '';
    const parts = p === '' ? [] : p.split(',');
    const file = args[0] ?? '';
    if (file === '-') {
      const write =
        ctx.stdoutBytes ??
        ((b: Uint8Array) => Promise.resolve(ctx.stdout(Buffer.from(b).toString('latin1'))));
      await exportRepo(repo, { write, close: () => Promise.resolve() }, parts);
    } else {
      await exportRepo(repo, resolve(ctx.cwd, file), parts).catch((e: unknown) => {
        // pvr names the file as given on the command line.
        if (e instanceof PvrError)
          throw new PvrError(e.message.replace(resolve(ctx.cwd, file), file), e.exitCode, e.style);
        throw e;
      });
    }
    return 0;
  },
});
