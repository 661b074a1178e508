import { pvrCommand } from '../pvrCommand';
import { canonicalJson, indentJson } from '../../core/revision/canonicalJson';
import { computeWorkingState } from '../../platform/repo/workingState';

export const jsonCommand = pvrCommand({
  name: 'json',
  usage: 'pvr json [command options] [arguments...]',
  summary: 'print the json of the working state',
  description: 'print the state JSON computed from the working tree',
  flags: [{ name: 'canonical', short: 'c', type: 'bool', help: 'print canonical JSON' }],
  run: async ({ ctx, flags, open }) => {
    const repo = await open();
    const w = await computeWorkingState(repo);
    const c = canonicalJson(w.state);
    ctx.stdout(`${flags['canonical'] === true ? c : indentJson(c, '\t')}\n`);
    return 0;
  },
});
