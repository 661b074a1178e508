import type { CliCommand } from '../CliContext';

export const validateCommand: CliCommand = {
  summary: 'Validate Pantavisor revisions (state files or pvr checkouts)',
  usage: 'pvkit validate [PATH...]',
  run: (ctx) => {
    ctx.stderr('not yet\n');
    return Promise.resolve(1);
  },
};
