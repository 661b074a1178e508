import { promises as fs } from 'node:fs';
import { appAddSubcommand, appUpdateSubcommand } from './appAdd';
import { join } from 'node:path';
import { UsageError, type CliCommand, type CliContext } from '../CliContext';
import { parseArgs, str } from '../args';
import { installApp } from '../../platform/template/installApp';
import { checkoutApps, isApp } from '../../platform/image/importMissingImages';

/** One `pvkit app <sub>` command; it returns its exit code (pvr's codes for pvr's sub-commands). */
export interface AppSubcommand {
  summary: string;
  usage: string;
  aliases?: string[];
  run: (ctx: CliContext, argv: string[]) => Promise<number>;
}

const install: AppSubcommand = {
  summary: 'render <app>/run.json and <app>/lxc.container.conf from <app>/src.json (as pvr 037)',
  usage: [
    'pvkit app install [--compat fixed|pvr037] <app>',
    '',
    'Renders the files pvr app install writes, from <app>/src.json in the current directory (the',
    'repository root). A tracked groups.json at the root gives the default group; a base app is',
    'rendered first. pvkit does not fetch images or build root.squashfs.',
    '',
    '  --compat pvr037  write run.json byte for byte as pvr 037, even where that is invalid JSON',
    '  --compat fixed   (default; env PVKIT_TEMPLATE_COMPAT) correct those files and warn',
    '',
    'Exit: 0 done, 2 missing <app> or unreadable src.json, 3 any other failure (nothing written).',
  ].join('\n'),
  aliases: ['ai'],
  run: async (ctx, argv) => {
    const p = parseArgs(argv, [{ name: 'compat', type: 'string', env: 'PVKIT_TEMPLATE_COMPAT' }], ctx.env);
    const compat = str(p, 'compat') ?? 'fixed';
    if (compat !== 'fixed' && compat !== 'pvr037')
      throw new UsageError(`--compat must be fixed or pvr037, not "${compat}"`);
    const app = p.positionals[0];
    if (!app) {
      ctx.stderr('app-install needs application argument. See --help\n');
      return 2;
    }
    const r = await installApp({ root: ctx.cwd, app, compat });
    for (const { app: a, warning } of r.warnings)
      ctx.stderr(`WARNING: ${a}: ${warning.message} [${warning.code}]\n`);
    for (const n of r.notes) ctx.stderr(`NOTE: ${n}\n`);
    for (const f of r.removed) ctx.stderr(`Removed ${f}\n`);
    if (r.error) {
      ctx.stderr(`${r.error}\n`);
      return r.exitCode;
    }
    ctx.stdout('Application installed\n');
    return 0;
  },
};

const ls: AppSubcommand = {
  summary: 'list the apps of the checkout (directories with a src.json)',
  usage: 'pvkit app ls',
  aliases: ['l'],
  run: async (ctx) => {
    for (const name of await checkoutApps(ctx.cwd)) ctx.stdout(`${name}\n`);
    return 0;
  },
};

const rm: AppSubcommand = {
  summary: 'remove an app directory from the checkout',
  usage: 'pvkit app rm <app>',
  aliases: ['r'],
  run: async (ctx, argv) => {
    const app = (argv[0] ?? '').replace(/^\/+|\/+$/g, '');
    if (!app) {
      ctx.stderr('app-rm needs application argument. See --help\n');
      return 2;
    }
    if (app.split('/').some((s) => s === '..' || s === '.') || !(await isApp(ctx.cwd, app))) {
      ctx.stderr(`${app}: not an app of this checkout (no ${app}/src.json)\n`);
      return 3;
    }
    await fs.rm(join(ctx.cwd, app), { recursive: true, force: true });
    return 0;
  },
};

/**
 * The sub-commands. pvr's other `app` commands (`add`, `update`, `info`) are added here by the
 * areas that implement them; aliases are pvr's.
 */
export const APP_SUBCOMMANDS: Record<string, AppSubcommand> = {
  install,
  ls,
  rm,
  add: appAddSubcommand,
  update: appUpdateSubcommand,
};

function findSub(name: string): AppSubcommand | undefined {
  return APP_SUBCOMMANDS[name] ?? Object.values(APP_SUBCOMMANDS).find((s) => s.aliases?.includes(name));
}

function help(): string {
  const names = Object.keys(APP_SUBCOMMANDS);
  const width = Math.max(...names.map((n) => n.length));
  return [
    'Usage: pvkit app <command> [flags] [args]',
    '',
    ...names.map((n) => `  ${n.padEnd(width)}  ${APP_SUBCOMMANDS[n]?.summary ?? ''}`),
  ].join('\n');
}

export const appCommand: CliCommand = {
  summary: 'manage the apps (containers) of a pvr checkout: add, update, install, ls, rm',
  get usage(): string {
    return help();
  },
  run: async (ctx) => {
    const [name, ...rest] = ctx.argv;
    if (!name) {
      ctx.stderr(`${help()}\n`);
      return 2;
    }
    const sub = findSub(name);
    if (!sub) throw new UsageError(`unknown app command "${name}"`);
    if (rest.includes('--help') || rest.includes('-h')) {
      ctx.stdout(`${sub.usage}\n`);
      return 0;
    }
    return sub.run(ctx, rest);
  },
};
