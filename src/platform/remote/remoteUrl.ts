import { isIP } from 'node:net';

/**
 * pvr's remote reference forms (pantavisor-format.md §2.4):
 * - a full `http://` or `https://` URL is used as is;
 * - a bare IPv4/IPv6 address means a device's pvr-sdk endpoint `http://IP:12368/cgi-bin/pvr` (pvr
 *   does this for clone/get/deploy, not for post; see {@link resolveRemoteRef});
 * - `USER/DEVICE` is a Pantahub device under the repo base URL (`PVR_REPO_BASEURL`, default
 *   `https://pvr.pantahub.com`).
 * A `#part1,part2,-part3` fragment selects parts, as for local sources.
 */

export const DEVICE_PORT = 12368;
export const DEVICE_PATH = '/cgi-bin/pvr';
export const DEFAULT_REPO_BASEURL = 'https://pvr.pantahub.com';

export interface RemoteRef {
  /** The repository URL without fragment (`.pvrremote` is looked up below it). */
  url: string;
  /** The part list of the fragment (empty: everything). */
  parts: string[];
  /** How the argument was read. */
  kind: 'url' | 'device-ip' | 'pantahub';
}

/** Splits `arg#frag` into the base and the part list. */
function splitFragment(arg: string): { base: string; parts: string[] } {
  const i = arg.indexOf('#');
  if (i < 0) return { base: arg, parts: [] };
  const frag = arg.slice(i + 1);
  return { base: arg.slice(0, i), parts: frag ? frag.split(',') : [] };
}

/** True when `arg` (fragment aside) is a full http(s) URL. */
export function isHttpUrl(arg: string): boolean {
  return /^https?:\/\//i.test(splitFragment(arg).base);
}

/** The bare address of `arg`, unwrapping `[v6]`, or undefined when it is not an IP address. */
function bareIp(base: string): string | undefined {
  const s = base.startsWith('[') && base.endsWith(']') ? base.slice(1, -1) : base;
  return isIP(s) ? s : undefined;
}

/**
 * Reads a remote reference, or returns undefined when `arg` is none of the remote forms (then it
 * is a local path). `forPost` follows pvr: a bare address is not expanded for post, and is
 * reported instead of being sent to Pantahub as a device name.
 */
export function resolveRemoteRef(
  arg: string,
  opts: { forPost?: boolean; repoBaseUrl?: string | undefined } = {},
): RemoteRef | undefined {
  const { base, parts } = splitFragment(arg);
  if (/^https?:\/\//i.test(base)) {
    let u: URL;
    try {
      u = new URL(base);
    } catch {
      throw new Error(`${base} is not a valid URL`);
    }
    return { url: u.toString().replace(/\/+$/, ''), parts, kind: 'url' };
  }
  const ip = bareIp(base);
  if (ip !== undefined) {
    if (opts.forPost) {
      throw new Error(
        `post needs the endpoint URL of a device, e.g. http://${ip.includes(':') ? `[${ip}]` : ip}:${DEVICE_PORT}${DEVICE_PATH} (pvr expands a bare address only for clone and get)`,
      );
    }
    const host = ip.includes(':') ? `[${ip}]` : ip;
    return { url: `http://${host}:${DEVICE_PORT}${DEVICE_PATH}`, parts, kind: 'device-ip' };
  }
  // USER/DEVICE: exactly two non-empty segments of nick characters.
  if (/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(base) && !base.startsWith('.')) {
    const root = (opts.repoBaseUrl || DEFAULT_REPO_BASEURL).replace(/\/+$/, '');
    return { url: `${root}/${base}`, parts, kind: 'pantahub' };
  }
  return undefined;
}

/** Joins a path below a repository URL (`<url>/.pvrremote`). */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
