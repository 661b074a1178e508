import { mkdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CliCommand, CliContext } from './CliContext';
import { PvrError } from '../platform/repo/PvrError';
import { acquireLock } from '../platform/repo/lock';
import { openRepo, recoverRepo, type Repo } from '../platform/repo/Repository';

/**
 * Shared plumbing of the pvr-compatible commands: pvr's flag syntax (Go `flag` via urfave/cli),
 * its three error styles and exit codes (pvr-repo.md §1.2), the config directory, and the
 * repository lock that serialises pvkit commands.
 */

export interface PvrFlag {
  name: string;
  short?: string;
  type: 'bool' | 'string';
  env?: string;
  help: string;
  /** The placeholder word shown in help (urfave prints the env var name for bool flags). */
  placeholder?: string;
}

export interface PvrCommandSpec {
  name: string;
  usage: string;
  summary: string;
  description: string;
  flags: PvrFlag[];
  /** Takes the lock and recovers an interrupted commit first (default true). */
  lock?: boolean;
  run: (inv: PvrInvocation) => Promise<number>;
}

export interface PvrInvocation {
  ctx: CliContext;
  flags: Record<string, string | boolean>;
  args: string[];
  configDir: string;
  /** Opens the repository at the current directory (exit 2 errors). */
  open: () => Promise<Repo>;
  stderrBytes: (b: Uint8Array) => void;
}

class UsageFailure extends Error {}

const GO_BOOL: Record<string, boolean> = {
  '1': true,
  t: true,
  T: true,
  TRUE: true,
  true: true,
  True: true,
  '0': false,
  f: false,
  F: false,
  FALSE: false,
  false: false,
  False: false,
};

function helpText(spec: PvrCommandSpec): string {
  const lines = [
    'NAME:',
    `   pvr ${spec.name} - ${spec.summary}`,
    '',
    'USAGE:',
    `   ${spec.usage}`,
    '',
    'DESCRIPTION:',
    `   ${spec.description}`,
    '',
  ];
  if (spec.flags.length) {
    lines.push('OPTIONS:');
    for (const f of spec.flags) {
      const ph = f.placeholder !== undefined ? ` ${f.placeholder}` : '';
      const names = [`--${f.name}${ph}`, ...(f.short ? [`-${f.short}${ph}`] : [])].join(', ');
      lines.push(`   ${names}  ${f.help}${f.env ? ` [$${f.env}]` : ''}`);
    }
    lines.push('   ');
  }
  return lines.join('\n') + '\n';
}

/** Go `flag` parsing: flags until the first non-flag argument or `--`; `-x` and `--x` alike. */
function parseFlags(
  spec: PvrCommandSpec,
  argv: string[],
  env: NodeJS.ProcessEnv,
): PvrInvocation['flags'] & { _: string[] } {
  const out: Record<string, string | boolean> = {};
  for (const f of spec.flags) {
    const v = f.env ? env[f.env] : undefined;
    if (v === undefined) continue;
    if (f.type === 'bool') {
      if (v === '') out[f.name] = false;
      else if (v in GO_BOOL) out[f.name] = GO_BOOL[v] ?? false;
      else
        throw new UsageFailure(
          `could not parse "${v}" as bool value for flag ${f.name}${f.short ? `, ${f.short}` : ''}: strconv.ParseBool: parsing "${v}": invalid syntax`,
        );
    } else out[f.name] = v;
  }
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const f = spec.flags.find((x) => x.name === name || x.short === name);
    if (!f) throw new UsageFailure(`flag provided but not defined: -${name}`);
    if (f.type === 'bool') {
      if (eq < 0) out[f.name] = true;
      else {
        const v = body.slice(eq + 1);
        if (!(v in GO_BOOL)) throw new UsageFailure(`invalid boolean value "${v}" for -${name}: parse error`);
        out[f.name] = GO_BOOL[v] ?? false;
      }
    } else if (eq >= 0) out[f.name] = body.slice(eq + 1);
    else {
      const v = argv[++i];
      if (v === undefined) throw new UsageFailure(`flag needs an argument: -${name}`);
      out[f.name] = v;
    }
  }
  return Object.assign(out, { _: argv.slice(i) });
}

/** pvr's config directory (`--config-dir`, `PVR_CONFIG_DIR`, `$HOME/.pvr`), created if missing. */
export function ensureConfigDir(env: NodeJS.ProcessEnv): string {
  const dir = env['PVR_CONFIG_DIR'] || join(env['HOME'] || homedir(), '.pvr');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const cfg = join(dir, 'config.json');
    if (!existsSync(cfg))
      writeFileSync(cfg, '{"Spec":"1","AutoUpgrade":true,"DistributionTag":"develop"}', { mode: 0o600 });
  } catch {
    // pvr carries on without a config directory; commands that need it report their own error.
  }
  return dir;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Builds a pvkit command that behaves like the pvr command `spec.name`. */
export function pvrCommand(spec: PvrCommandSpec): CliCommand {
  return {
    summary: `${spec.summary} (pvr-compatible)`,
    usage: helpText(spec).trimEnd(),
    run: async (ctx) => {
      let parsed: ReturnType<typeof parseFlags>;
      try {
        parsed = parseFlags(spec, ctx.argv, ctx.env);
      } catch (e) {
        if (!(e instanceof UsageFailure)) throw e;
        ctx.stderr(`ERROR: ${e.message}\n`);
        ctx.stdout(`Incorrect Usage: ${e.message}\n\n${helpText(spec)}`);
        return 1;
      }
      const { _: args, ...flags } = parsed;
      const configDir = ensureConfigDir(ctx.env);
      const pvrDir = join(ctx.cwd, '.pvr');
      let release: (() => Promise<void>) | undefined;
      try {
        if (spec.lock !== false && isDir(pvrDir)) {
          const timeout = Number(ctx.env['PVKIT_LOCK_TIMEOUT_MS'] ?? '60000');
          release = await acquireLock(pvrDir, Number.isFinite(timeout) ? timeout : 60000);
          await recoverRepo(pvrDir);
        }
        return await spec.run({
          ctx,
          flags,
          args,
          configDir,
          open: () => openRepo(ctx.cwd, configDir),
          stderrBytes: ctx.stderrBytes ?? ((b) => ctx.stderr(Buffer.from(b).toString('utf8'))),
        });
      } catch (e) {
        if (!(e instanceof PvrError)) throw e;
        ctx.stderr(e.style === 'plain' ? `ERROR: ${e.message}\n` : `${e.message}\n`);
        return e.style === 'plain' ? 1 : e.exitCode;
      } finally {
        await release?.();
      }
    },
  };
}
