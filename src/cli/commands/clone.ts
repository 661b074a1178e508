import { pvrCommand } from '../pvrCommand';
import { cloneRepo } from '../../platform/repo/getClone';
import { DEFAULT_SPEC } from '../../platform/repo/Repository';

export const cloneCommand = pvrCommand({
  name: 'clone',
  usage: 'pvr clone [command options] <repository> [directory]',
  summary: 'clone repository to a new target directory',
  description: 'create a new repository from a .pvr directory or an export tarball and check it out',
  lock: false,
  flags: [
    {
      name: 'objects',
      short: 'o',
      type: 'string',
      env: 'PVR_OBJECTS_DIR',
      placeholder: 'value',
      help: 'objects directory',
    },
    {
      name: 'canonical',
      short: 'c',
      type: 'bool',
      env: 'PVR_CANONICAL_JSON',
      placeholder: 'PVR_CANONICAL_JSON',
      help: 'check out JSON files in canonical form',
    },
    { name: 'spec', short: 's', type: 'string', placeholder: 'value', help: 'state format spec' },
  ],
  run: async ({ ctx, flags, args, configDir, stderrBytes }) => {
    const objects = typeof flags['objects'] === 'string' ? flags['objects'] : undefined;
    const target = await cloneRepo(args, {
      cwd: ctx.cwd,
      env: ctx.env,
      configDir,
      spec: typeof flags['spec'] === 'string' ? flags['spec'] : DEFAULT_SPEC,
      canonical: flags['canonical'] === true,
      stdout: ctx.stdout,
      stderr: stderrBytes,
      ...(objects !== undefined ? { objects } : {}),
    });
    ctx.stdout(`Successfully cloned: ${target}\n`);
    return 0;
  },
});
