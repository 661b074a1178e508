import { COMMANDS } from './commands/index';
import { UsageError, type CliContext } from './CliContext';

const VERSION = '0.1.0';

function help(): string {
  const names = Object.keys(COMMANDS).sort();
  const width = Math.max(...names.map((n) => n.length));
  return [
    'pvkit: author, validate, convert and push Pantavisor revisions',
    '',
    'Usage: pvkit <command> [flags] [args]',
    '',
    'Commands:',
    ...names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n]?.summary ?? ''}`),
    '',
    'Run "pvkit <command> --help" for a command\'s flags.',
    '',
  ].join('\n');
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdoutBytes?: (bytes: Uint8Array) => Promise<void>;
  stderrBytes?: (bytes: Uint8Array) => void;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** Runs one pvkit invocation and returns its exit code; tests call this with captured streams. */
export async function main(argv: string[], io?: CliIo): Promise<number> {
  const controller = new AbortController();
  const out = io?.stdout ?? ((t: string): void => void process.stdout.write(t));
  const err = io?.stderr ?? ((t: string): void => void process.stderr.write(t));
  // pvr's global option `--config-dir DIR`/`-c DIR` comes before the command (pvr-repo.md §1.1).
  let env = io?.env ?? process.env;
  // Also pvr's `--access-token/-a`, `--repo-baseurl/-r` and `--insecure/-i` (pantavisor-format.md §2.1).
  const GLOBAL: Record<string, string> = {
    c: 'PVR_CONFIG_DIR',
    'config-dir': 'PVR_CONFIG_DIR',
    a: 'PVR_ACCESSTOKEN',
    'access-token': 'PVR_ACCESSTOKEN',
    r: 'PVR_REPO_BASEURL',
    'repo-baseurl': 'PVR_REPO_BASEURL',
  };
  for (;;) {
    const m = /^--?([a-z-]+)(?:=(.*))?$/s.exec(argv[0] ?? '');
    if (m && (m[1] === 'i' || m[1] === 'insecure') && m[2] === undefined) {
      env = { ...env, PVR_INSECURE: '1' };
      argv = argv.slice(1);
      continue;
    }
    const key = m ? GLOBAL[m[1] ?? ''] : undefined;
    if (!m || !key) break;
    const value = m[2] !== undefined ? m[2] : argv[1];
    env = { ...env, [key]: value ?? '' };
    argv = argv.slice(m[2] !== undefined ? 1 : 2);
  }
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    out(help());
    return name ? 0 : 2;
  }
  if (name === 'version' || name === '--version') {
    out(`pvkit ${VERSION}\n`);
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    err(`pvkit: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out(`${cmd.usage}\n`);
    return 0;
  }
  const ctx: CliContext = {
    argv: rest,
    cwd: io?.cwd ?? process.cwd(),
    env,
    stdout: out,
    stderr: err,
    ...(io?.stdoutBytes ? { stdoutBytes: io.stdoutBytes } : {}),
    ...(io?.stderrBytes ? { stderrBytes: io.stderrBytes } : {}),
    signal: io?.signal ?? controller.signal,
  };
  try {
    return await cmd.run(ctx);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`pvkit ${name}: ${e.message}\n\n${cmd.usage}\n`);
      return 2;
    }
    err(`pvkit ${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}
