import { parseGoJson, isObject, type JsonObject } from '../../core/revision/canonicalJson';
import { HttpError, type HttpClient } from './HttpClient';
import { joinUrl } from './remoteUrl';

/** The `.pvrremote` document (pantavisor-format.md §2.4). */
export interface PvrRemoteInfo {
  'pvr-spec': string;
  'json-get-url': string;
  'json-key': string;
  'objects-endpoint': string;
  'post-url': string;
  'post-fields': string[];
  'post-fields-opt': string[];
}

/** What the objects endpoint says about one object (Pantahub's object record). */
export interface RemoteObject {
  objectname?: string;
  sha256sum?: string;
  size?: string;
  'mime-type'?: string;
  'signed-puturl'?: string;
  'signed-geturl'?: string;
  /** pvkit serve's extension: bytes of an interrupted upload it kept. */
  'pvkit-received'?: string;
}

/** A protocol-level failure with the step it happened in (and the object, if any). */
export class RemoteError extends Error {
  constructor(
    message: string,
    readonly step: string,
    readonly object?: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

function str(o: Record<string, unknown>, k: string): string {
  const v = o[k];
  return typeof v === 'string' ? v : '';
}

function strList(o: Record<string, unknown>, k: string): string[] {
  const v = o[k];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Resolves a possibly relative URL of a `.pvrremote` document against the remote's own URL. */
function abs(u: string, base: string): string {
  if (!u) return '';
  try {
    return new URL(u, base.endsWith('/') ? base : `${base}/`).toString();
  } catch {
    return u;
  }
}

/** `GET <url>/.pvrremote`. */
export async function discoverRemote(client: HttpClient, url: string): Promise<PvrRemoteInfo> {
  const where = joinUrl(url, '.pvrremote');
  let body: Buffer;
  try {
    body = (await client.getBytes(where)).body;
  } catch (e) {
    throw new RemoteError(
      `${(e as Error).message} (is ${url} a pvr endpoint? a device's is http://IP:12368/cgi-bin/pvr)`,
      'discover',
      undefined,
      e instanceof HttpError ? e.status : undefined,
    );
  }
  let j: unknown;
  try {
    j = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new RemoteError(`${where} is not JSON: ${(e as Error).message}`, 'discover');
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j)) {
    throw new RemoteError(`${where} is not a .pvrremote object`, 'discover');
  }
  const o = j as Record<string, unknown>;
  const info: PvrRemoteInfo = {
    'pvr-spec': str(o, 'pvr-spec'),
    'json-get-url': abs(str(o, 'json-get-url'), where),
    'json-key': str(o, 'json-key'),
    'objects-endpoint': abs(str(o, 'objects-endpoint'), where),
    'post-url': abs(str(o, 'post-url'), where),
    'post-fields': strList(o, 'post-fields'),
    'post-fields-opt': strList(o, 'post-fields-opt'),
  };
  if (!info['objects-endpoint']) throw new RemoteError(`${where} names no objects-endpoint`, 'discover');
  return info;
}

/**
 * Fetches the remote's state from `json-get-url`. An empty answer or `{}` is an empty state (a
 * device or trail without revisions).
 */
export async function fetchState(
  client: HttpClient,
  remote: PvrRemoteInfo,
  step = 'state',
): Promise<JsonObject> {
  const url = remote['json-get-url'];
  if (!url) return Object.create(null) as JsonObject;
  let body: Buffer;
  try {
    body = (await client.getBytes(url)).body;
  } catch (e) {
    throw new RemoteError(
      (e as Error).message,
      step,
      undefined,
      e instanceof HttpError ? e.status : undefined,
    );
  }
  if (body.length === 0) return Object.create(null) as JsonObject;
  let v;
  try {
    v = parseGoJson(body);
  } catch (e) {
    throw new RemoteError(`the state at ${url} is not JSON: ${(e as Error).message}`, step);
  }
  if (v === null) return Object.create(null) as JsonObject;
  if (!isObject(v)) throw new RemoteError(`the state at ${url} is not a JSON object`, step);
  return v;
}

/** `GET <objects-endpoint>/<sha>` → the object record with its `signed-geturl`. */
export async function objectInfo(
  client: HttpClient,
  remote: PvrRemoteInfo,
  sha: string,
  name: string,
): Promise<RemoteObject> {
  const url = joinUrl(remote['objects-endpoint'], sha);
  let body: Buffer;
  try {
    body = (await client.getBytes(url)).body;
  } catch (e) {
    throw new RemoteError(
      `${(e as Error).message}`,
      'download',
      name,
      e instanceof HttpError ? e.status : undefined,
    );
  }
  try {
    return JSON.parse(body.toString('utf8')) as RemoteObject;
  } catch {
    throw new RemoteError(`the record of object ${sha} at ${url} is not JSON`, 'download', name);
  }
}
