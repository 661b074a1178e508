/**
 * Folder names that cannot be containers: pvr and Pantavisor give them a meaning of their own
 * (pantavisor-format.md §1.3/§1.4).
 */
const RESERVED = new Set([
  'bsp',
  '_config',
  '_sigs',
  '_hostconfig',
  '_dm',
  '.pvr',
  '.pv',
  'objects',
  'trails',
]);

/**
 * Container (folder) names for compose service names, in order. A container name is the folder
 * and the LXC name: lower-case letters, digits, `.`, `_` and `-`, starting with a letter or digit,
 * not a reserved folder and unique. `renamed` says what changed and why.
 */
export function containerNames(services: readonly string[]): { name: string; renamed?: string }[] {
  const used = new Set<string>();
  return services.map((s) => {
    const why: string[] = [];
    let n = s.toLowerCase();
    if (n !== s) why.push('lower-cased');
    const cleaned = n.replace(/[^a-z0-9._-]+/g, '-');
    if (cleaned !== n) why.push('characters other than a-z 0-9 . _ - replaced by "-"');
    n = cleaned.replace(/^[^a-z0-9]+/, '');
    if (n !== cleaned) why.push('leading punctuation removed');
    if (n === '') {
      n = 'service';
      why.push('nothing was left, so "service" is used');
    }
    if (RESERVED.has(n)) {
      n = `${n}-app`;
      why.push('the name is reserved by pvr/Pantavisor');
    }
    const base = n;
    for (let i = 2; used.has(n); i++) n = `${base}-${i}`;
    if (n !== base) why.push('another service already has that name');
    used.add(n);
    return why.length ? { name: n, renamed: `renamed from "${s}": ${why.join('; ')}` } : { name: n };
  });
}
