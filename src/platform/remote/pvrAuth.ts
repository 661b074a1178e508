import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { HttpClient } from './HttpClient';

/** pvr's default Pantahub API (`--baseurl`, `PVR_BASEURL`). */
export const DEFAULT_API_URL = 'https://api.pantahub.com';

/**
 * The access token an installed pvr cached for `apiUrl` in `<configDir>/auth.json`
 * (`{"spec":"1","tokens":{"<api>/auth realm=<realm>":{"access-token","refresh-token"}}}`), or
 * undefined. Read only when the user agreed to reuse it.
 */
export async function readPvrAuthToken(
  configDir: string,
  apiUrl = DEFAULT_API_URL,
): Promise<string | undefined> {
  let j: unknown;
  try {
    j = JSON.parse(await fsp.readFile(join(configDir, 'auth.json'), 'utf8'));
  } catch {
    return undefined;
  }
  const tokens = (j as { tokens?: unknown }).tokens;
  if (typeof tokens !== 'object' || tokens === null) return undefined;
  const prefix = `${apiUrl.replace(/\/+$/, '')}/auth`;
  for (const [key, v] of Object.entries(tokens as Record<string, unknown>)) {
    if (!key.startsWith(prefix)) continue;
    const t = (v as { 'access-token'?: unknown } | null)?.['access-token'];
    if (typeof t === 'string' && t) return t;
  }
  return undefined;
}

/** Pantahub password login (`POST <api>/auth/login`), as `pvr login` does; returns the token. */
export async function pantahubLogin(
  client: HttpClient,
  apiUrl: string,
  username: string,
  password: string,
): Promise<string> {
  const res = await client.postJson(
    `${apiUrl.replace(/\/+$/, '')}/auth/login`,
    JSON.stringify({ username, password }),
    {
      idempotent: false,
    },
  );
  const t = (JSON.parse(res.body.toString('utf8')) as { token?: unknown }).token;
  if (typeof t !== 'string' || !t) throw new Error(`${apiUrl}/auth/login answered without a token`);
  return t;
}
