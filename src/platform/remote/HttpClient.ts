import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp, constants as fsc } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';

/**
 * The HTTP layer of the pvr remote protocol: bearer tokens, per-request inactivity timeouts,
 * retries with exponential backoff on transient failures (connection errors, timeouts, 5xx),
 * `503`/`429` honouring `Retry-After`, streaming uploads and verified streaming downloads. Every
 * byte of request body that leaves the process is counted in {@link HttpClient.bytesSent}.
 */

export interface HttpClientOptions {
  /** Bearer token sent as `Authorization: Bearer <token>`. */
  token?: string | undefined;
  /** Inactivity timeout of one request in ms (no byte sent or received for this long). */
  timeoutMs?: number;
  /** How many times a transient failure is retried (so at most retries+1 attempts). */
  retries?: number;
  /** First backoff delay in ms; doubles per retry, capped at {@link maxBackoffMs}. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Longest `Retry-After` honoured (ms); longer values are capped. */
  maxRetryAfterMs?: number;
  signal?: AbortSignal | undefined;
  /** Called before each retry (for logs and progress). */
  onRetry?: (info: RetryInfo) => void;
  /** Skip TLS verification (pvr's `--insecure`). */
  insecure?: boolean;
}

export interface RetryInfo {
  method: string;
  url: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A request that failed for good; `status` is set when the server answered. */
export class HttpError extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly status?: number,
    readonly body?: string,
  ) {
    super(message);
  }
}

/** Statuses worth another attempt: the server is busy, restarting or failed this once. */
const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504]);
/** Largest JSON answer we read into memory (a state of a big revision is a few MB). */
const MAX_JSON_RESPONSE = 64 << 20;

class TransientFailure extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    readonly response?: HttpResponse,
  ) {
    super(message);
  }
}

function parseRetryAfter(v: string | string[] | undefined): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (!s) return undefined;
  if (/^\d+$/.test(s.trim())) return Number(s.trim()) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}

function describeStatus(r: HttpResponse): string {
  const text = r.body.toString('utf8').slice(0, 500).trim();
  let detail = text;
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const e = j['error'] ?? j['Error'] ?? j['message'];
    if (typeof e === 'string') detail = e;
  } catch {
    // not JSON: keep the text
  }
  return `${r.status} ${r.statusText}${detail ? `: ${detail}` : ''}`;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** A body to send; a function is called per attempt (a fresh stream each time). */
  body?: Buffer | (() => NodeJS.ReadableStream);
  contentLength?: number;
  /** Where the response body goes instead of memory (downloads). */
  sink?: (res: http.IncomingMessage) => Promise<void>;
  /** Statuses that are an answer, not a failure (default: 2xx). */
  accept?: (status: number) => boolean;
  /** False: a 5xx/timeout is not retried (a request that must not be repeated). */
  idempotent?: boolean;
}

export class HttpClient {
  /** Request-body bytes written to sockets (what a post costs on the wire, headers excluded). */
  bytesSent = 0;
  /** Response-body bytes received. */
  bytesReceived = 0;
  private readonly agentHttp = new http.Agent({ keepAlive: true, maxSockets: 8 });
  private readonly agentHttps: https.Agent;

  constructor(readonly opts: HttpClientOptions = {}) {
    this.agentHttps = new https.Agent({
      keepAlive: true,
      maxSockets: 8,
      rejectUnauthorized: !opts.insecure,
    });
  }

  dispose(): void {
    this.agentHttp.destroy();
    this.agentHttps.destroy();
  }

  /** Sends a request, retrying transient failures; throws {@link HttpError} when it gives up. */
  async request(method: string, url: string, o: RequestOptions = {}): Promise<HttpResponse> {
    const retries = this.opts.retries ?? 5;
    let delay = this.opts.backoffMs ?? 500;
    for (let attempt = 0; ; attempt++) {
      this.opts.signal?.throwIfAborted();
      try {
        const r = await this.once(method, url, o);
        return r;
      } catch (e) {
        if (!(e instanceof TransientFailure) || attempt >= retries) {
          if (e instanceof TransientFailure) {
            throw new HttpError(
              `${method} ${url} failed after ${attempt + 1} attempts: ${e.message}`,
              url,
              e.response?.status,
              e.response?.body.toString('utf8'),
            );
          }
          throw e;
        }
        const wait = Math.min(
          e.retryAfterMs !== undefined ? e.retryAfterMs : delay,
          e.retryAfterMs !== undefined ? (this.opts.maxRetryAfterMs ?? 60_000) : Infinity,
        );
        this.opts.onRetry?.({ method, url, attempt: attempt + 1, delayMs: wait, reason: e.message });
        await sleep(wait, this.opts.signal);
        delay = Math.min(delay * 2, this.opts.maxBackoffMs ?? 10_000);
      }
    }
  }

  /** GET of a JSON document (parsed with JSON.parse; callers needing pvr's decoder re-parse). */
  async getBytes(url: string, accept?: (s: number) => boolean): Promise<HttpResponse> {
    return this.request('GET', url, accept ? { accept } : {});
  }

  /** POSTs a JSON body (already serialised). */
  async postJson(
    url: string,
    body: string | Buffer,
    o: Pick<RequestOptions, 'accept' | 'idempotent'> = {},
  ): Promise<HttpResponse> {
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    return this.request('POST', url, {
      ...o,
      body: buf,
      contentLength: buf.length,
      headers: { 'Content-Type': 'application/json' },
    });
  }

  /**
   * PUTs a file's bytes with Content-Length (pvr uploads objects this way). With `offset`, only
   * the bytes from there are sent, with `Content-Range` (resuming an interrupted upload).
   */
  async putFile(url: string, path: string, size: number, offset = 0): Promise<HttpResponse> {
    return this.request('PUT', url, {
      body: () => createReadStream(path, { highWaterMark: 1 << 20, start: offset }),
      contentLength: size - offset,
      headers: {
        'Content-Type': 'application/octet-stream',
        ...(offset > 0 ? { 'Content-Range': `bytes ${offset}-${size - 1}/${size}` } : {}),
      },
    });
  }

  /**
   * Downloads `url` into `dest` through a temporary file, verifying the sha256 before the rename;
   * a mismatch or an interrupted transfer leaves `dest` untouched. Retries like any request.
   */
  async download(url: string, dest: string, expectSha: string): Promise<number> {
    let size = 0;
    await this.request('GET', url, {
      sink: async (res) => {
        const tmp = `${dest}.${process.pid}.${Math.random().toString(36).slice(2)}.new`;
        const fh = await fsp.open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o644);
        const hash = createHash('sha256');
        let ok = false;
        size = 0;
        try {
          for await (const chunk of res as AsyncIterable<Buffer>) {
            hash.update(chunk);
            size += chunk.length;
            this.bytesReceived += chunk.length;
            let off = 0;
            while (off < chunk.length) off += (await fh.write(chunk, off, chunk.length - off)).bytesWritten;
          }
          await fh.close();
          const actual = hash.digest('hex');
          if (actual !== expectSha) {
            throw new HttpError(
              `object ${expectSha} downloaded from ${url} hashes to ${actual}; nothing was stored`,
              url,
            );
          }
          await fsp.rename(tmp, dest);
          ok = true;
        } finally {
          if (!ok) {
            await fh.close().catch(() => undefined);
            await fsp.rm(tmp, { force: true });
          }
        }
      },
    });
    return size;
  }

  private once(method: string, url: string, o: RequestOptions): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        reject(new HttpError(`not a valid URL: ${url}`, url));
        return;
      }
      const isHttps = u.protocol === 'https:';
      if (!isHttps && u.protocol !== 'http:') {
        reject(new HttpError(`unsupported URL scheme ${u.protocol} in ${url}`, url));
        return;
      }
      const headers: Record<string, string> = { 'User-Agent': 'pvkit', ...o.headers };
      if (this.opts.token) headers['Authorization'] = `Bearer ${this.opts.token}`;
      if (o.contentLength !== undefined) headers['Content-Length'] = String(o.contentLength);
      const timeoutMs = this.opts.timeoutMs ?? 60_000;
      const idempotent = o.idempotent ?? true;
      let settled = false;
      const fail = (e: Error): void => {
        if (settled) return;
        settled = true;
        reject(e);
      };
      const req = (isHttps ? https : http).request(u, {
        method,
        headers,
        agent: isHttps ? this.agentHttps : this.agentHttp,
        ...(this.opts.signal ? { signal: this.opts.signal } : {}),
      });
      req.setTimeout(timeoutMs, () => {
        req.destroy(new TransientFailure(`no answer from the server for ${timeoutMs / 1000}s (timeout)`));
      });
      req.on('error', (e: Error & { code?: string }) => {
        if (e instanceof TransientFailure) {
          fail(idempotent ? e : new HttpError(`${method} ${url}: ${e.message}`, url));
        } else if (this.opts.signal?.aborted) fail(e);
        else if (e.code === 'ECONNREFUSED' || idempotent) {
          // A refused connection never reached the server: always safe to repeat.
          fail(new TransientFailure(`${e.code ?? ''} ${e.message}`.trim()));
        } else fail(new HttpError(`${method} ${url}: ${e.message}`, url));
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const accepted = o.accept ? o.accept(status) : status >= 200 && status < 300;
        const collect = (): Promise<Buffer> =>
          new Promise<Buffer>((res2, rej2) => {
            const parts: Buffer[] = [];
            let n = 0;
            res.on('data', (c: Buffer) => {
              n += c.length;
              this.bytesReceived += c.length;
              if (n > MAX_JSON_RESPONSE) {
                res.destroy(new HttpError(`answer of ${url} is larger than ${MAX_JSON_RESPONSE} bytes`, url));
                return;
              }
              parts.push(c);
            });
            res.on('end', () => res2(Buffer.concat(parts)));
            res.on('error', rej2);
            res.on('aborted', () =>
              rej2(new TransientFailure('the server closed the connection mid-answer')),
            );
          });
        if (accepted && o.sink) {
          // No 'data' listener here: it would start the flow before the sink reads.
          o.sink(res).then(
            () => {
              if (settled) return;
              settled = true;
              resolve({
                status,
                statusText: res.statusMessage ?? '',
                headers: res.headers,
                body: Buffer.alloc(0),
              });
            },
            (e: unknown) => {
              const err =
                e instanceof HttpError ? e : new TransientFailure(`download interrupted: ${String(e)}`);
              fail(err);
            },
          );
          return;
        }
        collect().then(
          (body) => {
            const r: HttpResponse = {
              status,
              statusText: res.statusMessage ?? '',
              headers: res.headers,
              body,
            };
            if (accepted) {
              if (settled) return;
              settled = true;
              resolve(r);
            } else if (TRANSIENT_STATUS.has(status) && (idempotent || status === 503 || status === 429)) {
              const ra =
                status === 503 || status === 429 ? parseRetryAfter(res.headers['retry-after']) : undefined;
              const why =
                status === 503 ? `Endpoint reported Not ready (${describeStatus(r)})` : describeStatus(r);
              fail(new TransientFailure(why, ra, r));
            } else {
              fail(
                new HttpError(`REST call failed. ${describeStatus(r)}`, url, status, body.toString('utf8')),
              );
            }
          },
          (e: unknown) => fail(e instanceof Error ? e : new Error(String(e))),
        );
      });
      const body = o.body;
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) {
        this.bytesSent += body.length;
        req.end(body);
      } else {
        const stream = body();
        stream.on('data', (c: Buffer) => (this.bytesSent += c.length));
        stream.on('error', (e: Error) => req.destroy(e));
        stream.pipe(req);
      }
    });
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('cancelled'));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
