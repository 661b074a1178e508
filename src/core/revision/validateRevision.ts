import type { CoreDiagnostic, Severity } from '../diagnostics';
import { normalizeDiagnostics } from '../diagnostics';
import { walk, type JsonNode } from '../parse/parseJson';
import { ajvErrorsToDiagnostics, SCHEMA_SOURCE } from '../schema/ajvErrorsToDiagnostics';
import type { SchemaSet } from '../schema/schemaSet';
import { FILE_KINDS, isSha256, type FileKind } from './fileKinds';
import { containersOf, type RevisionEntry, type RevisionModel } from './RevisionModel';

export const RULES_SOURCE = 'pantavisor-rules';
export const SYNTAX_SOURCE = 'pantavisor-json';

export const SYSTEM1_SPEC = 'pantavisor-service-system@1';
export const MULTI1_SPEC = 'pantavisor-multi-platform@1';

/** Pantavisor's built-in groups, used when neither device.json nor groups.json defines any. */
export const DEFAULT_GROUPS = ['data', 'root', 'platform', 'app'] as const;

/**
 * Every rule code with its meaning; the README's table and the tests are generated from this, so
 * codes stay stable.
 */
export const RULES: Record<string, { severity: Severity; summary: string }> = {
  PV001: { severity: 'error', summary: 'JSON syntax error: Pantavisor cannot parse the file.' },
  PV002: { severity: 'error', summary: 'A state must be a JSON object.' },
  PV010: { severity: 'error', summary: 'The state has no #spec: Pantavisor rejects it.' },
  PV011: { severity: 'error', summary: 'Unknown #spec: Pantavisor rejects the state.' },
  PV012: {
    severity: 'warning',
    summary: 'Legacy #spec pantavisor-multi-platform@1 (not accepted by appengine).',
  },
  PV100: { severity: 'error', summary: 'run.json "name" differs from its folder.' },
  PV101: { severity: 'error', summary: 'run.json names a group that does not exist.' },
  PV102: { severity: 'error', summary: 'Container without a group while custom groups are defined.' },
  PV110: { severity: 'error', summary: 'run.json "config" names a file that is not in the revision.' },
  PV111: { severity: 'error', summary: 'run.json "root-volume" names a file that is not in the revision.' },
  PV112: { severity: 'error', summary: 'run.json "volumes" names a file that is not in the revision.' },
  PV113: { severity: 'error', summary: 'A dm: volume has no dm-verity manifest in _dm/.' },
  PV120: { severity: 'error', summary: 'Required driver alias not defined in bsp/drivers.json.' },
  PV121: { severity: 'info', summary: 'Optional driver alias not defined in bsp/drivers.json.' },
  PV130: { severity: 'error', summary: 'Required xconnect service not exported by any container.' },
  PV131: { severity: 'info', summary: 'Optional xconnect service not exported by any container.' },
  PV140: { severity: 'error', summary: 'Storage refers to a disk that is not defined.' },
  PV141: { severity: 'error', summary: 'Duplicate disk name or alias.' },
  PV142: { severity: 'error', summary: 'Duplicate group name.' },
  PV143: { severity: 'error', summary: 'Two containers have the same name.' },
  PV150: { severity: 'error', summary: 'bsp/run.json names a boot file that is not in the revision.' },
  PV160: { severity: 'warning', summary: 'device.json is present, so groups.json/disks.json are ignored.' },
  PV170: { severity: 'warning', summary: '_config/ overlay for a container that does not exist.' },
  PV171: { severity: 'warning', summary: 'services.json for a container that does not exist.' },
};

export interface ValidateOptions {
  /** Skip schema validation (rules only), e.g. when another service already runs the schemas. */
  skipSchema?: boolean;
}

class Reporter {
  readonly out: CoreDiagnostic[] = [];
  add(
    file: string,
    range: { start: number; end: number },
    code: string,
    message: string,
    data?: Record<string, unknown>,
  ): void {
    const rule = RULES[code];
    this.out.push({
      file,
      start: range.start,
      end: range.end,
      severity: rule?.severity ?? 'error',
      code,
      message,
      source: RULES_SOURCE,
      ...(data ? { data } : {}),
    });
  }
}

function nodeRange(n: JsonNode | undefined): { start: number; end: number } {
  return n ? { start: n.offset, end: n.offset + n.length } : { start: 0, end: 0 };
}

/** Range of the value at `path` inside an entry, falling back to the nearest ancestor or the key. */
function at(e: RevisionEntry, ...path: (string | number)[]): { start: number; end: number } {
  if (!e.node) return { start: 0, end: 0 };
  const { node } = walk(e.node, path.map(String));
  return nodeRange(node ?? e.keyNode ?? e.node);
}

/** Range of the key of the entry in a state, or of its whole value in a checkout file. */
function whole(e: RevisionEntry): { start: number; end: number } {
  if (e.keyNode) return nodeRange(e.keyNode);
  if (e.node) return { start: e.node.offset, end: e.node.offset + 1 };
  return { start: 0, end: 0 };
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Validates a revision model: syntax, schemas, then the cross-file rules. Never throws. */
export function validateRevision(
  model: RevisionModel,
  schemas: SchemaSet,
  opts: ValidateOptions = {},
): CoreDiagnostic[] {
  const r = new Reporter();
  try {
    syntax(model, r);
    spec(model, r);
    if (!opts.skipSchema) schema(model, schemas, r);
    rules(model, r);
  } catch (e) {
    // A rule bug must not take the editor down; report it where the user can see it.
    r.add(
      model.origin,
      { start: 0, end: 0 },
      'PV000',
      `Internal validator error: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return normalizeDiagnostics(r.out);
}

function syntax(model: RevisionModel, r: Reporter): void {
  for (const f of model.files) {
    for (const e of f.errors)
      r.out.push({
        file: f.file,
        start: e.start,
        end: e.end,
        severity: 'error',
        code: 'PV001',
        message: e.message,
        source: SYNTAX_SOURCE,
      });
  }
  if (model.form === 'state') {
    const f = model.files[0];
    if (f?.rootType && f.rootType !== 'object')
      r.add(f.file, nodeRange(f.root), 'PV002', `A revision state must be a JSON object, not ${f.rootType}.`);
  }
}

function spec(model: RevisionModel, r: Reporter): void {
  const s = model.spec;
  if (!s) return;
  if (model.form === 'state' && model.files[0]?.rootType !== 'object') return;
  if (!s.present) {
    const at = s.node ? { start: s.node.offset, end: s.node.offset + 1 } : { start: 0, end: 0 };
    r.add(
      s.file,
      at,
      'PV010',
      `Missing "#spec": Pantavisor rejects a state without it. Add "#spec": "${SYSTEM1_SPEC}".`,
      { fix: 'addSpec' },
    );
    return;
  }
  if (s.value === MULTI1_SPEC) {
    r.add(
      s.file,
      nodeRange(s.node),
      'PV012',
      `"${MULTI1_SPEC}" is the legacy format; the appengine and current tools expect "${SYSTEM1_SPEC}".`,
    );
  } else if (s.value !== SYSTEM1_SPEC) {
    r.add(
      s.file,
      nodeRange(s.node),
      'PV011',
      `Unknown "#spec" ${JSON.stringify(s.value)}: Pantavisor rejects the state. Use "${SYSTEM1_SPEC}".`,
      {
        fix: 'setSpec',
      },
    );
  }
}

function schema(model: RevisionModel, schemas: SchemaSet, r: Reporter): void {
  // Each key is dispatched to the schema of its kind (the same classification the state schema's
  // patternProperties express; a test keeps the two in agreement). This is several times faster
  // than running the state schema's regular expressions over every key of a large state.
  if (model.form === 'state' && model.files[0]?.rootType !== 'object') return;
  for (const e of model.entries.values()) {
    if (e.kind === 'object') {
      if (model.form === 'state' && !isSha256(e.value)) {
        r.out.push({
          file: e.file,
          ...nodeRange(e.node),
          severity: 'error',
          code: 'schema.pattern',
          message: `${e.key}: Must be the sha256 of the file: 64 lowercase hex digits.`,
          source: SCHEMA_SOURCE,
        });
      }
      continue;
    }
    const name = schemaForKey(e.key, e.kind);
    if (!name || e.onDisk) continue;
    const errors = schemas.validate(name, e.value);
    if (!errors.length) continue;
    if (model.form === 'state') {
      const root = model.files[0]?.root;
      const prefixed = errors.map((x) => ({
        ...x,
        instancePath: `/${e.key.replace(/~/g, '~0').replace(/\//g, '~1')}${x.instancePath}`,
      }));
      r.out.push(...ajvErrorsToDiagnostics(prefixed, root, e.file));
    } else {
      r.out.push(...ajvErrorsToDiagnostics(errors, e.node, e.file, { labelPrefix: [e.key] }));
    }
  }
}

/** Fixed keys whose schema lives in the state schema's `properties` rather than in a file of its own. */
const STATE_PROPERTY_KEYS = new Set([
  'bsp/build.json',
  '_hostconfig/pvr/docker.json',
  'network-mapping.json',
  'storage-mapping.json',
]);

/** The schema (file name, with a JSON-pointer fragment where needed) that applies to a key. */
export function schemaForKey(key: string, kind: FileKind): string | undefined {
  if (key === 'disks_v3.json') return 'pantavisor-disks.schema.json#/definitions/lenientDisks';
  if (kind === 'json' && STATE_PROPERTY_KEYS.has(key))
    return `pantavisor-state.schema.json#/properties/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  return FILE_KINDS[kind].schema;
}

interface Groups {
  names: Set<string>;
  custom: boolean;
  source: string;
}

function groupsOf(model: RevisionModel, r: Reporter): Groups {
  const device = model.entries.get('device.json');
  const legacy = model.entries.get('groups.json');
  if (device) {
    for (const k of ['groups.json', 'disks.json', 'disks_v3.json']) {
      const e = model.entries.get(k);
      if (e)
        r.add(
          e.file,
          whole(e),
          'PV160',
          `"${k}" is ignored because device.json is present; move its content into device.json.`,
        );
    }
    const d = obj(device.value);
    if (d && !Array.isArray(d['groups'])) {
      // The device schema already warns (required "groups", severity warning); Pantavisor then
      // falls back to its defaults, and so do the rules.
      return { names: new Set(DEFAULT_GROUPS), custom: false, source: 'the built-in defaults' };
    }
    return {
      names: collectNames(device, ['groups'], r, 'PV142', 'group'),
      custom: true,
      source: 'device.json',
    };
  }
  if (legacy && Array.isArray(legacy.value)) {
    return { names: collectNames(legacy, [], r, 'PV142', 'group'), custom: true, source: 'groups.json' };
  }
  return { names: new Set(DEFAULT_GROUPS), custom: false, source: 'the built-in defaults' };
}

/** Collects `name`s of the objects in the array at `path`, reporting duplicates. */
function collectNames(
  e: RevisionEntry,
  path: string[],
  r: Reporter,
  dupCode: string,
  what: string,
): Set<string> {
  let arr: unknown = e.value;
  for (const p of path) arr = obj(arr)?.[p];
  const names = new Set<string>();
  if (!Array.isArray(arr)) return names;
  arr.forEach((g, i) => {
    const n = obj(g)?.['name'];
    if (typeof n !== 'string') return;
    if (names.has(n))
      r.add(
        e.file,
        at(e, ...path, i, 'name'),
        dupCode,
        `Duplicate ${what} name "${n}": Pantavisor rejects the state.`,
      );
    names.add(n);
  });
  return names;
}

function disksOf(model: RevisionModel, r: Reporter): Set<string> {
  const names = new Set<string>();
  const device = model.entries.get('device.json');
  const sources: [RevisionEntry, string[]][] = [];
  if (device) for (const k of ['disks', 'disks_v2', 'disks_v3']) sources.push([device, [k]]);
  else
    for (const k of ['disks.json', 'disks_v3.json']) {
      const e = model.entries.get(k);
      if (e) sources.push([e, []]);
    }
  for (const [e, path] of sources) {
    let arr: unknown = e.value;
    for (const p of path) arr = obj(arr)?.[p];
    if (!Array.isArray(arr)) continue;
    arr.forEach((d, i) => {
      const o = obj(d);
      if (!o) return;
      const idents: [string, (string | number)[]][] = [];
      if (typeof o['name'] === 'string') idents.push([o['name'], [...path, i, 'name']]);
      strings(o['aliases']).forEach((a, j) => idents.push([a, [...path, i, 'aliases', j]]));
      for (const [n, p] of idents) {
        if (names.has(n))
          r.add(
            e.file,
            at(e, ...p),
            'PV141',
            `Disk name or alias "${n}" is used twice: Pantavisor rejects the state.`,
          );
        names.add(n);
      }
    });
  }
  return names;
}

function driverAliases(model: RevisionModel): Set<string> | undefined {
  const d = obj(model.entries.get('bsp/drivers.json')?.value);
  if (!d) return undefined;
  const out = new Set<string>();
  for (const [k, v] of Object.entries(d)) {
    if (k === '#spec') continue;
    for (const alias of Object.keys(obj(v) ?? {})) out.add(alias);
  }
  return out;
}

function exportedServices(model: RevisionModel): Map<string, Set<string | undefined>> {
  const out = new Map<string, Set<string | undefined>>();
  for (const e of model.entries.values()) {
    if (e.kind !== 'services') continue;
    const v = e.value;
    const list = Array.isArray(v)
      ? v
      : Array.isArray(obj(v)?.['services'])
        ? (obj(v)?.['services'] as unknown[])
        : [];
    for (const s of list) {
      const o = obj(s);
      if (typeof o?.['name'] !== 'string') continue;
      const types = out.get(o['name']) ?? new Set<string | undefined>();
      types.add(typeof o['type'] === 'string' ? o['type'] : undefined);
      out.set(o['name'], types);
    }
  }
  return out;
}

/** The file a volume reference names, without its `<handler>:` prefix. */
function volumeFile(ref: string): { handler?: string; file: string } {
  const m = /^([a-z0-9_-]+):(.+)$/i.exec(ref);
  return m ? { handler: m[1] ?? '', file: m[2] ?? '' } : { file: ref };
}

function rules(model: RevisionModel, r: Reporter): void {
  const containers = containersOf(model);
  const groups = groupsOf(model, r);
  const disks = disksOf(model, r);
  const drivers = driverAliases(model);
  const services = exportedServices(model);
  const has = (key: string): boolean => model.entries.has(key);
  const seenNames = new Map<string, string>();

  for (const [folder, e] of containers) {
    const run = obj(e.value);
    if (!run) continue;
    const name = run['name'];
    if (typeof name === 'string') {
      if (name !== folder) {
        r.add(
          e.file,
          at(e, 'name'),
          'PV100',
          `Container "name" is "${name}" but its folder is "${folder}": Pantavisor links a container's files by folder, so they must match.`,
          {
            fix: 'setName',
            value: folder,
          },
        );
      }
      const other = seenNames.get(name);
      if (other !== undefined)
        r.add(e.file, at(e, 'name'), 'PV143', `Container name "${name}" is also used by ${other}/run.json.`);
      seenNames.set(name, folder);
    }
    const group =
      typeof run['group'] === 'string'
        ? run['group']
        : typeof run['runlevel'] === 'string'
          ? run['runlevel']
          : undefined;
    const groupKey = typeof run['group'] === 'string' ? 'group' : 'runlevel';
    if (group !== undefined && !groups.names.has(group)) {
      r.add(
        e.file,
        at(e, groupKey),
        'PV101',
        `Group "${group}" is not defined in ${groups.source} (${[...groups.names].join(', ') || 'none'}): Pantavisor rejects the state.`,
        {
          groups: [...groups.names],
        },
      );
    } else if (group === undefined && groups.custom) {
      r.add(
        e.file,
        whole(e),
        'PV102',
        `"${folder}" has no "group" while ${groups.source} defines custom groups: Pantavisor rejects the state. Add "group".`,
        {
          groups: [...groups.names],
        },
      );
    }
    const fileRef = (prop: string, ref: unknown, code: string, path: (string | number)[]): void => {
      if (typeof ref !== 'string' || ref === '') return;
      const { handler, file } = volumeFile(ref);
      if (!has(`${folder}/${file}`)) {
        r.add(
          e.file,
          at(e, ...path),
          code,
          `${prop} "${ref}" needs "${folder}/${file}" in the revision, and it is not there.`,
        );
      }
      if (handler === 'dm' && !has(`${folder}/_dm/${file}.json`)) {
        r.add(
          e.file,
          at(e, ...path),
          'PV113',
          `"${ref}" mounts through dm-verity and needs "${folder}/_dm/${file}.json" (made by pvr dm-convert).`,
        );
      }
    };
    fileRef('"config"', run['config'], 'PV110', ['config']);
    fileRef('"root-volume"', run['root-volume'], 'PV111', ['root-volume']);
    strings(run['volumes']).forEach((v, i) => fileRef('Volume', v, 'PV112', ['volumes', i]));

    const drv = obj(run['drivers']);
    for (const kind of ['required', 'optional'] as const) {
      strings(drv?.[kind]).forEach((alias, i) => {
        if (drivers?.has(alias)) return;
        const where = drivers
          ? 'bsp/drivers.json does not define it'
          : 'the revision has no bsp/drivers.json';
        r.add(
          e.file,
          at(e, 'drivers', kind, i),
          kind === 'required' ? 'PV120' : 'PV121',
          `Driver "${alias}" is ${kind} but ${where}${kind === 'required' ? ': the revision fails to start' : ''}.`,
        );
      });
    }
    const svc = obj(run['services']);
    for (const kind of ['required', 'optional'] as const) {
      const list = Array.isArray(svc?.[kind]) ? (svc?.[kind] as unknown[]) : [];
      list.forEach((req, i) => {
        const o = obj(req);
        const n = o?.['name'];
        if (typeof n !== 'string') return;
        const types = services.get(n);
        const t = typeof o?.['type'] === 'string' ? o['type'] : undefined;
        if (types && (t === undefined || types.has(t) || types.has(undefined))) return;
        const why = types
          ? `no container exports "${n}" with type "${t ?? ''}"`
          : `no container exports "${n}" in its services.json`;
        r.add(
          e.file,
          at(e, 'services', kind, i, 'name'),
          kind === 'required' ? 'PV130' : 'PV131',
          `Service "${n}" is ${kind} but ${why}${kind === 'required' ? ': Pantavisor fails the revision' : ''}.`,
        );
      });
    }
    const storage = obj(run['storage']);
    for (const [vol, cfg] of Object.entries(storage ?? {})) {
      const disk = obj(cfg)?.['disk'];
      if (typeof disk === 'string' && !disks.has(disk)) {
        r.add(
          e.file,
          at(e, 'storage', vol, 'disk'),
          'PV140',
          `Storage "${vol}" uses disk "${disk}", which no disk name or alias defines.`,
        );
      }
    }
  }

  const device = model.entries.get('device.json');
  const volumes = obj(obj(device?.value)?.['volumes']);
  for (const [vol, cfg] of Object.entries(volumes ?? {})) {
    const disk = obj(cfg)?.['disk'];
    if (device && typeof disk === 'string' && !disks.has(disk)) {
      r.add(
        device.file,
        at(device, 'volumes', vol, 'disk'),
        'PV140',
        `Volume "${vol}" uses disk "${disk}", which no disk name or alias defines.`,
      );
    }
  }

  const bsp = model.entries.get('bsp/run.json');
  const b = obj(bsp?.value);
  if (bsp && b) {
    for (const k of ['linux', 'initrd', 'fdt', 'fit', 'rpiab', 'modules', 'firmware', 'initrd_config']) {
      const f = b[k];
      if (typeof f === 'string' && f !== '' && !has(`bsp/${f}`))
        r.add(bsp.file, at(bsp, k), 'PV150', `"${k}" names "bsp/${f}", which is not in the revision.`);
    }
    strings(b['addons']).forEach((f, i) => {
      if (f !== '' && !has(`bsp/${f}`))
        r.add(bsp.file, at(bsp, 'addons', i), 'PV150', `Addon "bsp/${f}" is not in the revision.`);
    });
  }

  for (const e of model.entries.values()) {
    const parts = e.key.split('/');
    if (parts[0] === '_config' && parts.length >= 3 && parts[1] && !containers.has(parts[1])) {
      r.add(
        e.file,
        whole(e),
        'PV170',
        `"${e.key}" configures container "${parts[1]}", which is not in the revision.`,
      );
    }
    if (e.kind === 'services' && parts[0] && !containers.has(parts[0])) {
      r.add(
        e.file,
        whole(e),
        'PV171',
        `"${e.key}" exports services for "${parts[0]}", which has no run.json.`,
      );
    }
  }
}
