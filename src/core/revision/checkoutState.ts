/**
 * The one-word state of a pvr checkout for the status bar, from what the source control and the
 * signature check already know (no I/O, nothing recomputed).
 */
export type CheckoutStateKind = 'clean' | 'modified' | 'unsigned';

export interface CheckoutFacts {
  /** Added, changed and deleted files against `.pvr/json` (the SCM "Changes" group). */
  changed: number;
  /** Files on disk that are not in the revision (the SCM "Untracked" group). */
  untracked: number;
  /** The signature check, when it has run: absent until then. */
  signatures?: {
    /** Signature files in the revision (`_sigs/*.json`). */
    count: number;
    /** Keys of the revision no signature protects (`_sigs/*` left out). */
    uncovered: readonly string[];
    /** Signatures that are stale, invalid or unreadable. */
    broken: readonly string[];
    /** Whether trusted keys are configured (`pantavisor.signatures.pubkeyPath` / `cacertsPath`). */
    trustConfigured: boolean;
  };
}

export interface CheckoutState {
  kind: CheckoutStateKind;
  /** A few words for the status bar, after the icon. */
  text: string;
  /** One line per fact, for the tooltip. */
  details: string[];
  /** Containers with files no signature covers (when signatures are in use). */
  unsignedContainers: string[];
}

const NOT_CONTAINERS = new Set(['bsp', '_sigs', '_config', '_dm', '#spec']);

/** Container names of a list of revision keys: `<name>/...` outside bsp and the `_*` folders. */
export function containersOf(keys: readonly string[]): string[] {
  const out = new Set<string>();
  for (const k of keys) {
    const i = k.indexOf('/');
    if (i <= 0) continue;
    const top = k.slice(0, i);
    if (!NOT_CONTAINERS.has(top) && !top.startsWith('_')) out.add(top);
  }
  return [...out].sort();
}

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}

/**
 * Modified means changes to the revision against `.pvr/json`; untracked files alone do not make a
 * checkout modified. Modified wins over unsigned: uncommitted work is the next thing to deal with. Signatures are "in
 * use" when the revision has `_sigs/` or trusted keys are configured; then a container none covers,
 * or a stale or invalid signature, makes the revision unsigned. Without either, signing is not
 * part of the workflow and a committed checkout is clean.
 */
export function checkoutState(f: CheckoutFacts): CheckoutState {
  const details: string[] = [];
  details.push(f.changed ? `${plural(f.changed, 'change')} against .pvr/json` : 'no uncommitted changes');
  // Untracked files are not part of the revision (a conversion report, notes): said, not counted.
  if (f.untracked) details.push(`${f.untracked} untracked (not in the revision until added)`);
  const s = f.signatures;
  let unsignedContainers: string[] = [];
  let unsigned = false;
  if (!s) details.push('signatures: not checked yet');
  else if (s.count === 0) {
    unsigned = s.trustConfigured;
    details.push(
      s.trustConfigured
        ? 'signatures: trusted keys are configured but the revision has no _sigs/'
        : 'signatures: none (the revision has no _sigs/)',
    );
  } else {
    unsignedContainers = containersOf(s.uncovered);
    unsigned = unsignedContainers.length > 0 || s.broken.length > 0;
    details.push(`signatures: ${s.count}`);
    if (unsignedContainers.length)
      details.push(`containers without a signature: ${unsignedContainers.join(', ')}`);
    if (s.broken.length)
      details.push(`stale or invalid: ${s.broken.map((n) => `_sigs/${n}.json`).join(', ')}`);
  }
  if (f.changed) return { kind: 'modified', text: `modified (${f.changed})`, details, unsignedContainers };
  if (unsigned) return { kind: 'unsigned', text: 'unsigned', details, unsignedContainers };
  return { kind: 'clean', text: 'clean', details, unsignedContainers };
}
