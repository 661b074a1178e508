import { resolve } from 'node:path';
import { DeviceEndpoint } from '../../platform/remote/DeviceEndpoint';
import { bool, parseArgs, str, type FlagSpec } from '../args';
import { UsageError, type CliCommand } from '../CliContext';

const FLAGS: FlagSpec[] = [
  { name: 'port', short: 'p', type: 'string' },
  { name: 'host', type: 'string' },
  { name: 'allow-remote', type: 'boolean' },
  { name: 'token', type: 'string', env: 'PVKIT_SERVE_TOKEN' },
  { name: 'max-json-mb', type: 'string' },
  { name: 'max-object-mb', type: 'string' },
  { name: 'quiet', short: 'q', type: 'boolean' },
];

const USAGE = `pvkit serve [DIR] [--port 12368] [--host 127.0.0.1] [flags]

A local device endpoint: serves the pvr remote protocol at http://HOST:PORT/cgi-bin/pvr, as a
device's pvr-sdk does, and stores each posted revision as DIR/trails/<N> (objects in DIR/objects).
pvkit and pvr can clone from it and post to it. A stand-in device for CI, demos and tests, or a
local mirror. DIR defaults to the current directory.

  --port, -p PORT        port (default 12368; 0 picks a free one)
  --host ADDR            address to bind (default 127.0.0.1, loopback only)
  --allow-remote         required to bind anything but loopback (prints a warning)
  --token TOKEN          require "Authorization: Bearer TOKEN" (env PVKIT_SERVE_TOKEN)
  --max-json-mb N        largest state post or object record (default 16)
  --max-object-mb N      largest object (default 16384)
  --quiet, -q            no per-request log lines

Prints "Serving DIR at URL" when ready; stops on SIGINT/SIGTERM.`;

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export const serveCommand: CliCommand = {
  summary: 'serve a local device endpoint (pvr remote protocol) for clone and post',
  usage: USAGE,
  run: async (ctx) => {
    const parsed = parseArgs(ctx.argv, FLAGS, ctx.env);
    const { positionals } = parsed;
    if (positionals.length > 1) throw new UsageError('at most one DIR');
    const dir = resolve(ctx.cwd, positionals[0] ?? '.');
    const host = str(parsed, 'host') ?? '127.0.0.1';
    const port = Number(str(parsed, 'port') ?? '12368');
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port ${String(port)} is not a port`);
    if (!isLoopback(host)) {
      if (!bool(parsed, 'allow-remote')) {
        throw new UsageError(
          `--host ${host} would expose the endpoint beyond this machine; add --allow-remote to do that on purpose`,
        );
      }
      ctx.stderr(
        `WARNING: serving on ${host}: anyone who can reach this address can read and post revisions${str(parsed, 'token') ? '' : ' (no --token set)'}\n`,
      );
    }
    const mb = (k: string): number | undefined => {
      const v = str(parsed, k);
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${k} ${v} is not a positive number`);
      return Math.floor(n * 2 ** 20);
    };
    const maxJson = mb('max-json-mb');
    const maxObject = mb('max-object-mb');
    const quiet = bool(parsed, 'quiet');
    const ep = new DeviceEndpoint({
      dir,
      host,
      port,
      token: str(parsed, 'token'),
      ...(maxJson !== undefined ? { maxJsonBytes: maxJson } : {}),
      ...(maxObject !== undefined ? { maxObjectBytes: maxObject } : {}),
      ...(quiet ? {} : { log: (l: string) => ctx.stderr(`${l}\n`) }),
    });
    let url: string;
    try {
      url = await ep.start();
    } catch (e) {
      const code = (e as { code?: string }).code;
      ctx.stderr(
        `pvkit serve: cannot listen on ${host}:${port}: ${(e as Error).message}${code === 'EADDRINUSE' ? ' (the port is in use; pick another with --port, or --port 0)' : ''}\n`,
      );
      return 1;
    }
    ctx.stdout(`Serving ${dir} at ${url}\n`);
    await new Promise<void>((r) => {
      if (ctx.signal.aborted) r();
      ctx.signal.addEventListener('abort', () => r(), { once: true });
    });
    await ep.stop();
    return 0;
  },
};
