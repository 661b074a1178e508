import { pvrCommand } from '../pvrCommand';
import { getRepo } from '../../platform/repo/getClone';
import { PvrError } from '../../platform/repo/PvrError';

export const getCommand = pvrCommand({
  name: 'get',
  usage: 'pvr get [command options] [repository[#part1,part2]]',
  summary: 'get update from a repository (a .pvr directory or an export tarball)',
  description: 'copy objects and merge the state of another repository into the committed state',
  flags: [],
  run: async ({ ctx, args, open, stderrBytes }) => {
    if (args.length > 1) throw new PvrError('Get can have at most 1 argument. See --help.', 1, 'plain');
    const repo = await open();
    const arg = args[0];
    if (arg === undefined) {
      throw new PvrError(
        'no repository given and none configured; give a .pvr directory or an export tarball',
        3,
      );
    }
    const n = await getRepo(repo, arg, {
      cwd: ctx.cwd,
      env: ctx.env,
      stdout: ctx.stdout,
      stderr: stderrBytes,
    });
    ctx.stdout(
      `\nImported ${n} objects to ${repo.objdir}\n\n\nRun pvr checkout to checkout the changed files into the workspace.\n`,
    );
    return 0;
  },
});
