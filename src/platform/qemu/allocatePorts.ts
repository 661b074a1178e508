import { createServer } from 'node:net';
import type { ResolvedForward } from '../../core/qemu/buildQemuCommand';
import type { PortForward } from '../../core/qemu/QemuProfile';
import { PreviewError } from './PreviewError';

const HOST = '127.0.0.1';

/** Binds 127.0.0.1:port for a moment; resolves the bound port, or undefined when it is taken. */
export function tryBind(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen({ port, host: HOST, exclusive: true }, () => {
      const addr = srv.address();
      const bound = typeof addr === 'object' && addr ? addr.port : undefined;
      srv.close(() => resolve(bound));
    });
  });
}

/**
 * Chooses host ports on 127.0.0.1 for the forwards. A forward without a host port gets the guest
 * port when it is free (so `12368` stays `12368` on the host when it can), else a free port from the
 * system. A forward that names its host port gets exactly that port or a `port-in-use` error.
 *
 * The ports are released before QEMU binds them, so another program can take one in between; QEMU
 * then fails to set up the forwarding rule, which the launcher reports as the same error.
 */
export async function allocatePorts(forwards: readonly PortForward[]): Promise<ResolvedForward[]> {
  const out: ResolvedForward[] = [];
  const used = new Set<number>();
  // Explicit host ports first, so an automatic choice never takes a port that was asked for.
  const order = [...forwards.keys()].sort(
    (a, b) => Number(forwards[a]?.host === undefined) - Number(forwards[b]?.host === undefined),
  );
  const resolved = new Array<ResolvedForward | undefined>(forwards.length);
  for (const i of order) {
    const f = forwards[i]!;
    let host: number | undefined;
    if (f.host !== undefined) {
      host = used.has(f.host) ? undefined : await tryBind(f.host);
      if (host === undefined) {
        throw new PreviewError(
          'port-in-use',
          `Host port ${HOST}:${f.host} (forwarded to guest port ${f.guest}) cannot be bound: it is in use. ` +
            `Free it, pick another host port, or leave the host port out to have one chosen (e.g. ":${f.guest}").`,
        );
      }
    } else {
      if (!used.has(f.guest)) host = await tryBind(f.guest);
      for (let attempt = 0; host === undefined || used.has(host); attempt++) {
        if (attempt > 20)
          throw new PreviewError('port-in-use', `No free port on ${HOST} for guest port ${f.guest}.`);
        host = await tryBind(0);
      }
    }
    used.add(host);
    resolved[i] = f.name === undefined ? { guest: f.guest, host } : { guest: f.guest, host, name: f.name };
  }
  for (const r of resolved) if (r) out.push(r);
  return out;
}
