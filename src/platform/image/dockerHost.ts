import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DockerOptions } from 'dockerode';

/** Where the Docker-compatible engine was found, and why (for the log and error messages). */
export interface DockerEndpoint {
  host: string;
  from: 'setting' | 'DOCKER_HOST' | 'context' | 'default';
  options: DockerOptions;
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The host of a Docker CLI context (`~/.docker/contexts/meta/<sha256(name)>/meta.json`). */
function contextHost(env: NodeJS.ProcessEnv): string | undefined {
  const dir = env['DOCKER_CONFIG'] ?? join(homedir(), '.docker');
  const name =
    env['DOCKER_CONTEXT'] ?? (readJson(join(dir, 'config.json'))?.['currentContext'] as string | undefined);
  if (!name || name === 'default') return undefined;
  const id = createHash('sha256').update(name).digest('hex');
  const meta = readJson(join(dir, 'contexts', 'meta', id, 'meta.json'));
  const endpoints = meta?.['Endpoints'] as Record<string, { Host?: string }> | undefined;
  return endpoints?.['docker']?.Host;
}

/** dockerode options for a `unix://`, `tcp://`, `http(s)://` or `ssh://` host. */
export function dockerOptions(host: string, env: NodeJS.ProcessEnv = process.env): DockerOptions {
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  if (host.startsWith('npipe://')) return { socketPath: host.slice('npipe://'.length) };
  if (host.startsWith('/')) return { socketPath: host };
  const u = new URL(host.replace(/^tcp:/, env['DOCKER_TLS_VERIFY'] ? 'https:' : 'http:'));
  if (u.protocol === 'ssh:') {
    const o: DockerOptions = { protocol: 'ssh', host: u.hostname, port: u.port ? Number(u.port) : 22 };
    if (u.username) o.username = u.username;
    return o;
  }
  const tls = u.protocol === 'https:';
  const o: DockerOptions = {
    protocol: tls ? 'https' : 'http',
    host: u.hostname,
    port: u.port ? Number(u.port) : tls ? 2376 : 2375,
  };
  const certs = env['DOCKER_CERT_PATH'];
  if (tls && certs) {
    o.ca = readFileSync(join(certs, 'ca.pem'));
    o.cert = readFileSync(join(certs, 'cert.pem'));
    o.key = readFileSync(join(certs, 'key.pem'));
  }
  return o;
}

/**
 * Finds the engine as the docker CLI does, with our setting first: `pantavisor.docker.host`, then
 * `DOCKER_HOST`, then the current Docker context, then the default socket (or Podman's sockets
 * when the Docker socket is absent).
 */
export function resolveDockerHost(
  setting: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): DockerEndpoint {
  const pick = (host: string, from: DockerEndpoint['from']): DockerEndpoint => ({
    host,
    from,
    options: dockerOptions(host, env),
  });
  if (setting?.trim()) return pick(setting.trim(), 'setting');
  if (env['DOCKER_HOST']) return pick(env['DOCKER_HOST'], 'DOCKER_HOST');
  const ctx = contextHost(env);
  if (ctx) return pick(ctx, 'context');
  const candidates = ['/var/run/docker.sock'];
  if (env['XDG_RUNTIME_DIR']) candidates.push(join(env['XDG_RUNTIME_DIR'], 'podman', 'podman.sock'));
  candidates.push('/run/podman/podman.sock');
  const found = candidates.find((c) => existsSync(c)) ?? candidates[0] ?? '/var/run/docker.sock';
  return pick(`unix://${found}`, 'default');
}
