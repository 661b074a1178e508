import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import {
  canonicalJson,
  compareKeys,
  isObject,
  newObject,
  parseGoJson,
  type JsonValue,
} from '../../core/revision/canonicalJson';
import { isObjectEntry, type Repo } from '../repo/Repository';
import { mapLimit } from '../repo/mapLimit';
import { HttpError, type HttpClient } from './HttpClient';
import { RemoteError, discoverRemote, fetchState, type PvrRemoteInfo, type RemoteObject } from './PvrRemote';

/** The steps of a post, in order; failures name the step (and the object). */
export type PostStep = 'discover' | 'baseline' | 'objects' | 'state';

export type PostEvent =
  | { kind: 'step'; step: PostStep }
  | { kind: 'object'; name: string; sha: string; status: 'uploaded' | 'present' | 'dupe'; bytes: number }
  | { kind: 'plan'; toCheck: number; inBaseline: number }
  | { kind: 'resumed'; name: string; offset: number };

export interface PostOptions {
  client: HttpClient;
  /** pvr's `--envelope`: a JSON object the post fields are added to. */
  envelope?: string | undefined;
  commitMsg?: string | undefined;
  /** pvr's `--rev` (default -1: the remote picks the next number). */
  rev?: number;
  /** pvr's `--force`: upload objects the remote reports as present (409) again. */
  force?: boolean;
  onEvent?: (e: PostEvent) => void;
  /** Uploads in flight (pvr uses a pool of 5). */
  concurrency?: number;
}

export interface PostResult {
  /** The revision the remote assigned (`rev`, or `revlocal` when rev is -1). */
  rev: string;
  stateSha: string;
  trailId: string;
  uploaded: number;
  uploadedBytes: number;
  /** Objects not sent: in the remote's current state, or reported present (409). */
  present: number;
  remote: PvrRemoteInfo;
}

interface Planned {
  name: string;
  sha: string;
  size: number;
  path: string;
}

/**
 * `pvr post` (pantavisor-format.md §2.4 item 3): reads `.pvrremote`, fetches the remote's current
 * state as the baseline, announces every object of the committed state that the baseline lacks
 * (`POST <objects-endpoint>/`), uploads only those the remote does not have (`409` = present), then
 * posts the state in the envelope. Re-running an interrupted post therefore sends only what is
 * still missing. Objects are read from the repository's object store, so a post sends what was
 * committed, never the working tree.
 */
export async function postRevision(repo: Repo, url: string, opts: PostOptions): Promise<PostResult> {
  const { client } = opts;
  const emit = opts.onEvent ?? ((): void => undefined);
  const state = repo.pristine ?? newObject();

  emit({ kind: 'step', step: 'discover' });
  const remote = await discoverRemote(client, url);
  if (!remote['post-url']) throw new RemoteError(`${url}/.pvrremote names no post-url`, 'discover');

  emit({ kind: 'step', step: 'baseline' });
  const baseline = await fetchState(client, remote, 'baseline');
  const inBaseline = new Set<string>();
  for (const [k, v] of Object.entries(baseline)) {
    if (!k.startsWith('#spec') && typeof v === 'string' && isObjectEntry(k, v)) inBaseline.add(v);
  }

  // Plan: every object entry of the state, deduplicated by sha, minus the baseline's objects.
  const planned: Planned[] = [];
  const seen = new Set<string>();
  let skippedBaseline = 0;
  for (const k of Object.keys(state).sort(compareKeys)) {
    const v: JsonValue | undefined = state[k];
    if (k.startsWith('#spec') || !isObjectEntry(k, v)) continue;
    if (typeof v !== 'string') {
      throw new RemoteError(`bad object id for file '${k}' in pristine pvr json`, 'objects', k);
    }
    if (inBaseline.has(v)) {
      skippedBaseline++;
      continue;
    }
    if (seen.has(v)) {
      emit({ kind: 'object', name: k, sha: v, status: 'dupe', bytes: 0 });
      continue;
    }
    seen.add(v);
    const path = join(repo.objdir, v);
    let size: number;
    try {
      size = (await fsp.stat(path)).size;
    } catch {
      throw new RemoteError(
        `object ${v} of ${k} is missing from ${repo.objdir}; run pvr checkout/commit again or get it first`,
        'objects',
        k,
      );
    }
    planned.push({ name: k, sha: v, size, path });
  }
  emit({ kind: 'plan', toCheck: planned.length, inBaseline: skippedBaseline });

  emit({ kind: 'step', step: 'objects' });
  let uploaded = 0;
  let uploadedBytes = 0;
  let present = 0;
  const endpoint = remote['objects-endpoint'].endsWith('/')
    ? remote['objects-endpoint']
    : `${remote['objects-endpoint']}/`;
  const results = await mapLimit(planned, opts.concurrency ?? 4, async (p) => {
    const record = canonicalJson(
      Object.assign(newObject(), {
        'mime-type': 'application/octet-stream',
        objectname: p.name,
        sha256sum: p.sha,
        size: String(p.size),
      }),
    );
    let ann;
    try {
      ann = await client.postJson(endpoint, record, { accept: (s) => s === 200 || s === 409 });
    } catch (e) {
      throw new RemoteError(
        `announcing object ${p.name} (${p.sha}): ${(e as Error).message}`,
        'objects',
        p.name,
        e instanceof HttpError ? e.status : undefined,
      );
    }
    const linkOnly = ann.headers['pantahub-object-type'] === 'link';
    if (ann.status === 409 && (!opts.force || linkOnly)) {
      present++;
      emit({ kind: 'object', name: p.name, sha: p.sha, status: 'present', bytes: 0 });
      return;
    }
    let obj: RemoteObject;
    try {
      obj = JSON.parse(ann.body.toString('utf8')) as RemoteObject;
    } catch {
      throw new RemoteError(`the answer to announcing ${p.name} is not JSON`, 'objects', p.name);
    }
    const put = obj['signed-puturl'];
    if (!put) throw new RemoteError(`the remote gave no upload URL for ${p.name}`, 'objects', p.name);
    // pvkit serve reports how much of an interrupted upload it kept; send only the rest.
    const received = Number(obj['pvkit-received'] ?? 0);
    let offset = Number.isInteger(received) && received > 0 && received < p.size ? received : 0;
    try {
      try {
        if (offset > 0) emit({ kind: 'resumed', name: p.name, offset });
        await client.putFile(put, p.path, p.size, offset);
      } catch (e) {
        if (!(offset > 0 && e instanceof HttpError && e.status === 416)) throw e;
        offset = 0; // the kept part is gone: start over
        await client.putFile(put, p.path, p.size);
      }
    } catch (e) {
      throw new RemoteError(
        `uploading object ${p.name} (${p.sha}, ${p.size} bytes): ${(e as Error).message}`,
        'objects',
        p.name,
        e instanceof HttpError ? e.status : undefined,
      );
    }
    uploaded++;
    uploadedBytes += p.size - offset;
    emit({ kind: 'object', name: p.name, sha: p.sha, status: 'uploaded', bytes: p.size - offset });
  });
  const failed = results.find((r) => !r.ok);
  if (failed && !failed.ok) throw failed.error;

  emit({ kind: 'step', step: 'state' });
  let env: JsonValue = newObject();
  if (opts.envelope) {
    try {
      env = parseGoJson(opts.envelope);
    } catch (e) {
      throw new RemoteError(`--envelope is not JSON: ${(e as Error).message}`, 'state');
    }
    if (!isObject(env)) throw new RemoteError('--envelope must be a JSON object', 'state');
  }
  const envelope = env;
  if (opts.commitMsg) envelope['commit-msg'] = opts.commitMsg;
  const rev = opts.rev ?? -1;
  if (rev !== 0) envelope['rev'] = rev;
  envelope[remote['json-key'] || 'post'] = state;
  let res;
  try {
    // Not repeated after a 500 or a reset: the revision may have been stored; a refused
    // connection or a 503 never reached the store and is retried.
    res = await client.postJson(remote['post-url'], canonicalJson(envelope), { idempotent: false });
  } catch (e) {
    throw new RemoteError(
      `posting the state: ${(e as Error).message}`,
      'state',
      undefined,
      e instanceof HttpError ? e.status : undefined,
    );
  }
  let answer: Record<string, unknown>;
  try {
    answer = JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new RemoteError(
      `the answer to the post is not JSON: ${res.body.toString('utf8').slice(0, 200)}`,
      'state',
    );
  }
  const stateSha = typeof answer['state-sha'] === 'string' ? answer['state-sha'] : '';
  const r = answer['rev'];
  let revText = typeof r === 'number' ? String(Math.trunc(r)) : typeof r === 'string' ? r : '';
  if (revText === '-1' && typeof answer['revlocal'] === 'string') revText = answer['revlocal'];
  return {
    rev: revText,
    stateSha,
    trailId:
      typeof answer['trail-id'] === 'string'
        ? answer['trail-id']
        : typeof answer['trail-id'] === 'number'
          ? String(answer['trail-id'])
          : '',
    uploaded,
    uploadedBytes,
    present: present + skippedBaseline,
    remote,
  };
}
