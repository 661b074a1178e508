import type { CliCommand } from '../CliContext';
import { sigCommand } from './sig';
import { previewCommand } from './preview';
import { validateCommand } from './validate';
import { doctorCommand } from './doctor';
import { appCommand } from './app';

/**
 * The command table. Each area adds one line here and one file beside this one. pvr-compatible
 * commands keep pvr's names so that scripts written for pvr run unchanged with pvkit.
 */
export const COMMANDS: Record<string, CliCommand> = {
  validate: validateCommand,
  sig: sigCommand,
  doctor: doctorCommand,
  app: appCommand,
  preview: previewCommand,
};
