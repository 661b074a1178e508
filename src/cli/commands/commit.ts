import { pvrCommand } from '../pvrCommand';
import { commitRepo } from '../../platform/repo/commit';
import { PvrError } from '../../platform/repo/PvrError';

export const commitCommand = pvrCommand({
  name: 'commit',
  usage: 'pvr commit [command options] [arguments...]',
  summary: 'commit status changes',
  description: 'store the working changes as the new committed state',
  flags: [
    { name: 'message', short: 'm', type: 'string', placeholder: 'value', help: 'the commit message' },
    { name: 'checkpoint', short: 'c', type: 'bool', help: 'write checkpoint.json and commit it' },
  ],
  run: async ({ ctx, flags, open }) => {
    let repo;
    try {
      repo = await open();
    } catch (e) {
      if (e instanceof PvrError) throw e;
      throw e;
    }
    const message = typeof flags['message'] === 'string' ? flags['message'] : undefined;
    // One progress line per object: written in blocks, not one system call per line.
    let pending = '';
    const flush = (): void => {
      if (pending) ctx.stderr(pending);
      pending = '';
    };
    try {
      await commitRepo(repo, {
        ...(message !== undefined ? { message } : {}),
        checkpoint: flags['checkpoint'] === true,
        progress: (line) => {
          pending += line;
          if (pending.length >= 65536) flush();
        },
      });
    } finally {
      flush();
    }
    return 0;
  },
});
