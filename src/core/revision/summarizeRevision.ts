import { walk } from '../parse/parseJson';
import { DEFAULT_GROUPS } from './validateRevision';
import { containersOf, type RevisionEntry, type RevisionModel } from './RevisionModel';

/** Where a thing is defined, for "go to definition" from a view. */
export interface SourceRef {
  file: string;
  start: number;
  end: number;
}

export interface ContainerSummary {
  name: string;
  group?: string;
  statusGoal?: string;
  restartPolicy?: string;
  roles: string[];
  image?: { name?: string; tag?: string; digest?: string; platform?: string };
  rootVolume?: string;
  volumes: { name: string; persistence?: string; disk?: string }[];
  drivers: { required: string[]; optional: string[]; manual: string[] };
  services: { exports: string[]; required: string[]; optional: string[] };
  ref: SourceRef;
}

export interface RevisionSummary {
  containers: ContainerSummary[];
  bsp?: { files: Record<string, string>; ref: SourceRef };
  groups: { name: string; statusGoal?: string; restartPolicy?: string; builtIn: boolean; ref?: SourceRef }[];
  disks: { name: string; type?: string; ref: SourceRef }[];
  signatures: { name: string; ref: SourceRef }[];
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strs = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

function ref(e: RevisionEntry, ...path: (string | number)[]): SourceRef {
  const n = e.node ? (walk(e.node, path.map(String)).node ?? e.node) : undefined;
  const k = path.length === 0 && e.keyNode ? e.keyNode : n;
  return k ? { file: e.file, start: k.offset, end: k.offset + k.length } : { file: e.file, start: 0, end: 0 };
}

/** What the revision view shows: plain data computed from the model, with source locations. */
export function summarizeRevision(model: RevisionModel): RevisionSummary {
  const containers: ContainerSummary[] = [];
  for (const [folder, e] of containersOf(model)) {
    const run = obj(e.value);
    const src = obj(model.entries.get(`${folder}/src.json`)?.value);
    const svc = obj(model.entries.get(`${folder}/services.json`)?.value);
    const exportsList = Array.isArray(model.entries.get(`${folder}/services.json`)?.value)
      ? (model.entries.get(`${folder}/services.json`)?.value as unknown[])
      : Array.isArray(svc['services'])
        ? (svc['services'] as unknown[])
        : [];
    const required = Array.isArray(obj(run['services'])['required'])
      ? (obj(run['services'])['required'] as unknown[])
      : [];
    const optional = Array.isArray(obj(run['services'])['optional'])
      ? (obj(run['services'])['optional'] as unknown[])
      : [];
    const image =
      src['docker_name'] !== undefined
        ? {
            name: str(src['docker_name']),
            tag: str(src['docker_tag']),
            digest: str(src['docker_digest']),
            platform: str(src['docker_platform']),
          }
        : undefined;
    const c: ContainerSummary = {
      name: folder,
      roles: Array.isArray(run['roles']) ? strs(run['roles']) : [],
      volumes: Object.entries(obj(run['storage'])).map(([name, v]) => ({
        name,
        persistence: str(obj(v)['persistence']),
        disk: str(obj(v)['disk']),
      })),
      drivers: {
        required: strs(obj(run['drivers'])['required']),
        optional: strs(obj(run['drivers'])['optional']),
        manual: strs(obj(run['drivers'])['manual']),
      },
      services: {
        exports: exportsList.map((s) => str(obj(s)['name'])).filter((s): s is string => !!s),
        required: required.map((s) => str(obj(s)['name'])).filter((s): s is string => !!s),
        optional: optional.map((s) => str(obj(s)['name'])).filter((s): s is string => !!s),
      },
      ref: ref(e),
    };
    const group = str(run['group']) ?? str(run['runlevel']);
    if (group) c.group = group;
    const goal = str(run['status_goal']);
    if (goal) c.statusGoal = goal;
    const rp = str(run['restart_policy']);
    if (rp) c.restartPolicy = rp;
    if (image) c.image = image;
    const rv = str(run['root-volume']);
    if (rv) c.rootVolume = rv;
    containers.push(c);
  }
  containers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const out: RevisionSummary = { containers, groups: [], disks: [], signatures: [] };
  const bsp = model.entries.get('bsp/run.json');
  if (bsp) {
    const files: Record<string, string> = {};
    for (const [k, v] of Object.entries(obj(bsp.value))) if (typeof v === 'string' && v) files[k] = v;
    out.bsp = { files, ref: ref(bsp) };
  }
  const device = model.entries.get('device.json');
  const legacy = model.entries.get('groups.json');
  const groupSrc = device ?? legacy;
  const groupArr = device ? obj(device.value)['groups'] : legacy?.value;
  if (groupSrc && Array.isArray(groupArr)) {
    groupArr.forEach((g, i) => {
      const name = str(obj(g)['name']);
      if (!name) return;
      const path = device ? ['groups', i] : [i];
      out.groups.push({
        name,
        statusGoal: str(obj(g)['status_goal']),
        restartPolicy: str(obj(g)['restart_policy']),
        builtIn: false,
        ref: ref(groupSrc, ...path),
      });
    });
  } else {
    for (const name of DEFAULT_GROUPS) out.groups.push({ name, builtIn: true });
  }
  if (device) {
    for (const k of ['disks', 'disks_v2', 'disks_v3']) {
      const arr = obj(device.value)[k];
      if (!Array.isArray(arr)) continue;
      arr.forEach((d, i) => {
        const name = str(obj(d)['name']);
        if (name) out.disks.push({ name, type: str(obj(d)['type']), ref: ref(device, k, i) });
      });
    }
  }
  for (const e of model.entries.values())
    if (e.kind === 'signature')
      out.signatures.push({ name: e.key.slice('_sigs/'.length, -'.json'.length), ref: ref(e) });
  out.signatures.sort((a, b) => (a.name < b.name ? -1 : 1));
  return out;
}
