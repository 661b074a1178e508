import { HttpClient, type HttpClientOptions } from './HttpClient';

function num(env: NodeJS.ProcessEnv, key: string, dflt: number): number {
  const v = Number(env[key]);
  return env[key] !== undefined && env[key] !== '' && Number.isFinite(v) && v >= 0 ? v : dflt;
}

/**
 * An {@link HttpClient} configured the way the CLI is: the bearer token of pvr
 * (`PVR_ACCESSTOKEN`, set by `-a`), `PVR_INSECURE`, and pvkit's network knobs
 * `PVKIT_HTTP_TIMEOUT` (seconds of inactivity, default 60), `PVKIT_HTTP_RETRIES` (default 5) and
 * `PVKIT_HTTP_BACKOFF_MS` (first retry delay, default 500, doubling up to 10 s).
 */
export function clientFromEnv(env: NodeJS.ProcessEnv, extra: HttpClientOptions = {}): HttpClient {
  return new HttpClient({
    token: env['PVR_ACCESSTOKEN'] || undefined,
    timeoutMs: num(env, 'PVKIT_HTTP_TIMEOUT', 60) * 1000,
    retries: num(env, 'PVKIT_HTTP_RETRIES', 5),
    backoffMs: num(env, 'PVKIT_HTTP_BACKOFF_MS', 500),
    insecure: /^(1|t|true)$/i.test(env['PVR_INSECURE'] ?? ''),
    ...extra,
  });
}
