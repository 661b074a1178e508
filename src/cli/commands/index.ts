import type { CliCommand } from '../CliContext';
import { validateCommand } from './validate';
import { doctorCommand } from './doctor';
import { appCommand } from './app';

/**
 * The command table. Each area adds one line here and one file beside this one. pvr-compatible
 * commands keep pvr's names so that scripts written for pvr run unchanged with pvkit.
 */
export const COMMANDS: Record<string, CliCommand> = {
  validate: validateCommand,
  doctor: doctorCommand,
  app: appCommand,
};
