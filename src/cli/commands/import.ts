import { resolve } from 'node:path';
import { pvrCommand } from '../pvrCommand';
import { importRepo } from '../../platform/repo/exportImport';
import { PvrError } from '../../platform/repo/PvrError';

export const importCommand = pvrCommand({
  name: 'import',
  usage: 'pvr import [command options] <tarball>',
  summary: 'import repo tarball (like the one produced by "pvr export") into pvr in current working dir',
  description: 'unpack an export into .pvr/ and the objects directory',
  flags: [],
  run: async ({ ctx, args, open }) => {
    if (args.length === 0) throw new PvrError('repo-tarball name is required. See --help', 1, 'plain');
    if (args.length > 1) throw new PvrError('import can have at most 1 argument. See --help', 1, 'plain');
    const repo = await open();
    const file = args[0] ?? '';
    await importRepo(repo, resolve(ctx.cwd, file)).catch((e: unknown) => {
      if (e instanceof PvrError)
        throw new PvrError(e.message.replace(resolve(ctx.cwd, file), file), e.exitCode, e.style);
      throw e;
    });
    ctx.stdout(
      `\nImported ${file}\n\n\nRun pvr checkout to checkout the changed files into the workspace.\nThen run pvr add and pvr commit to merge the imported data with the current state.\n`,
    );
    return 0;
  },
});
