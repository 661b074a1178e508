import type * as EngineApi from './engineApi';

export type { EngineApi };

let loading: Promise<typeof EngineApi> | undefined;

/**
 * The Docker engine client (dockerode), loaded on first use. In the bundles `./engineApi` is the
 * separate file dist/engineApi.js beside extension.js and cli.js (see esbuild.mjs), so activation
 * and commands that never talk to an engine do not load it.
 */
export function loadEngineApi(): Promise<typeof EngineApi> {
  loading ??= import('./engineApi.js');
  return loading;
}
