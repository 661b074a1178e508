import { TemplateError, describe, type TemplateContext } from './TemplateContext';
import { compareGoStrings, isGoMap } from './goValue';

/** Removes exactly one trailing `/` (sprig `trimSuffix "/"`). */
export function trim1(p: string): string {
  return p.endsWith('/') ? p.slice(0, -1) : p;
}

/** Removes exactly one leading `/` (sprig `trimPrefix "/"`). */
export function strip1(p: string): string {
  return p.startsWith('/') ? p.slice(1) : p;
}

/** pvr's docker volume directory name: `docker-` + path, one trailing `/` removed, `/` → `-`. */
export function dockerVolumeName(p: string): string {
  return trim1(`docker-${p}`).replaceAll('/', '-');
}

/**
 * pvr's merged volume map V (`pvr_mergePersistentMaps`): every key of the image's `Volumes` as
 * `permanent`, overridden by src.json `persistence`; keys lose one trailing `/`. Returned as
 * [key, persistence] pairs in Go's map order (ascending UTF-8 bytes of the key).
 */
export function volumeMap(ctx: TemplateContext): [string, string][] {
  const vols = ctx.docker.get('Volumes');
  if (vols !== undefined && vols !== null && !isGoMap(vols)) {
    throw new TemplateError(
      `docker_config/config Volumes: expected an object like {"/data": {}}, got ${describe(vols)}`,
    );
  }
  const v = new Map<string, string>();
  for (const k of vols?.keys() ?? []) v.set(trim1(k), 'permanent');
  const persistence = ctx.source.persistence ?? new Map<string, string>();
  const setBy = new Map<string, string>();
  for (const k of [...persistence.keys()].sort(compareGoStrings)) {
    const key = trim1(k);
    const value = persistence.get(k) ?? '';
    const earlier = setBy.get(key);
    if (earlier !== undefined && persistence.get(earlier) !== value) {
      // pvr iterates a Go map here, so which of the two wins changes from run to run.
      ctx.warn(
        'persistence-ambiguous',
        `persistence keys "${earlier}" and "${k}" name the same volume with different values; pvr picks one at random (pvkit uses "${value}"). Remove one of them.`,
      );
    }
    setBy.set(key, k);
    v.set(key, value);
  }
  return [...v.entries()].sort((a, b) => compareGoStrings(a[0], b[0]));
}
