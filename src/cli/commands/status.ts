import { pvrCommand } from '../pvrCommand';
import { computeWorkingState, statePatch, statusText } from '../../platform/repo/workingState';

export const statusCommand = pvrCommand({
  name: 'status',
  usage: 'pvr status [arguments...]',
  summary: 'show status of working tree',
  description: 'show added (A), deleted (D), changed (C) and untracked (?) files',
  flags: [],
  run: async ({ ctx, open }) => {
    const repo = await open();
    const w = await computeWorkingState(repo);
    ctx.stdout(statusText(repo, statePatch(repo, w.state), w.untracked));
    return 0;
  },
});
