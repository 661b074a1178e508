import { homedir } from 'node:os';
import { parseProfile, type QemuProfile } from '../../core/qemu/QemuProfile';

export interface ReadProfiles {
  profiles: QemuProfile[];
  /** Problems, each naming the setting, the profile and the field to fix. */
  problems: { message: string; severity: 'error' | 'warning' }[];
}

const PATH_KEYS = ['image', 'kernel', 'initrd', 'firmware'];

/** Replaces `${workspaceFolder}` and `${userHome}` as VS Code's own settings do. */
function substitute(v: string, root: string | undefined): string {
  return v.replace(/\$\{userHome\}/g, homedir()).replace(/\$\{workspaceFolder\}/g, root ?? '.');
}

/**
 * Reads the `pantavisor.qemu.profiles` setting. Unusable profiles are reported, not thrown; names
 * must be unique because a preview is identified by its profile name.
 */
export function readProfiles(raw: readonly unknown[], root: string | undefined): ReadProfiles {
  const out: ReadProfiles = { profiles: [], problems: [] };
  const seen = new Set<string>();
  raw.forEach((item, i) => {
    let value = item;
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      const copy: Record<string, unknown> = { ...(item as Record<string, unknown>) };
      for (const k of PATH_KEYS) if (typeof copy[k] === 'string') copy[k] = substitute(copy[k], root);
      if (typeof copy['append'] === 'string') copy['append'] = substitute(copy['append'], root);
      if (Array.isArray(copy['extraArgs'])) {
        copy['extraArgs'] = copy['extraArgs'].map((a: unknown) =>
          typeof a === 'string' ? substitute(a, root) : a,
        );
      }
      value = copy;
    }
    const r = parseProfile(value, `profile-${i + 1}`);
    const label = `pantavisor.qemu.profiles[${i}]${r.profile ? ` ("${r.profile.name}")` : ''}`;
    for (const p of r.problems) {
      out.problems.push({
        message: `${label}${p.field ? `.${p.field}` : ''}: ${p.message}`,
        severity: p.severity,
      });
    }
    if (!r.profile) return;
    if (seen.has(r.profile.name)) {
      out.problems.push({
        message: `${label}: the name "${r.profile.name}" is used twice; names must be unique`,
        severity: 'error',
      });
      return;
    }
    seen.add(r.profile.name);
    out.profiles.push(r.profile);
  });
  return out;
}

/**
 * The preview a command is about: a profile name, an object with a `name` (a `PreviewInfo`), or a
 * Devices view item (a push target whose id is `qemu:<name>`).
 */
export function nameOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (typeof arg !== 'object' || arg === null) return undefined;
  const o = arg as { name?: unknown; id?: unknown };
  if (typeof o.name === 'string') return o.name;
  if (typeof o.id === 'string' && o.id.startsWith('qemu:')) return o.id.slice('qemu:'.length);
  return undefined;
}
