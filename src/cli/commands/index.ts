import type { CliCommand } from '../CliContext';
import { sigCommand } from './sig';
import { previewCommand } from './preview';
import { validateCommand } from './validate';
import { doctorCommand } from './doctor';
import { appCommand } from './app';
import { addCommand } from './add';
import { cloneCommand } from './clone';
import { commitCommand } from './commit';
import { diffCommand } from './diff';
import { exportCommand } from './export';
import { getCommand } from './get';
import { importCommand } from './import';
import { initCommand } from './init';
import { jsonCommand } from './json';
import { resetCommand } from './reset';
import { statusCommand } from './status';
import { convertCommand } from './convert';
import { postCommand } from './post';
import { serveCommand } from './serve';
import { discoverCommand } from './discover';

/**
 * The command table. Each area adds one line here and one file beside this one. pvr-compatible
 * commands keep pvr's names so that scripts written for pvr run unchanged with pvkit.
 */
export const COMMANDS: Record<string, CliCommand> = {
  validate: validateCommand,
  sig: sigCommand,
  doctor: doctorCommand,
  app: appCommand,
  convert: convertCommand,
  // pvr repository commands with pvr's aliases (export/import have none: pvr's are shadowed).
  ...{ init: initCommand, i: initCommand, add: addCommand, a: addCommand, json: jsonCommand, j: jsonCommand },
  ...{ diff: diffCommand, d: diffCommand, status: statusCommand, s: statusCommand, commit: commitCommand },
  ...{ ci: commitCommand, get: getCommand, g: getCommand, reset: resetCommand, r: resetCommand },
  ...{ checkout: resetCommand, co: resetCommand, clone: cloneCommand, c: cloneCommand },
  ...{ export: exportCommand, import: importCommand },
  preview: previewCommand,
  post: postCommand,
  po: postCommand,
  serve: serveCommand,
  discover: discoverCommand,
};
