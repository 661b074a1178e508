import { createHash } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { isLoopbackRegistry } from '../../core/image/imageRef';

/** Credentials for `-u/-p` (pvr's PVR_REGISTRY_USERNAME / PVR_REGISTRY_PASSWORD). */
export interface RegistryAuth {
  username?: string;
  password?: string;
}

export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const ACCEPT_MANIFESTS = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/**
 * A registry (Docker Registry HTTP API v2 / OCI distribution) client over node:http(s): anonymous
 * or token auth (the `WWW-Authenticate: Bearer realm=…` dance, with Basic credentials when given),
 * Basic auth, redirects to blob storage, and blob downloads streamed to disk and hashed on the way.
 * Loopback registries are spoken to over plain HTTP, as Docker does by default.
 */
export class RegistryClient {
  readonly base: string;
  private authHeader: string | undefined;

  constructor(
    readonly domain: string,
    private readonly auth: RegistryAuth = {},
    private readonly signal?: AbortSignal,
  ) {
    const host = domain === 'docker.io' ? 'registry-1.docker.io' : domain;
    this.base = `${isLoopbackRegistry(domain) ? 'http' : 'https'}://${host}`;
  }

  private raw(url: string, headers: Record<string, string>, method = 'GET'): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const u = new URL(url);
      const mod = u.protocol === 'https:' ? https : http;
      const req = mod.request(
        u,
        { method, headers, ...(this.signal ? { signal: this.signal } : {}) },
        resolve,
      );
      req.setTimeout(60_000, () => req.destroy(new Error(`no answer from ${u.host} for 60 s`)));
      req.on('error', reject);
      req.end();
    });
  }

  private async drain(res: http.IncomingMessage, max = 64 * 1024): Promise<Buffer> {
    const parts: Buffer[] = [];
    let n = 0;
    for await (const c of res as AsyncIterable<Buffer>) {
      n += c.length;
      if (n <= max) parts.push(c);
    }
    return Buffer.concat(parts);
  }

  /** Gets a bearer token for the challenge of a 401 answer. */
  private async authenticate(challenge: string, scope: string): Promise<void> {
    const basic =
      this.auth.username !== undefined
        ? `Basic ${Buffer.from(`${this.auth.username}:${this.auth.password ?? ''}`).toString('base64')}`
        : undefined;
    if (/^\s*basic/i.test(challenge)) {
      if (!basic)
        throw new RegistryError(
          `${this.domain}: the registry wants a user name and password (--username/--password)`,
          401,
        );
      this.authHeader = basic;
      return;
    }
    const params: Record<string, string> = {};
    for (const m of challenge.matchAll(/(\w+)="([^"]*)"/g)) params[(m[1] ?? '').toLowerCase()] = m[2] ?? '';
    const realm = params['realm'];
    if (!/^\s*bearer/i.test(challenge) || !realm)
      throw new RegistryError(`${this.domain}: unsupported authentication challenge "${challenge}"`, 401);
    const u = new URL(realm);
    if (params['service']) u.searchParams.set('service', params['service']);
    u.searchParams.set('scope', params['scope'] ?? scope);
    const res = await this.raw(u.toString(), basic ? { Authorization: basic } : {});
    const body = await this.drain(res, 1024 * 1024);
    if (res.statusCode !== 200)
      throw new RegistryError(
        `${this.domain}: the token service ${u.host} answered ${res.statusCode}${res.statusCode === 401 ? ' (wrong user name or password?)' : ''}`,
        res.statusCode,
      );
    let tok: { token?: string; access_token?: string };
    try {
      tok = JSON.parse(body.toString('utf8')) as typeof tok;
    } catch {
      throw new RegistryError(`${this.domain}: the token service did not answer JSON`);
    }
    const t = tok.token ?? tok.access_token;
    if (!t) throw new RegistryError(`${this.domain}: the token service gave no token`);
    this.authHeader = `Bearer ${t}`;
  }

  /** GET with auth and redirects; returns a 200 answer or throws naming the status. */
  async get(path: string, repo: string, accept?: string): Promise<http.IncomingMessage> {
    let url = `${this.base}${path}`;
    let authed = false;
    for (let hop = 0; hop < 8; hop++) {
      const sameHost = new URL(url).host === new URL(this.base).host;
      const headers: Record<string, string> = { 'User-Agent': 'pvkit' };
      if (accept) headers['Accept'] = accept;
      if (this.authHeader && sameHost) headers['Authorization'] = this.authHeader;
      const res = await this.raw(url, headers);
      const status = res.statusCode ?? 0;
      if (status === 200) return res;
      if ([301, 302, 303, 307, 308].includes(status) && res.headers.location) {
        res.resume();
        url = new URL(res.headers.location, url).toString();
        continue;
      }
      const body = (await this.drain(res)).toString('utf8').slice(0, 300);
      if (status === 401 && sameHost && !authed && res.headers['www-authenticate']) {
        authed = true;
        await this.authenticate(res.headers['www-authenticate'], `repository:${repo}:pull`);
        continue;
      }
      const what = `${this.domain}/${repo}: GET ${path}`;
      if (status === 401 || status === 403)
        throw new RegistryError(
          `${what}: access denied (${status}); log in with --username/--password or check the name`,
          status,
        );
      if (status === 404) throw new RegistryError(`${what}: not found (404)`, status);
      throw new RegistryError(
        `${what}: the registry answered ${status}${body ? `: ${body.trim()}` : ''}`,
        status,
      );
    }
    throw new RegistryError(`${this.domain}/${repo}: too many redirects for ${path}`);
  }

  async manifest(
    repo: string,
    reference: string,
  ): Promise<{ body: Buffer; mediaType: string; digest?: string }> {
    const res = await this.get(`/v2/${repo}/manifests/${reference}`, repo, ACCEPT_MANIFESTS);
    const body = await this.drain(res, 4 * 1024 * 1024);
    const r: { body: Buffer; mediaType: string; digest?: string } = {
      body,
      mediaType: String(res.headers['content-type'] ?? '').split(';')[0] ?? '',
    };
    const d = res.headers['docker-content-digest'];
    if (typeof d === 'string') r.digest = d;
    return r;
  }

  async blob(repo: string, digest: string, max = 64 * 1024 * 1024): Promise<Buffer> {
    const res = await this.get(`/v2/${repo}/blobs/${digest}`, repo);
    const b = await this.drain(res, max + 1);
    if (b.length > max)
      throw new RegistryError(`${this.domain}/${repo}: blob ${digest} is larger than ${max} bytes`);
    return b;
  }

  /**
   * Streams a blob into `file`, hashing it on the way; throws (and removes the file) when the
   * connection closes early, the size differs from `size`, or the digest does not match.
   */
  async blobToFile(
    repo: string,
    digest: string,
    file: string,
    size: number | undefined,
    onBytes: (n: number) => void,
  ): Promise<void> {
    const out = createWriteStream(file);
    try {
      const res = await this.get(`/v2/${repo}/blobs/${digest}`, repo);
      const hash = createHash('sha256');
      let n = 0;
      const expected = size ?? Number(res.headers['content-length'] ?? NaN);
      await new Promise<void>((resolve, reject) => {
        // Also after a cancel destroyed it (a queued write then fails): never an uncaught error.
        out.on('error', (e) => reject(new Error(`cannot write ${file}: ${e.message}`)));
        res.on('data', (c: Buffer) => {
          n += c.length;
          hash.update(c);
          onBytes(n);
          if (!out.write(c)) {
            res.pause();
            out.once('drain', () => res.resume());
          }
        });
        res.on('aborted', () =>
          reject(
            new Error(
              `the connection closed after ${n} of ${Number.isFinite(expected) ? expected : '?'} bytes`,
            ),
          ),
        );
        res.on('error', (e) => reject(new Error(`download failed after ${n} bytes: ${e.message}`)));
        res.on('end', () => {
          if (!res.complete)
            reject(
              new Error(
                `the connection closed after ${n} of ${Number.isFinite(expected) ? expected : '?'} bytes`,
              ),
            );
          else resolve();
        });
      });
      await new Promise<void>((resolve, reject) =>
        out.end((e?: Error | null) => (e ? reject(e) : resolve())),
      );
      if (Number.isFinite(expected) && n !== expected)
        throw new Error(`got ${n} bytes, expected ${expected}`);
      const got = `sha256:${hash.digest('hex')}`;
      if (got !== digest) throw new Error(`digest mismatch: the data hashes to ${got}, expected ${digest}`);
    } catch (e) {
      out.destroy();
      await fs.rm(file, { force: true });
      if (e instanceof RegistryError) throw e;
      throw new Error(`download failed: ${(e as Error).message}`);
    }
  }
}
