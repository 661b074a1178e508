import type { RevisionSummary, SourceRef } from './summarizeRevision';

/** A node of the revision view: a label, optional children and an optional source location. */
export interface RevisionNode {
  label: string;
  description?: string;
  tooltip?: string;
  icon?: string;
  ref?: SourceRef;
  children?: RevisionNode[];
  contextValue?: string;
}

/** Builds the view's nodes from a summary (pure, so the integration test can check it). */
export function revisionNodes(s: RevisionSummary): RevisionNode[] {
  const containers: RevisionNode = {
    label: 'Containers',
    description: String(s.containers.length),
    icon: 'package',
    children: s.containers.map((c) => ({
      label: c.name,
      description: [c.group, c.statusGoal].filter(Boolean).join(' · '),
      icon: 'symbol-class',
      ref: c.ref,
      contextValue: 'container',
      children: [
        { label: 'group', description: c.group ?? '(default)', icon: 'layers' },
        ...(c.statusGoal ? [{ label: 'status goal', description: c.statusGoal, icon: 'pulse' }] : []),
        ...(c.restartPolicy
          ? [{ label: 'restart policy', description: c.restartPolicy, icon: 'debug-restart' }]
          : []),
        ...(c.image
          ? [
              {
                label: 'image',
                description: `${c.image.name ?? '?'}:${c.image.tag ?? 'latest'}`,
                tooltip: [c.image.digest, c.image.platform].filter(Boolean).join('\n'),
                icon: 'archive',
                children: [
                  ...(c.image.digest ? [{ label: 'digest', description: c.image.digest }] : []),
                  ...(c.image.platform ? [{ label: 'platform', description: c.image.platform }] : []),
                ],
              },
            ]
          : []),
        ...(c.rootVolume ? [{ label: 'root volume', description: c.rootVolume, icon: 'file-binary' }] : []),
        ...(c.volumes.length
          ? [
              {
                label: 'storage',
                description: String(c.volumes.length),
                icon: 'database',
                children: c.volumes.map((v) => ({
                  label: v.name,
                  description: [v.persistence, v.disk && `disk ${v.disk}`].filter(Boolean).join(' · '),
                })),
              },
            ]
          : []),
        ...(c.drivers.required.length + c.drivers.optional.length + c.drivers.manual.length
          ? [
              {
                label: 'drivers',
                icon: 'plug',
                children: (['required', 'optional', 'manual'] as const)
                  .filter((k) => c.drivers[k].length)
                  .map((k) => ({ label: k, description: c.drivers[k].join(', ') })),
              },
            ]
          : []),
        ...(c.services.exports.length + c.services.required.length + c.services.optional.length
          ? [
              {
                label: 'services',
                icon: 'radio-tower',
                children: [
                  ...(c.services.exports.length
                    ? [{ label: 'exports', description: c.services.exports.join(', ') }]
                    : []),
                  ...(c.services.required.length
                    ? [{ label: 'requires', description: c.services.required.join(', ') }]
                    : []),
                  ...(c.services.optional.length
                    ? [{ label: 'optional', description: c.services.optional.join(', ') }]
                    : []),
                ],
              },
            ]
          : []),
      ],
    })),
  };
  const nodes: RevisionNode[] = [containers];
  if (s.bsp) {
    nodes.push({
      label: 'BSP',
      icon: 'chip',
      ref: s.bsp.ref,
      children: Object.entries(s.bsp.files).map(([k, v]) => ({ label: k, description: v })),
    });
  }
  nodes.push({
    label: 'Groups',
    description: s.groups.some((g) => g.builtIn) ? 'built-in defaults' : String(s.groups.length),
    icon: 'layers',
    children: s.groups.map((g) => ({
      label: g.name,
      description: [g.statusGoal, g.restartPolicy].filter(Boolean).join(' · '),
      ...(g.ref ? { ref: g.ref } : {}),
    })),
  });
  if (s.disks.length)
    nodes.push({
      label: 'Disks',
      icon: 'server',
      children: s.disks.map((d) => ({ label: d.name, description: d.type ?? '', ref: d.ref })),
    });
  nodes.push({
    label: 'Signatures',
    description: s.signatures.length ? String(s.signatures.length) : 'unsigned',
    icon: 'verified',
    children: s.signatures.map((g) => ({ label: g.name, ref: g.ref, icon: 'key' })),
  });
  return nodes;
}
