import { pvrCommand } from '../pvrCommand';
import { addFiles } from '../../platform/repo/add';

export const addCommand = pvrCommand({
  name: 'add',
  usage: 'pvr add [command options] [files]',
  summary: 'add all or selected files to set of pvr tracked files.',
  description: 'add files to .pvr/tracking.json until the next commit',
  flags: [
    {
      name: 'raw',
      short: 'r',
      type: 'bool',
      env: 'PVR_ADD_RAW',
      placeholder: 'PVR_ADD_RAW',
      help: 'Use PVR_ADD_RAW to mark all files to be committed as objects (including .json)',
    },
  ],
  run: async ({ ctx, flags, args, open }) => {
    const repo = await open();
    await addFiles(repo, args, flags['raw'] === true, ctx.stderr);
    return 0;
  },
});
