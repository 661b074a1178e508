import type { RevisionNode } from '../../core/revision/revisionTree';
import type { SignatureSummary } from './signatureSummary';

const ICON = { valid: 'verified-filled', untrusted: 'unverified', invalid: 'error', error: 'error' } as const;
const WORD = {
  valid: 'verified',
  untrusted: 'intact, key not trusted',
  invalid: 'does not verify',
  error: 'unreadable',
} as const;

/**
 * Adds what the signature check knows to the revision view's "Signatures" section: each
 * signature's status (and staleness) with the files it covers, and the files no signature covers.
 * Other sections are returned unchanged.
 */
export function decorateSignatureNodes(
  nodes: RevisionNode[],
  summary: SignatureSummary | undefined,
): RevisionNode[] {
  if (!summary) return nodes;
  return nodes.map((n) => {
    if (n.label !== 'Signatures') return n;
    const children: RevisionNode[] = (n.children ?? []).map((c) => {
      const s = summary.signatures.find((x) => x.name === c.label);
      if (!s) return c;
      const word = s.stale ? `stale · ${WORD[s.status]}` : WORD[s.status];
      return {
        ...c,
        description: `${word}${s.alg ? ` · ${s.alg}` : ''}`,
        tooltip: [`_sigs/${s.name}.json: ${word}`, s.reason, s.signer ? `signer: ${s.signer}` : undefined]
          .filter(Boolean)
          .join('\n'),
        icon: s.stale ? 'warning' : ICON[s.status],
        contextValue: s.stale || s.status === 'invalid' ? 'signature-stale' : 'signature',
        children: s.covers.map((k) => ({
          label: k,
          icon: summary.files.find((f) => f.key === k)?.change ? 'diff-modified' : 'file',
        })),
      };
    });
    if (summary.uncovered.length) {
      children.push({
        label: 'Not covered',
        description: String(summary.uncovered.length),
        tooltip: 'Files no signature protects; Pantavisor in secureboot strict mode rejects such a revision.',
        icon: 'circle-slash',
        children: summary.uncovered.map((k) => ({ label: k, icon: 'file' })),
      });
    }
    return { ...n, children };
  });
}
