import { pvrCommand } from '../pvrCommand';
import { computeWorkingState, diffText, statePatch } from '../../platform/repo/workingState';

export const diffCommand = pvrCommand({
  name: 'diff',
  usage: 'pvr diff [arguments...]',
  summary: 'diff working changes against last checked out revision',
  description: 'print the JSON merge patch from the committed state to the working state',
  flags: [],
  run: async ({ ctx, open }) => {
    const repo = await open();
    const w = await computeWorkingState(repo);
    ctx.stdout(diffText(statePatch(repo, w.state)));
    return 0;
  },
});
