import * as dgram from 'node:dgram';
import { isIPv4 } from 'node:net';
import {
  DnsFormatError,
  PANTAVISOR_SERVICE,
  TYPE,
  decodeMessage,
  devicesFromRecords,
  encodeQuery,
  type DiscoveredDevice,
  type DnsRecord,
} from '../../core/mdns/dnsMessage';
import { DEVICE_PATH, DEVICE_PORT } from '../remote/remoteUrl';

/** The mDNS group and port (RFC 6762). */
export const MDNS_GROUP = { address: '224.0.0.251', port: 5353 } as const;

export interface DiscoverOptions {
  /**
   * Where the query goes: the mDNS group by default. Tests point it at a responder of their own
   * on 127.0.0.1, so no packet leaves the machine.
   */
  destination?: { address: string; port: number };
  /** How long answers are collected (ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The service to browse (default `_ssh._tcp.local`, which Pantavisor devices announce). */
  service?: string;
  /** Packets that could not be decoded (they are skipped; the caller may log them). */
  onMalformed?: (from: string, error: DnsFormatError) => void;
}

/**
 * Browses the LAN for Pantavisor devices: sends one mDNS query for PTR `_ssh._tcp.local` from an
 * ephemeral port (a "one-shot" querier, RFC 6762 §5.1, so it never competes with avahi for
 * port 5353; responders answer such queries by unicast to that port, §6.7), with the QU bit set,
 * collects the answers for `timeoutMs`, and returns the devices whose TXT record has
 * `device-id=`. Malformed packets are reported and skipped. Cancelling resolves with what was
 * found so far.
 */
export async function discoverDevices(opts: DiscoverOptions = {}): Promise<DiscoveredDevice[]> {
  const dest = opts.destination ?? MDNS_GROUP;
  const service = opts.service ?? PANTAVISOR_SERVICE;
  const sock = dgram.createSocket({ type: isIPv4(dest.address) ? 'udp4' : 'udp6' });
  const records: DnsRecord[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, () => {
        sock.off('error', reject);
        resolve();
      });
    });
    if (dest.address === MDNS_GROUP.address) sock.setMulticastTTL(255);
    sock.on('message', (msg, rinfo) => {
      try {
        const m = decodeMessage(msg);
        if (m.isResponse) records.push(...m.answers, ...m.additionals);
      } catch (e) {
        if (e instanceof DnsFormatError) opts.onMalformed?.(`${rinfo.address}:${rinfo.port}`, e);
        else throw e;
      }
    });
    const query = encodeQuery([{ name: service, type: TYPE.PTR, unicastResponse: true }]);
    await new Promise<void>((resolve, reject) =>
      sock.send(query, dest.port, dest.address, (e) => (e ? reject(e) : resolve())),
    );
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, opts.timeoutMs ?? 2000);
      function done(): void {
        clearTimeout(t);
        opts.signal?.removeEventListener('abort', done);
        resolve();
      }
      if (opts.signal?.aborted) done();
      else opts.signal?.addEventListener('abort', done, { once: true });
    });
  } finally {
    sock.close();
  }
  return devicesFromRecords(records, service);
}

/** The pvr endpoint of a discovered device (pvr-sdk serves it on its first address). */
export function deviceEndpointUrl(d: DiscoveredDevice): string {
  const a = d.addresses[0] ?? d.host;
  return `http://${a.includes(':') ? `[${a}]` : a}:${DEVICE_PORT}${DEVICE_PATH}`;
}
