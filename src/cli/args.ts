import { UsageError } from './CliContext';

export interface FlagSpec {
  /** Long name without dashes, e.g. `format`. */
  name: string;
  short?: string;
  /** `boolean` flags take no value; `string` flags take one; `list` flags may repeat. */
  type: 'boolean' | 'string' | 'list';
  /** Environment variable that supplies a default, as pvr does (`PVR_*`). */
  env?: string;
}

export interface ParsedArgs {
  flags: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/**
 * Parses `--name value`, `--name=value`, `-n value` and `--` the way urfave/cli (pvr) and most
 * tools do. Unknown flags are usage errors.
 */
export function parseArgs(
  argv: readonly string[],
  specs: readonly FlagSpec[],
  env: NodeJS.ProcessEnv = {},
): ParsedArgs {
  const flags: ParsedArgs['flags'] = {};
  const positionals: string[] = [];
  const byName = new Map<string, FlagSpec>();
  for (const s of specs) {
    byName.set(s.name, s);
    if (s.short) byName.set(s.short, s);
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      positionals.push(a);
      continue;
    }
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`unknown flag: ${a}`);
    if (spec.type === 'boolean') {
      flags[spec.name] = eq >= 0 ? body.slice(eq + 1) !== 'false' : true;
      continue;
    }
    let value: string | undefined = eq >= 0 ? body.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`flag ${a} needs a value`);
    if (spec.type === 'list') {
      const prev = flags[spec.name];
      flags[spec.name] = [...(Array.isArray(prev) ? prev : []), value];
    } else {
      flags[spec.name] = value;
    }
    value = undefined;
  }
  for (const s of specs) {
    if (flags[s.name] === undefined && s.env && env[s.env] !== undefined && env[s.env] !== '') {
      const v = env[s.env] ?? '';
      flags[s.name] = s.type === 'boolean' ? v !== 'false' && v !== '0' : s.type === 'list' ? [v] : v;
    }
  }
  return { flags, positionals };
}

export function str(p: ParsedArgs, name: string): string | undefined {
  const v = p.flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function bool(p: ParsedArgs, name: string): boolean {
  return p.flags[name] === true;
}

export function list(p: ParsedArgs, name: string): string[] {
  const v = p.flags[name];
  return Array.isArray(v) ? v : [];
}
