import type { ImportProgress } from './importImage';

function mb(n: number): string {
  return `${(n / 1e6).toFixed(1)} MB`;
}

/**
 * Turns import progress into text lines: each message, and per layer and phase a line with its
 * bytes when the layer starts and ends, and at most once a second in between. `prefix` names the
 * image (the converter imports several). Used by `pvkit app add/update` and `pvkit convert`.
 */
export function importProgressLines(emit: (line: string) => void, prefix = ''): (p: ImportProgress) => void {
  let last = 0;
  let lastKey = '';
  return (p) => {
    if ('message' in p) {
      emit(`${prefix}${p.message}`);
      return;
    }
    const key = `${p.phase} ${p.layer}`;
    const now = Date.now();
    const doneLayer = p.total > 0 && p.bytes >= p.total;
    if (key !== lastKey || doneLayer || now - last > 1000) {
      const verb = p.phase === 'download' ? 'Downloading' : p.phase === 'scan' ? 'Checking' : 'Converting';
      emit(
        `${prefix}${verb} layer ${p.layer + 1}/${p.layers} ${p.id.slice(0, 19)}: ${mb(p.bytes)}${p.total ? ` of ${mb(p.total)}` : ''}`,
      );
      last = now;
      lastKey = key;
    }
  };
}
