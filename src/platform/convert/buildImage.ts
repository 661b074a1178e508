import { promises as fsp } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import Docker from 'dockerode';
import { pack } from 'tar-stream';
import type { BuildPlan } from '../../core/convert';
import { engineCandidates, pingEngine } from '../doctor/doctor';

/** A reachable Docker-compatible engine (Docker or `podman system service`). */
export interface Engine {
  host: string;
  docker: Docker;
}

/** The first engine that answers `/_ping`: `DOCKER_HOST`, then the default sockets. */
export async function findEngine(env: NodeJS.ProcessEnv, dockerHost?: string): Promise<Engine | undefined> {
  for (const host of engineCandidates({ env, ...(dockerHost ? { dockerHost } : {}) })) {
    const r = await pingEngine(host, 2000);
    if (!r.ok) continue;
    if (host.startsWith('unix://') || !host.includes('://')) {
      return { host, docker: new Docker({ socketPath: host.replace(/^unix:\/\//, '') }) };
    }
    const u = new URL(host.replace(/^tcp:/, 'http:'));
    return { host, docker: new Docker({ host: u.hostname, port: Number(u.port || 2375) }) };
  }
  return undefined;
}

/** Files of a build context, minus `.git` and what `.dockerignore` names (plain names and `dir/` prefixes). */
async function contextFiles(dir: string): Promise<string[]> {
  let ignore: string[] = [];
  try {
    ignore = (await fsp.readFile(join(dir, '.dockerignore'), 'utf8'))
      .split(/\r?\n/)
      .map((l) => l.trim().replace(/^\.\//, '').replace(/\/$/, ''))
      .filter((l) => l && !l.startsWith('#') && !l.startsWith('!') && !/[*?[]/.test(l));
  } catch {
    ignore = [];
  }
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const names = (await fsp.readdir(d, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const n of names) {
      const p = join(d, n.name);
      const rel = relative(dir, p).split(sep).join('/');
      if (n.name === '.git' || ignore.some((i) => rel === i || rel.startsWith(`${i}/`))) continue;
      if (n.isDirectory()) await walk(p);
      else if (n.isFile()) out.push(rel);
    }
  };
  await walk(dir);
  return out;
}

const DOCKERFILE_IN_TAR = '.pvkit-convert.Dockerfile';

/**
 * Builds one service image through the Docker API: the context folder plus the resolved
 * (template-substituted) Dockerfile, sent as a tar. Returns the image config from `inspect`.
 * Build output lines go to `progress`; `signal` aborts the build request.
 */
export async function buildImage(
  engine: Engine,
  projectDir: string,
  plan: BuildPlan,
  progress: (line: string) => void,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const ctxDir = join(projectDir, plan.context);
  const tar = pack();
  const files = await contextFiles(ctxDir);
  const chunks: Buffer[] = [];
  tar.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const ended = new Promise<void>((res, rej) => {
    tar.on('end', () => res());
    tar.on('error', rej);
  });
  for (const f of files) {
    const data = await fsp.readFile(join(ctxDir, f));
    const st = await fsp.stat(join(ctxDir, f));
    await new Promise<void>((res, rej) =>
      tar.entry({ name: f, size: data.length, mode: st.mode & 0o7777 }, data, (e) => (e ? rej(e) : res())),
    );
  }
  await new Promise<void>((res, rej) =>
    tar.entry({ name: DOCKERFILE_IN_TAR, mode: 0o644 }, plan.dockerfileText, (e) => (e ? rej(e) : res())),
  );
  tar.finalize();
  await ended;
  const body = Readable.from([Buffer.concat(chunks)]) as unknown as NodeJS.ReadableStream;
  const stream: NodeJS.ReadableStream = await engine.docker.buildImage(body, {
    t: plan.tag,
    dockerfile: DOCKERFILE_IN_TAR,
    buildargs: plan.buildArgs,
    ...(plan.target ? { target: plan.target } : {}),
    ...(plan.platform ? { platform: plan.platform } : {}),
    ...(signal ? { abortSignal: signal } : {}),
  });
  let failure: string | undefined;
  await new Promise<void>((resolve, reject) => {
    engine.docker.modem.followProgress(
      stream,
      (err) => (err ? reject(err) : resolve()),
      (ev: { stream?: string; error?: string; errorDetail?: { message?: string } }) => {
        if (ev.stream) for (const l of ev.stream.split('\n')) if (l.trim()) progress(l);
        if (ev.error) failure = ev.errorDetail?.message ?? ev.error;
      },
    );
  });
  if (failure) throw new Error(failure);
  const info = (await engine.docker.getImage(plan.tag).inspect()) as unknown as {
    Config?: Record<string, unknown>;
  };
  return pickConfig(info.Config ?? {});
}

/** The image-config members pvr keeps in `docker_config`, without empty values (stable across engines). */
export function pickConfig(c: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of [
    'Cmd',
    'Entrypoint',
    'Env',
    'ExposedPorts',
    'Labels',
    'User',
    'Volumes',
    'WorkingDir',
    'StopSignal',
  ]) {
    const v = c[k];
    if (v === null || v === undefined || v === '') continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return out;
}
