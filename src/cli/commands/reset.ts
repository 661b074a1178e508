import { pvrCommand } from '../pvrCommand';
import { checkoutRepo } from '../../platform/repo/checkout';

export const resetCommand = pvrCommand({
  name: 'reset',
  usage: 'pvr reset [command options] [arguments...]',
  summary: 'reset working directory to last checkout',
  description: 'write every file of the committed state into the working tree',
  flags: [
    {
      name: 'canonical',
      short: 'c',
      type: 'bool',
      env: 'PVR_CANONICAL_JSON',
      placeholder: 'PVR_CANONICAL_JSON',
      help: 'write JSON files in canonical form',
    },
    { name: 'hardlink', short: 'hl', type: 'bool', help: 'hard-link objects into the working tree' },
  ],
  run: async ({ flags, open }) => {
    const repo = await open();
    await checkoutRepo(repo, {
      canonical: flags['canonical'] === true,
      hardlink: flags['hardlink'] === true,
    });
    return 0;
  },
});
