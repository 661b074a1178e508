/**
 * What the compose rules need to know about the project folder. The caller provides it (a real
 * folder in the CLI and editor, a map of files in tests), so the core does no I/O. Paths are
 * POSIX-style and relative to the folder that holds the compose file.
 */
export interface ComposeProject {
  /** `file`, `dir`, or undefined when nothing is there. */
  stat(rel: string): 'file' | 'dir' | undefined;
  /** Entry names of a directory, or undefined when it is not a directory. */
  list(rel: string): string[] | undefined;
  /** Text of a file, or undefined when it cannot be read. */
  read(rel: string): string | undefined;
}

/** Normalizes `./a/../b/` to `b`; `.` and the empty string stay `.`. Keeps a leading `..`. */
export function normalizeRel(rel: string): string {
  const out: string[] = [];
  for (const part of rel.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length && out[out.length - 1] !== '..') out.pop();
    else out.push(part);
  }
  return out.length ? out.join('/') : '.';
}

/** Joins relative POSIX paths and normalizes the result. */
export function joinRel(...parts: string[]): string {
  return normalizeRel(parts.filter((p) => p !== '').join('/'));
}

/** A project backed by an in-memory map of files (`rel path → text`); directories are implied. */
export function projectFromFiles(files: ReadonlyMap<string, string>): ComposeProject {
  const norm = new Map([...files].map(([k, v]) => [normalizeRel(k), v]));
  const dirs = new Map<string, Set<string>>();
  for (const path of norm.keys()) {
    const parts = path.split('/');
    for (let i = 0; i < parts.length; i++) {
      const dir = i === 0 ? '.' : parts.slice(0, i).join('/');
      const set = dirs.get(dir) ?? new Set<string>();
      set.add(parts[i] ?? '');
      dirs.set(dir, set);
    }
  }
  return {
    stat: (rel) => {
      const r = normalizeRel(rel);
      if (norm.has(r)) return 'file';
      return dirs.has(r) ? 'dir' : undefined;
    },
    list: (rel) => {
      const set = dirs.get(normalizeRel(rel));
      return set ? [...set].sort() : undefined;
    },
    read: (rel) => norm.get(normalizeRel(rel)),
  };
}
