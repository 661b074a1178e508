import { readdirSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ComposeProject } from '../../core/compose/ComposeProject';

/**
 * A {@link ComposeProject} over a real folder. Answers are cached for the life of the object, so
 * one validation never reads a path twice; make a new one per validation to see changes.
 */
export function fsComposeProject(root: string): ComposeProject {
  const stats = new Map<string, 'file' | 'dir' | undefined>();
  const lists = new Map<string, string[] | undefined>();
  const texts = new Map<string, string | undefined>();
  const abs = (rel: string): string => resolve(root, rel);
  return {
    stat(rel) {
      if (!stats.has(rel)) {
        let kind: 'file' | 'dir' | undefined;
        try {
          const s = statSync(abs(rel));
          kind = s.isDirectory() ? 'dir' : s.isFile() ? 'file' : undefined;
        } catch {
          kind = undefined;
        }
        stats.set(rel, kind);
      }
      return stats.get(rel);
    },
    list(rel) {
      if (!lists.has(rel)) {
        let names: string[] | undefined;
        try {
          names = readdirSync(abs(rel)).sort();
        } catch {
          names = undefined;
        }
        lists.set(rel, names);
      }
      return lists.get(rel);
    },
    read(rel) {
      if (!texts.has(rel)) {
        let text: string | undefined;
        try {
          text = readFileSync(abs(rel), 'utf8');
        } catch {
          text = undefined;
        }
        texts.set(rel, text);
      }
      return texts.get(rel);
    },
  };
}
