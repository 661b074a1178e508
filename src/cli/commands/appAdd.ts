import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import type { Json } from '../../core/image/srcJson';
import { addApp, updateApp, type ImportProgress, type ImportResult } from '../../platform/image/importImage';
import { importProgressLines } from '../../platform/image/progressLines';
import { bool, list, parseArgs, str, type FlagSpec } from '../args';
import { UsageError, type CliContext } from '../CliContext';

/** Same shape as the `pvkit app` sub-command table, so `add` and `update` slot into it. */
export interface AppImageSubcommand {
  summary: string;
  usage: string;
  aliases: string[];
  run: (ctx: CliContext, argv: string[]) => Promise<number>;
}

const COMMON: FlagSpec[] = [
  { name: 'username', short: 'u', type: 'string', env: 'PVR_REGISTRY_USERNAME' },
  { name: 'password', short: 'p', type: 'string', env: 'PVR_REGISTRY_PASSWORD' },
  { name: 'platform', type: 'string', env: 'PVR_PLATFORM' },
  { name: 'type', short: 't', type: 'string', env: 'PVR_SOURCE_TYPE' },
  { name: 'runlevel', type: 'string', env: 'PVR_RUNLEVEL' },
  { name: 'base', type: 'string', env: 'PVR_APP_ADD_BASE' },
  { name: 'docker-host', type: 'string', env: 'PVKIT_DOCKER_HOST' },
];

/** Progress on stderr: a line per layer and phase, and a running count at most once a second. */
function progressPrinter(ctx: CliContext): (p: ImportProgress) => void {
  return importProgressLines((l) => ctx.stderr(`${l}\n`));
}

/** The template mode `pvkit app install` uses (PVKIT_TEMPLATE_COMPAT), for the files add/update render. */
function compat(ctx: CliContext): { templateCompat?: 'fixed' | 'pvr037' } {
  const v = ctx.env['PVKIT_TEMPLATE_COMPAT'];
  return v === 'fixed' || v === 'pvr037' ? { templateCompat: v } : {};
}

function checkType(t: string | undefined): void {
  if (t && t !== 'docker')
    throw new UsageError(
      `--type ${t}: pvkit imports container images only (type docker); use pvr for -t ${t}`,
    );
}

function report(ctx: CliContext, r: ImportResult): void {
  for (const w of r.warnings) ctx.stderr(`WARNING: ${w}\n`);
}

export const appAddSubcommand: AppImageSubcommand = {
  summary: 'add an app from a container image (registry, local engine or archive), as pvr app add',
  aliases: ['aa'],
  usage: `Usage: pvkit app add <name> --from <image> [--platform os/arch[/variant]] [--source remote,local]
       [--group G | --runlevel R] [--restart-policy P] [--status-goal G] [--arg K=V]...
       [--volume PATH:PERSISTENCE]... [--format-options "-comp xz"] [--config-json FILE] [-u USER -p PASS]

Run in the root of a pvr checkout, as pvr is. <image> is a reference as pvr takes it (nginx:1.25,
registry.example.com/app@sha256:…) or an archive: docker-archive:FILE[:name:tag], oci-archive:FILE[:tag],
oci:DIR[:tag]. Writes <name>/src.json, <name>/root.squashfs and <name>/root.squashfs.docker-digest.
The local engine is found through --docker-host, DOCKER_HOST or the Docker context.

Exit: 0 added, 2 no name, 3 failure, 4 no --from, 5 --group with --runlevel.`,
  async run(ctx, argv) {
    const p = parseArgs(
      argv,
      [
        ...COMMON,
        { name: 'from', type: 'string', env: 'PVR_FROM' },
        { name: 'source', type: 'string', env: 'PVR_SOURCE' },
        { name: 'group', type: 'string', env: 'PVR_GROUP' },
        { name: 'restart-policy', type: 'string', env: 'PVR_RESTART_POLICY' },
        { name: 'status-goal', type: 'string', env: 'PVR_STATUS_GOAL' },
        { name: 'config-json', type: 'string', env: 'PVR_CONFIG_JSON' },
        { name: 'arg', type: 'list', env: 'PVR_TEMPLATE_ARG' },
        { name: 'volume', type: 'list', env: 'PVR_PERSISTENCE_VOLUME' },
        { name: 'format-options', short: 'o', type: 'string', env: 'PVR_FORMAT_OPTIONS' },
      ],
      ctx.env,
    );
    const name = p.positionals[0];
    if (!name) {
      ctx.stderr('app-add needs application name argument. See --help\n');
      return 2;
    }
    checkType(str(p, 'type'));
    const from = str(p, 'from');
    if (!from) {
      ctx.stderr('ERROR:  --from flag is required (e.g. --from=nginx)\n');
      return 4;
    }
    if (str(p, 'group') && str(p, 'runlevel')) {
      ctx.stderr('ERROR: you must not use --runlevel and --group at the same time\n');
      return 5;
    }
    if (str(p, 'base')) throw new UsageError('--base (overlay apps) is not supported by pvkit yet; use pvr');
    try {
      let configJson: Record<string, Json> | undefined;
      const cj = str(p, 'config-json');
      if (cj)
        configJson = JSON.parse(await fs.readFile(resolve(ctx.cwd, cj), 'utf8')) as Record<string, Json>;
      const opt = (k: string): Record<string, string> => {
        const v = str(p, k);
        return v !== undefined ? { [k.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase())]: v } : {};
      };
      const r = await addApp({
        checkout: ctx.cwd,
        cwd: ctx.cwd,
        app: name,
        from,
        source: str(p, 'source') ?? 'remote,local',
        args: list(p, 'arg'),
        volumes: list(p, 'volume'),
        signal: ctx.signal,
        env: ctx.env,
        onProgress: progressPrinter(ctx),
        ...compat(ctx),
        ...opt('platform'),
        ...opt('group'),
        ...opt('runlevel'),
        ...opt('restart-policy'),
        ...opt('status-goal'),
        ...opt('format-options'),
        ...opt('username'),
        ...opt('password'),
        ...(str(p, 'docker-host') ? { dockerHost: str(p, 'docker-host') } : {}),
        ...(configJson ? { configJson } : {}),
      });
      report(ctx, r);
      ctx.stdout('Application added\n');
      return 0;
    } catch (e) {
      if (e instanceof UsageError) throw e;
      ctx.stderr(`ERROR: ${(e as Error).message}\n`);
      return ctx.signal.aborted ? 130 : 3;
    }
  },
};

export const appUpdateSubcommand: AppImageSubcommand = {
  summary: 'update an app to the current image of its reference (or --from), as pvr app update',
  aliases: ['au'],
  usage: `Usage: pvkit app update <name> [--from <image>] [--platform P] [--source remote,local] [-u USER -p PASS]

Re-resolves the image of <name>/src.json (the tag may have moved; --from names another image),
updates src.json and regenerates root.squashfs when the digest changed. Run in the checkout root.

Exit: 0 updated, 2 no name, 3 failure, 4 unreadable src.json.`,
  async run(ctx, argv) {
    const p = parseArgs(
      argv,
      [
        ...COMMON,
        { name: 'from', type: 'string', env: 'PVR_APP_FROM' },
        { name: 'source', type: 'string', env: 'PVR_SOURCE' },
        { name: 'newbase', type: 'boolean', env: 'PVR_APP_UPDATE_PATCH_CLEAN' },
        { name: 'patch', type: 'boolean', env: 'PVR_APP_UPDATE_PATCH' },
      ],
      ctx.env,
    );
    const name = p.positionals[0];
    if (!name) {
      ctx.stderr('app-update needs application argument. See --help\n');
      return 2;
    }
    checkType(str(p, 'type'));
    if (bool(p, 'patch') || str(p, 'base'))
      throw new UsageError('--patch/--base (overlay apps) are not supported by pvkit yet; use pvr');
    try {
      await fs.access(resolve(ctx.cwd, name, 'src.json'));
    } catch {
      ctx.stderr(`ERROR: ${resolve(ctx.cwd, name, 'src.json')} not found\n`);
      return 4;
    }
    try {
      const r = await updateApp({
        checkout: ctx.cwd,
        cwd: ctx.cwd,
        app: name,
        signal: ctx.signal,
        env: ctx.env,
        onProgress: progressPrinter(ctx),
        ...compat(ctx),
        ...(str(p, 'from') ? { from: str(p, 'from') } : {}),
        ...(str(p, 'platform') ? { platform: str(p, 'platform') } : {}),
        ...(str(p, 'source') ? { source: str(p, 'source') } : {}),
        ...(str(p, 'username') ? { username: str(p, 'username') } : {}),
        ...(str(p, 'password') ? { password: str(p, 'password') } : {}),
        ...(str(p, 'docker-host') ? { dockerHost: str(p, 'docker-host') } : {}),
      });
      report(ctx, r);
      ctx.stdout('Application updated\n');
      return 0;
    } catch (e) {
      if (e instanceof UsageError) throw e;
      ctx.stderr(`ERROR: ${(e as Error).message}\n`);
      return ctx.signal.aborted ? 130 : 3;
    }
  },
};
