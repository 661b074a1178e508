import { basename, dirname, relative, sep } from 'node:path';
import { kindOfKey, type FileKind } from '../../core/revision/fileKinds';
import { findCheckoutRoot } from '../../platform/revision/loadRevision';

export type RevisionDocumentKind =
  { type: 'state' } | { type: 'checkout'; root: string; key: string; kind: FileKind };

/** A state file announces itself with a Pantavisor `#spec` near the top. */
const STATE_SPEC_RE = /"#spec"\s*:\s*"pantavisor-(service-system|multi-platform)@/;

/**
 * Decides whether a document belongs to a Pantavisor revision, so that a `run.json` in some other
 * project never lights up: files inside a pvr checkout (a folder with `.pvr/`), `.pvr/json`
 * itself, and JSON files whose text declares a Pantavisor `#spec`.
 */
export function classifyDocument(fsPath: string, text: string): RevisionDocumentKind | undefined {
  if (basename(fsPath) === 'json' && basename(dirname(fsPath)) === '.pvr') return { type: 'state' };
  const root = findCheckoutRoot(dirname(fsPath));
  if (root) {
    const key = relative(root, fsPath).split(sep).join('/');
    if (key.startsWith('.pvr/') || key.startsWith('.pv/') || key.startsWith('..') || !key.endsWith('.json'))
      return undefined;
    return { type: 'checkout', root, key, kind: kindOfKey(key) };
  }
  if (fsPath.endsWith('.json') && STATE_SPEC_RE.test(text.slice(0, 4096))) return { type: 'state' };
  return undefined;
}
