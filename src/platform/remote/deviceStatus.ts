import { createHash } from 'node:crypto';
import { canonicalJson } from '../../core/revision/canonicalJson';
import type { HttpClient } from './HttpClient';
import { discoverRemote, fetchState } from './PvrRemote';
import { joinUrl } from './remoteUrl';

export interface DeviceStatus {
  /** The current revision number, when the endpoint tells it (pvkit serve does). */
  rev?: string;
  /** sha256 of the canonical current state. */
  stateSha?: string;
  objects?: number;
}

/**
 * What a target runs now: the `revisions` listing of a `pvkit serve` endpoint, or else (a device or
 * Pantahub, whose listing forms we do not know) the sha of the state behind `.pvrremote`.
 */
export async function deviceStatus(client: HttpClient, url: string): Promise<DeviceStatus> {
  try {
    const r = await client.getBytes(joinUrl(url, 'revisions'));
    const j = JSON.parse(r.body.toString('utf8')) as {
      current?: unknown;
      revisions?: { rev?: unknown; 'state-sha'?: unknown }[];
    };
    if (typeof j.current === 'number' || j.current === null) {
      const cur = j.revisions?.find((x) => x.rev === j.current);
      return {
        ...(typeof j.current === 'number' ? { rev: String(j.current) } : {}),
        ...(typeof cur?.['state-sha'] === 'string' ? { stateSha: cur['state-sha'] } : {}),
      };
    }
  } catch {
    // not a pvkit serve endpoint: fall back to the protocol
  }
  const remote = await discoverRemote(client, url);
  const state = await fetchState(client, remote);
  const keys = Object.keys(state);
  if (keys.length === 0) return {};
  return { stateSha: createHash('sha256').update(canonicalJson(state)).digest('hex'), objects: keys.length };
}
