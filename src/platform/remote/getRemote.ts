import { compareKeys, type JsonObject } from '../../core/revision/canonicalJson';
import { getPartMatches } from '../../core/revision/partFilter';
import { isObjectEntry } from '../repo/Repository';
import { hashFile } from '../repo/objectStore';
import { mapLimit } from '../repo/mapLimit';
import { join } from 'node:path';
import { promises as fsp } from 'node:fs';
import { HttpError, type HttpClient } from './HttpClient';
import { RemoteError, discoverRemote, fetchState, objectInfo } from './PvrRemote';

export interface RemoteGetResult {
  /** The remote state, restricted to the selected parts. */
  state: JsonObject;
  downloaded: number;
  cached: number;
}

/**
 * The network half of `pvr get`/`clone` from an HTTP remote (pantavisor-format.md §2.4 item 2):
 * reads `.pvrremote`, fetches the state, keeps the selected parts, and downloads every object the
 * local store lacks (or holds with a wrong sha) from its `signed-geturl`, verifying the sha256
 * before the object gets its name. `line` receives one progress line per object.
 */
export async function getRemote(
  client: HttpClient,
  url: string,
  parts: string[],
  objdir: string,
  line: (text: string) => void,
): Promise<RemoteGetResult> {
  const remote = await discoverRemote(client, url);
  const full = await fetchState(client, remote);
  const state: JsonObject = Object.create(null) as JsonObject;
  for (const k of Object.keys(full)) if (getPartMatches(k, parts)) state[k] = full[k] ?? null;
  const wanted = new Map<string, string>();
  for (const k of Object.keys(state).sort(compareKeys)) {
    const v = state[k];
    if (k.startsWith('#spec') || !isObjectEntry(k, v)) continue;
    if (typeof v !== 'string')
      throw new RemoteError(`bad object id for file '${k}' in the remote state`, 'state', k);
    if (!wanted.has(v)) wanted.set(v, k);
  }
  await fsp.mkdir(objdir, { recursive: true });
  let downloaded = 0;
  let cached = 0;
  const results = await mapLimit([...wanted], 4, async ([sha, name]) => {
    const dest = join(objdir, sha);
    const have = await hashFile(dest).catch(() => undefined);
    if (have === sha) {
      cached++;
      line(`${name} [OK cache]\n`);
      return;
    }
    if (have !== undefined) await fsp.rm(dest, { force: true }); // a corrupt local copy
    const info = await objectInfo(client, remote, sha, name);
    const get = info['signed-geturl'];
    if (!get) throw new RemoteError(`the remote gave no download URL for ${name}`, 'download', name);
    try {
      await client.download(get, dest, sha);
    } catch (e) {
      throw new RemoteError(
        `downloading ${name} (${sha}): ${(e as Error).message}`,
        'download',
        name,
        e instanceof HttpError ? e.status : undefined,
      );
    }
    downloaded++;
    line(`${name} [OK]\n`);
  });
  const failed = results.find((r) => !r.ok);
  if (failed && !failed.ok) throw failed.error;
  return { state, downloaded, cached };
}
