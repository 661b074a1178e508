import { deviceEndpointUrl, discoverDevices } from '../../platform/mdns/discoverDevices';
import { bool, parseArgs, str } from '../args';
import { UsageError, type CliCommand } from '../CliContext';

const USAGE = `pvkit discover [--timeout SECONDS] [--json] [--to ADDRESS:PORT]

Looks for Pantavisor devices on the LAN: one mDNS query for _ssh._tcp.local, answered by the
devices whose TXT record has device-id=. Prints one line per device: device-id, address,
service instance and pvr endpoint URL (what "Discover Devices on the LAN" lists in VS Code).

  --timeout SECONDS   how long answers are collected (default 3)
  --json              the devices as JSON
  --to ADDRESS:PORT   send the query there by unicast instead of the mDNS group 224.0.0.251:5353`;

export const discoverCommand: CliCommand = {
  summary: 'find Pantavisor devices on the LAN (mDNS _ssh._tcp with device-id)',
  usage: USAGE,
  run: async (ctx) => {
    const p = parseArgs(ctx.argv, [
      { name: 'timeout', type: 'string' },
      { name: 'json', type: 'boolean' },
      { name: 'to', type: 'string' },
    ]);
    if (p.positionals.length) throw new UsageError(`unexpected argument ${p.positionals[0] ?? ''}`);
    const seconds = Number(str(p, 'timeout') ?? '3');
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600)
      throw new UsageError(`--timeout ${str(p, 'timeout') ?? ''} is not a number of seconds (0-600)`);
    const to = str(p, 'to');
    let destination: { address: string; port: number } | undefined;
    if (to !== undefined) {
      const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(to);
      if (!m?.[1] || !m[2] || Number(m[2]) > 65535)
        throw new UsageError(`--to ${to} is not ADDRESS:PORT (e.g. 127.0.0.1:5353)`);
      destination = { address: m[1], port: Number(m[2]) };
    }
    const found = await discoverDevices({
      ...(destination ? { destination } : {}),
      timeoutMs: seconds * 1000,
      signal: ctx.signal,
      onMalformed: (from, e) => ctx.stderr(`skipped a packet from ${from}: ${e.message}\n`),
    });
    if (bool(p, 'json')) {
      ctx.stdout(
        `${JSON.stringify(
          found.map((d) => ({ ...d, url: deviceEndpointUrl(d) })),
          null,
          2,
        )}\n`,
      );
      return 0;
    }
    if (!found.length) ctx.stderr('No Pantavisor device answered (mDNS _ssh._tcp.local with device-id).\n');
    for (const d of found)
      ctx.stdout(`${d.deviceId}\t${d.addresses[0] ?? d.host}\t${d.instance}\t${deviceEndpointUrl(d)}\n`);
    return 0;
  },
};
