import { pvrCommand } from '../pvrCommand';
import { initRepo } from '../../platform/repo/init';
import { DEFAULT_SPEC } from '../../platform/repo/Repository';

export const initCommand = pvrCommand({
  name: 'init',
  usage: 'pvr init [command options] [arguments...]',
  summary: 'pvr init',
  description: 'initialize a new pvr repository in the current directory',
  lock: false,
  flags: [
    {
      name: 'objects',
      short: 'o',
      type: 'string',
      env: 'PVR_OBJECTS_DIR',
      placeholder: 'value',
      help: 'objects directory (default: <config-dir>/objects)',
    },
    {
      name: 'spec',
      short: 's',
      type: 'string',
      placeholder: 'value',
      help: `state format spec (default: "${DEFAULT_SPEC}")`,
    },
  ],
  run: async ({ ctx, flags, configDir, open }) => {
    await open(); // pvr opens the repository first: a corrupt one fails with exit 2
    const objects = typeof flags['objects'] === 'string' ? flags['objects'] : undefined;
    const spec = typeof flags['spec'] === 'string' ? flags['spec'] : DEFAULT_SPEC;
    await initRepo(ctx.cwd, { spec, configDir, cwd: ctx.cwd, ...(objects !== undefined ? { objects } : {}) });
    return 0;
  },
});
