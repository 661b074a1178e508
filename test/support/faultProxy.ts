import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A loopback HTTP proxy that forwards to a real endpoint and injects faults chosen per request:
 * a status answer, a connection closed half-way through the request body, or a stall. It lets the
 * client's fault handling be tested against the real server without changing the server.
 */
export type Fault =
  | { kind: 'pass' }
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  | { kind: 'close-mid-body'; afterBytes: number }
  | { kind: 'stall' }
  | { kind: 'delay'; ms: number };

export interface SeenRequest {
  method: string;
  path: string;
}

export class FaultProxy {
  readonly seen: SeenRequest[] = [];
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly target: URL,
    private readonly pick: (r: SeenRequest, index: number) => Fault,
  ) {}

  async start(): Promise<string> {
    const s = http.createServer((req, res) => this.handle(req, res));
    s.on('connection', (c) => {
      this.sockets.add(c);
      c.on('close', () => this.sockets.delete(c));
    });
    this.server = s;
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}/cgi-bin/pvr`;
  }

  async stop(): Promise<void> {
    for (const c of this.sockets) c.destroy();
    const s = this.server;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const r = { method: req.method ?? 'GET', path: req.url ?? '/' };
    const fault = this.pick(r, this.seen.length);
    this.seen.push(r);
    if (fault.kind === 'status') {
      req.resume();
      req.on('end', () => {
        res.writeHead(fault.status, { 'Content-Type': 'application/json', ...fault.headers });
        res.end(JSON.stringify({ error: `injected ${fault.status}` }));
      });
      return;
    }
    if (fault.kind === 'stall') {
      req.resume(); // read the request, never answer
      return;
    }
    if (fault.kind === 'close-mid-body') {
      let n = 0;
      req.on('data', (c: Buffer) => {
        n += c.length;
        if (n >= fault.afterBytes) req.socket.destroy();
      });
      req.on('end', () => req.socket.destroy());
      return;
    }
    const forward = (): void => {
      // The Host header is kept, so the absolute URLs the endpoint hands out point back here.
      const up = http.request(
        {
          host: this.target.hostname,
          port: this.target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (ur) => {
          res.writeHead(ur.statusCode ?? 502, ur.headers);
          ur.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      req.pipe(up);
    };
    if (fault.kind === 'delay') setTimeout(forward, fault.ms);
    else forward();
  }
}
