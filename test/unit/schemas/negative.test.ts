import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ErrorObject } from 'ajv';
import { SchemaSet } from '../../../src/core/schema/schemaSet';
import { ajvErrorsToDiagnostics } from '../../../src/core/schema/ajvErrorsToDiagnostics';
import { parseJson } from '../../../src/core/parse/parseJson';

const schemas = new SchemaSet();

type Severity = 'error' | 'warning' | 'info';
interface Expect {
  keyword: string;
  path: string;
  severity?: Severity;
}
interface Case {
  schema: string;
  name: string;
  value: unknown;
  expect: Expect[];
}

const SHA = 'a'.repeat(64);
const RUN = { name: 'c' };
const SRC = { template: 'builtin-lxc-docker' };
const SIG = { '#spec': 'pvs@2', protected: 'eyJhbGciOiJSUzI1NiJ9', signature: 'c2ln' };
const DM = {
  type: 'dm-verity',
  data_device: 'root.squashfs',
  hash_device: 'root.squashfs.hash',
  root_hash: 'ab12',
};
const GROUP = { name: 'app' };
const POOL = { type: 'bridge', bridge: 'pvbr0', subnet: '10.0.5.0/24', gateway: '10.0.5.1' };

/** What ajv reports, minus `if` markers and the per-branch detail under an anyOf (kept: the anyOf). */
function findings(schema: string, value: unknown): Required<Expect>[] {
  return schemas
    .validate(schema, value)
    .filter((e: ErrorObject) => e.keyword !== 'if' && !/\/anyOf\/\d+\//.test(e.schemaPath))
    .map((e) => ({
      keyword: e.keyword,
      path: e.instancePath,
      severity: (e.parentSchema?.['x-severity'] as Severity) ?? 'error',
    }));
}

const S = 'pantavisor-state.schema.json';
const R = 'pantavisor-run.schema.json';
const SR = 'pantavisor-src.schema.json';
const G = 'pantavisor-groups.schema.json';
const DK = 'pantavisor-disks.schema.json';
const DV = 'pantavisor-device.schema.json';
const BR = 'pantavisor-bsp-run.schema.json';
const BS = 'pantavisor-bsp-src.schema.json';
const DR = 'pantavisor-drivers.schema.json';
const SV = 'pantavisor-services.schema.json';
const SG = 'pantavisor-signature.schema.json';
const D = 'pantavisor-dm.schema.json';
const M = 'pantavisor-mdev.schema.json';
const ST = { '#spec': 'pantavisor-service-system@1' };

const W = 'warning' as const;

// One case per line: the table reads best unwrapped.
// prettier-ignore
const CASES: Case[] = [
  // state
  { schema: S, name: 'missing #spec', value: {}, expect: [{ keyword: 'required', path: '' }] },
  { schema: S, name: 'unknown #spec', value: { '#spec': 'pantavisor-service-system@2' }, expect: [{ keyword: 'enum', path: '/#spec' }] },
  { schema: S, name: 'legacy #spec warns', value: { '#spec': 'pantavisor-multi-platform@1' }, expect: [{ keyword: 'not', path: '/#spec', severity: W }] },
  { schema: S, name: 'object with bad sha', value: { ...ST, 'a/root.squashfs': 'ABC' }, expect: [{ keyword: 'pattern', path: '/a~1root.squashfs' }] },
  { schema: S, name: 'object with upper-case sha', value: { ...ST, 'bsp/kernel.img': 'A'.repeat(64) }, expect: [{ keyword: 'pattern', path: '/bsp~1kernel.img' }] },
  { schema: S, name: 'object holding JSON', value: { ...ST, 'a/lxc.container.conf': {} }, expect: [{ keyword: 'type', path: '/a~1lxc.container.conf' }] },
  { schema: S, name: '_config file must be a sha', value: { ...ST, '_config/a/etc/x': 'nope' }, expect: [{ keyword: 'pattern', path: '/_config~1a~1etc~1x' }] },
  { schema: S, name: 'other *.json: any JSON or sha', value: { ...ST, '_config/a/x.json': { k: 1 }, 'a/x.json': SHA, 'network-mapping.json': {} }, expect: [] },
  { schema: S, name: 'run.json inside state', value: { ...ST, 'a/run.json': {} }, expect: [{ keyword: 'required', path: '/a~1run.json' }] },
  { schema: S, name: 'bsp/run.json not a container', value: { ...ST, 'bsp/run.json': { fit: 'x.fit' } }, expect: [] },
  { schema: S, name: 'bsp/run.json without kernel', value: { ...ST, 'bsp/run.json': {} }, expect: [{ keyword: 'anyOf', path: '/bsp~1run.json' }] },
  { schema: S, name: '_config run.json is free JSON', value: { ...ST, '_config/a/run.json': { x: 1 } }, expect: [] },
  { schema: S, name: 'signature in state', value: { ...ST, '_sigs/a.json': { ...SIG, '#spec': 'pvs@1' } }, expect: [{ keyword: 'enum', path: '/_sigs~1a.json/#spec' }] },
  { schema: S, name: 'dm manifest in state', value: { ...ST, 'a/_dm/root.squashfs.json': { ...DM, type: 'x' } }, expect: [{ keyword: 'enum', path: '/a~1_dm~1root.squashfs.json/type' }] },
  { schema: S, name: 'groups.json ignored with device.json', value: { ...ST, 'device.json': { groups: [GROUP] }, 'groups.json': [GROUP] }, expect: [{ keyword: 'not', path: '/groups.json', severity: W }] },
  { schema: S, name: 'disks_v3.json is lenient', value: { ...ST, 'disks_v3.json': [{ name: 'd', type: 'future' }] }, expect: [{ keyword: 'enum', path: '/disks_v3.json/0/type', severity: W }] },
  { schema: S, name: 'disks.json is strict', value: { ...ST, 'disks.json': [{ name: 'd', type: 'future' }] }, expect: [{ keyword: 'enum', path: '/disks.json/0/type' }] },
  { schema: S, name: 'services.json in state', value: { ...ST, 'a/services.json': 'x' }, expect: [{ keyword: 'type', path: '/a~1services.json' }] },
  { schema: S, name: 'hostconfig platforms', value: { ...ST, '_hostconfig/pvr/docker.json': { platforms: ['arm64'] } }, expect: [{ keyword: 'pattern', path: '/_hostconfig~1pvr~1docker.json/platforms/0' }] },

  // run.json
  { schema: R, name: 'missing name', value: {}, expect: [{ keyword: 'required', path: '' }] },
  { schema: R, name: 'name not a string', value: { name: 5 }, expect: [{ keyword: 'type', path: '/name' }] },
  { schema: R, name: 'status_goal is case-sensitive', value: { ...RUN, status_goal: 'started' }, expect: [{ keyword: 'enum', path: '/status_goal' }] },
  { schema: R, name: 'unknown restart_policy', value: { ...RUN, restart_policy: 'always' }, expect: [{ keyword: 'enum', path: '/restart_policy' }] },
  { schema: R, name: 'unknown type', value: { ...RUN, type: 'docker' }, expect: [{ keyword: 'enum', path: '/type' }] },
  { schema: R, name: 'volumes not a list', value: { ...RUN, volumes: 'a.squashfs' }, expect: [{ keyword: 'type', path: '/volumes' }] },
  { schema: R, name: 'unknown persistence warns', value: { ...RUN, storage: { x: { persistence: 'forever' } } }, expect: [{ keyword: 'enum', path: '/storage/x/persistence', severity: W }] },
  { schema: R, name: 'storage entry without persistence warns', value: { ...RUN, storage: { x: { disk: 'd' } } }, expect: [{ keyword: 'required', path: '/storage/x', severity: W }] },
  { schema: R, name: 'unknown role warns', value: { ...RUN, roles: ['admin'] }, expect: [{ keyword: 'enum', path: '/roles/0', severity: W }] },
  { schema: R, name: 'roles as a string warns', value: { ...RUN, roles: 'mgmt' }, expect: [{ keyword: 'type', path: '/roles', severity: W }] },
  { schema: R, name: 'roles object accepted', value: { ...RUN, roles: {} }, expect: [] },
  { schema: R, name: 'unknown runlevel warns', value: { ...RUN, runlevel: 'boot' }, expect: [{ keyword: 'enum', path: '/runlevel', severity: W }] },
  { schema: R, name: 'typo key warns', value: { ...RUN, 'restart-policy': 'system' }, expect: [{ keyword: 'not', path: '/restart-policy', severity: W }] },
  { schema: R, name: 'unknown recovery policy warns', value: { ...RUN, auto_recovery: { policy: 'sometimes' } }, expect: [{ keyword: 'enum', path: '/auto_recovery/policy', severity: W }] },
  { schema: R, name: 'bad backoff_policy warns', value: { ...RUN, auto_recovery: { backoff_policy: '5 minutes' } }, expect: [{ keyword: 'pattern', path: '/auto_recovery/backoff_policy', severity: W }] },
  { schema: R, name: 'numbers may be strings', value: { ...RUN, auto_recovery: { max_retries: '5', retry_delay: 5, backoff_factor: '1.5', backoff_policy: '10min' } }, expect: [] },
  { schema: R, name: 'non-numeric retry count warns', value: { ...RUN, auto_recovery: { max_retries: 'five' } }, expect: [{ keyword: 'pattern', path: '/auto_recovery/max_retries', severity: W }] },
  { schema: R, name: 'service requirement without name', value: { ...RUN, services: { required: [{ target: '/s' }] } }, expect: [{ keyword: 'required', path: '/services/required/0' }] },
  { schema: R, name: 'unknown service type warns', value: { ...RUN, services: { optional: [{ name: 's', type: 'tcp' }] } }, expect: [{ keyword: 'enum', path: '/services/optional/0/type', severity: W }] },
  { schema: R, name: 'log entry not an object', value: { ...RUN, logs: ['x'] }, expect: [{ keyword: 'type', path: '/logs/0' }] },
  { schema: R, name: 'dev-log must be a literal', value: { ...RUN, 'dev-log': 'yes' }, expect: [{ keyword: 'type', path: '/dev-log', severity: W }] },
  { schema: R, name: 'driver list as a string warns', value: { ...RUN, drivers: { required: 'wifi' } }, expect: [{ keyword: 'type', path: '/drivers/required', severity: W }] },
  { schema: R, name: 'network mode unknown warns', value: { ...RUN, network: { mode: 'bridge' } }, expect: [{ keyword: 'enum', path: '/network/mode', severity: W }] },
  { schema: R, name: 'IPAM doc-only keys warn', value: { ...RUN, network: { pool: 'p', interfaces: [] } }, expect: [{ keyword: 'not', path: '/network/interfaces', severity: W }] },
  { schema: R, name: 'remount rule shape warns', value: { ...RUN, remount: { default: ['/'] } }, expect: [{ keyword: 'type', path: '/remount/default/0', severity: W }] },
  { schema: R, name: 'remount rule with two keys warns', value: { ...RUN, remount: { default: [{ '/': 'ro', '/x': 'rw' }] } }, expect: [{ keyword: 'maxProperties', path: '/remount/default/0', severity: W }] },
  { schema: R, name: '#spec other than @1 warns', value: { ...RUN, '#spec': 'service-manifest-run@2' }, expect: [{ keyword: 'enum', path: '/#spec', severity: W }] },

  // src.json
  { schema: SR, name: 'missing template', value: {}, expect: [{ keyword: 'required', path: '' }] },
  { schema: SR, name: 'unknown template', value: { template: 'custom' }, expect: [{ keyword: 'enum', path: '/template' }] },
  { schema: SR, name: 'bad docker_source', value: { ...SRC, docker_source: 'registry' }, expect: [{ keyword: 'pattern', path: '/docker_source' }] },
  { schema: SR, name: 'PV_GROUP not a string crashes pvr', value: { ...SRC, args: { PV_GROUP: 5 } }, expect: [{ keyword: 'type', path: '/args/PV_GROUP' }] },
  { schema: SR, name: 'PV_STATUS_GOAL enum', value: { ...SRC, args: { PV_STATUS_GOAL: 'RUNNING' } }, expect: [{ keyword: 'enum', path: '/args/PV_STATUS_GOAL' }] },
  { schema: SR, name: 'PV_RESTART_POLICY enum', value: { ...SRC, args: { PV_RESTART_POLICY: 'never' } }, expect: [{ keyword: 'enum', path: '/args/PV_RESTART_POLICY' }] },
  { schema: SR, name: 'toggle "no" enables (warning)', value: { ...SRC, args: { PV_DEBUG_MODE: 'no' } }, expect: [{ keyword: 'not', path: '/args/PV_DEBUG_MODE', severity: W }] },
  { schema: SR, name: 'toggle 0 enables (warning)', value: { ...SRC, args: { PV_SECURITY_FULLDEV: 0 } }, expect: [{ keyword: 'not', path: '/args/PV_SECURITY_FULLDEV', severity: W }] },
  { schema: SR, name: 'toggle false is fine', value: { ...SRC, args: { PV_DEBUG_MODE: false, PV_SECURITY_WITH_STORAGE: 'yes' } }, expect: [] },
  { schema: SR, name: 'iterated arg given a string', value: { ...SRC, args: { PV_LXC_CAP_KEEP: 'net_admin' } }, expect: [{ keyword: 'type', path: '/args/PV_LXC_CAP_KEEP' }] },
  { schema: SR, name: 'iterated arg given true', value: { ...SRC, args: { PV_LXC_EXTRA_ENV: true } }, expect: [{ keyword: 'not', path: '/args/PV_LXC_EXTRA_ENV' }] },
  { schema: SR, name: 'cap item not a string', value: { ...SRC, args: { PV_LXC_CAP_DROP: [1] } }, expect: [{ keyword: 'type', path: '/args/PV_LXC_CAP_DROP/0' }] },
  { schema: SR, name: 'volume import with one colon', value: { ...SRC, args: { PV_VOLUME_IMPORTS: ['a:b'] } }, expect: [{ keyword: 'pattern', path: '/args/PV_VOLUME_IMPORTS/0' }] },
  { schema: SR, name: 'comma arg given an array', value: { ...SRC, args: { PV_VOLUME_MOUNTS: ['a:/b'] } }, expect: [{ keyword: 'type', path: '/args/PV_VOLUME_MOUNTS' }] },
  { schema: SR, name: 'network type unknown warns', value: { ...SRC, args: { PV_LXC_NETWORK_TYPE: 'bridge' } }, expect: [{ keyword: 'enum', path: '/args/PV_LXC_NETWORK_TYPE', severity: W }] },
  { schema: SR, name: 'arg names are case-sensitive', value: { ...SRC, args: { pv_group: 'app' } }, expect: [{ keyword: 'not', path: '/args/pv_group', severity: W }] },
  { schema: SR, name: 'PV_SERVICES_REQUIRED as a string warns', value: { ...SRC, args: { PV_SERVICES_REQUIRED: 'a,b' } }, expect: [{ keyword: 'not', path: '/args/PV_SERVICES_REQUIRED', severity: W }] },
  { schema: SR, name: 'PV_AUTO_RECOVERY checked', value: { ...SRC, args: { PV_AUTO_RECOVERY: { policy: 'maybe' } } }, expect: [{ keyword: 'enum', path: '/args/PV_AUTO_RECOVERY/policy', severity: W }] },
  { schema: SR, name: 'PV_SERVICES_REQUIRED item without name', value: { ...SRC, args: { PV_SERVICES_REQUIRED: [{ target: '/x' }] } }, expect: [{ keyword: 'required', path: '/args/PV_SERVICES_REQUIRED/0' }] },
  { schema: SR, name: 'unknown persistence warns', value: { ...SRC, persistence: { '/data': 'forever' } }, expect: [{ keyword: 'pattern', path: '/persistence/~1data', severity: W }] },
  { schema: SR, name: 'persistence with disk', value: { ...SRC, persistence: { '/data': 'permanent@dm-secrets', 'ovl:/etc': 'revision' } }, expect: [] },
  { schema: SR, name: 'persistence value not a string', value: { ...SRC, persistence: { '/data': 5 } }, expect: [{ keyword: 'type', path: '/persistence/~1data' }] },
  { schema: SR, name: 'dm_enabled not boolean', value: { ...SRC, dm_enabled: { 'root.squashfs': 'yes' } }, expect: [{ keyword: 'type', path: '/dm_enabled/root.squashfs' }] },
  { schema: SR, name: 'exports not strings', value: { ...SRC, exports: [1] }, expect: [{ keyword: 'type', path: '/exports/0' }] },
  { schema: SR, name: 'Env as a string', value: { ...SRC, docker_config: { Env: 'A=1' } }, expect: [{ keyword: 'type', path: '/docker_config/Env' }] },
  { schema: SR, name: 'Volumes not an object', value: { ...SRC, config: { Volumes: [] } }, expect: [{ keyword: 'type', path: '/config/Volumes' }] },
  { schema: SR, name: 'unknown top-level key warns', value: { ...SRC, fooo: 1 }, expect: [{ keyword: 'not', path: '/fooo', severity: W }] },

  // groups.json
  { schema: G, name: 'empty list', value: [], expect: [{ keyword: 'minItems', path: '' }] },
  { schema: G, name: 'not a list', value: {}, expect: [{ keyword: 'type', path: '' }] },
  { schema: G, name: 'group without name', value: [{ status_goal: 'STARTED' }], expect: [{ keyword: 'required', path: '/0' }] },
  { schema: G, name: 'group status_goal enum', value: [{ ...GROUP, status_goal: 'RUNNING' }], expect: [{ keyword: 'enum', path: '/0/status_goal' }] },
  { schema: G, name: 'negative timeout', value: [{ ...GROUP, timeout: -1 }], expect: [{ keyword: 'minimum', path: '/0/timeout' }] },
  { schema: G, name: 'timeout as text', value: [{ ...GROUP, timeout: '30' }], expect: [] },
  { schema: G, name: 'timeout not a number warns', value: [{ ...GROUP, timeout: 'soon' }], expect: [{ keyword: 'pattern', path: '/0/timeout', severity: W }] },
  { schema: G, name: 'negative timeout as text', value: [{ ...GROUP, timeout: '-5' }], expect: [{ keyword: 'not', path: '/0/timeout' }] },
  { schema: G, name: 'fractional timeout warns', value: [{ ...GROUP, timeout: 30.5 }], expect: [{ keyword: 'type', path: '/0/timeout', severity: W }] },
  { schema: G, name: 'unknown group key warns', value: [{ ...GROUP, statusgoal: 'READY' }], expect: [{ keyword: 'not', path: '/0/statusgoal', severity: W }] },

  // disks.json
  { schema: DK, name: 'empty list', value: [], expect: [{ keyword: 'minItems', path: '' }] },
  { schema: DK, name: 'unknown disk type', value: [{ name: 'd', type: 'nvme' }], expect: [{ keyword: 'enum', path: '/0/type' }] },
  { schema: DK, name: 'disk without name', value: [{ type: 'swap-disk' }], expect: [{ keyword: 'required', path: '/0' }] },
  { schema: DK, name: 'disk without type', value: [{ name: 'd' }], expect: [{ keyword: 'required', path: '/0' }] },
  { schema: DK, name: 'provision_ops misspelling warns', value: [{ name: 'd', type: 'swap-disk', provision_ops: 'x' }], expect: [{ keyword: 'not', path: '/0/provision_ops', severity: W }] },
  { schema: DK, name: 'unknown format warns', value: [{ name: 'd', type: 'volume-disk', format: 'xfs' }], expect: [{ keyword: 'enum', path: '/0/format', severity: W }] },
  { schema: DK, name: 'dual init_order enum', value: [{ name: 'd', type: 'dual', init_order: ['tertiary'] }], expect: [{ keyword: 'enum', path: '/0/init_order/0' }] },

  // device.json
  { schema: DV, name: 'without groups warns', value: {}, expect: [{ keyword: 'required', path: '', severity: W }] },
  { schema: DV, name: 'empty groups', value: { groups: [] }, expect: [{ keyword: 'minItems', path: '/groups' }] },
  { schema: DV, name: 'strict disks', value: { groups: [GROUP], disks: [{ name: 'd', type: 'x' }] }, expect: [{ keyword: 'enum', path: '/disks/0/type' }] },
  { schema: DV, name: 'lenient disks_v3', value: { groups: [GROUP], disks_v3: [{ name: 'd', type: 'x' }] }, expect: [{ keyword: 'enum', path: '/disks_v3/0/type', severity: W }] },
  { schema: DV, name: 'pool without subnet warns', value: { groups: [GROUP], network: { pools: { p: { bridge: 'b', gateway: '10.0.0.1' } } } }, expect: [{ keyword: 'required', path: '/network/pools/p', severity: W }] },
  { schema: DV, name: 'macvlan pool without parent warns', value: { groups: [GROUP], network: { pools: { p: { ...POOL, type: 'macvlan' } } } }, expect: [{ keyword: 'required', path: '/network/pools/p', severity: W }] },
  { schema: DV, name: 'bridge pool without bridge warns', value: { groups: [GROUP], network: { pools: { p: { subnet: '10.0.0.0/24', gateway: '10.0.0.1' } } } }, expect: [{ keyword: 'required', path: '/network/pools/p', severity: W }] },
  { schema: DV, name: 'nat "yes" warns', value: { groups: [GROUP], network: { pools: { p: { ...POOL, nat: 'yes' } } } }, expect: [{ keyword: 'enum', path: '/network/pools/p/nat', severity: W }] },
  { schema: DV, name: 'volume persistence', value: { groups: [GROUP], volumes: { 'pv--devmeta': { persistence: 'always' } } }, expect: [{ keyword: 'enum', path: '/volumes/pv--devmeta/persistence', severity: W }] },
  { schema: DV, name: 'remount policy not a list', value: { groups: [GROUP], remount: { default: 'ro' } }, expect: [{ keyword: 'type', path: '/remount/default', severity: W }] },
  { schema: DV, name: 'unknown key warns', value: { groups: [GROUP], disk: [] }, expect: [{ keyword: 'not', path: '/disk', severity: W }] },

  // bsp/run.json
  { schema: BR, name: 'no kernel at all', value: {}, expect: [{ keyword: 'anyOf', path: '' }] },
  { schema: BR, name: 'linux without initrd', value: { linux: 'kernel.img' }, expect: [{ keyword: 'anyOf', path: '' }] },
  { schema: BR, name: 'fit not a string', value: { fit: 1 }, expect: [{ keyword: 'type', path: '/fit' }] },
  { schema: BR, name: 'addons not a list', value: { fit: 'f', addons: 'a' }, expect: [{ keyword: 'type', path: '/addons' }] },
  { schema: BR, name: 'pvr-only kernel key warns', value: { fit: 'f', kernel: 'k' }, expect: [{ keyword: 'not', path: '/kernel', severity: W }] },
  { schema: BR, name: 'modules per kernel release', value: { rpiab: 'boot.img', 'modules_6.1.0': 'm.squashfs' }, expect: [] },

  // bsp/src.json
  { schema: BS, name: 'wrong #spec warns', value: { '#spec': 'bsp-manifest-src@2' }, expect: [{ keyword: 'enum', path: '/#spec', severity: W }] },
  { schema: BS, name: 'pvr not a string', value: { pvr: [] }, expect: [{ keyword: 'type', path: '/pvr' }] },

  // bsp/drivers.json
  { schema: DR, name: 'alias not a list', value: { all: { wifi: 'brcmfmac' } }, expect: [{ keyword: 'type', path: '/all/wifi' }] },
  { schema: DR, name: 'module not a string', value: { 'fitconfig:conf-1': { wifi: [1] } }, expect: [{ keyword: 'type', path: '/fitconfig:conf-1/wifi/0' }] },
  { schema: DR, name: 'unknown section warns', value: { board: {} }, expect: [{ keyword: 'not', path: '/board', severity: W }] },
  { schema: DR, name: 'wrong #spec warns', value: { '#spec': 'driver-aliases@2' }, expect: [{ keyword: 'enum', path: '/#spec', severity: W }] },

  // services.json
  { schema: SV, name: 'not object or array', value: 'x', expect: [{ keyword: 'type', path: '' }] },
  { schema: SV, name: 'no services list warns', value: { '#spec': 'service-manifest-xconnect@1' }, expect: [{ keyword: 'required', path: '', severity: W }] },
  { schema: SV, name: 'xconnect@2 warns', value: { '#spec': 'service-manifest-xconnect@2', services: [] }, expect: [{ keyword: 'enum', path: '/#spec', severity: W }] },
  { schema: SV, name: 'tcp type warns', value: { services: [{ name: 'x', type: 'tcp', socket: '/s' }] }, expect: [{ keyword: 'enum', path: '/services/0/type', severity: W }] },
  { schema: SV, name: 'legacy array, missing socket', value: [{ name: 'x', type: 'unix' }], expect: [{ keyword: 'required', path: '/0', severity: W }] },
  { schema: SV, name: 'legacy array accepted', value: [{ name: 'x', type: 'unix', socket: '/s' }], expect: [] },
  { schema: SV, name: 'name declaration without bus warns', value: { services: [{ type: 'dbus', owns: 'org.x.Y', role: 'r' }] }, expect: [{ keyword: 'required', path: '/services/0', severity: W }] },
  { schema: SV, name: 'services not a list', value: { services: {} }, expect: [{ keyword: 'type', path: '/services' }] },

  // _sigs/*.json
  { schema: SG, name: 'wrong #spec', value: { ...SIG, '#spec': 'pvs@1' }, expect: [{ keyword: 'enum', path: '/#spec' }] },
  { schema: SG, name: 'missing signature', value: { '#spec': 'pvs@2', protected: 'e30' }, expect: [{ keyword: 'required', path: '' }] },
  { schema: SG, name: 'protected not base64url', value: { ...SIG, protected: 'a+b=' }, expect: [{ keyword: 'pattern', path: '/protected' }] },

  // _dm/*.json
  { schema: D, name: 'missing root_hash', value: { type: 'dm-verity', data_device: 'a', hash_device: 'b' }, expect: [{ keyword: 'required', path: '' }] },
  { schema: D, name: 'wrong type', value: { ...DM, type: 'dm-crypt' }, expect: [{ keyword: 'enum', path: '/type' }] },
  { schema: D, name: 'root_hash not hex', value: { ...DM, root_hash: 'xyz' }, expect: [{ keyword: 'pattern', path: '/root_hash' }] },
  { schema: D, name: 'bad uuid', value: { ...DM, uuid: '1234' }, expect: [{ keyword: 'pattern', path: '/uuid' }] },

  // mdev.json
  { schema: M, name: 'rules not a list', value: { rules: 'x' }, expect: [{ keyword: 'type', path: '/rules' }] },
  { schema: M, name: 'rule not a string warns', value: { rules: [5] }, expect: [{ keyword: 'type', path: '/rules/0', severity: W }] },
  { schema: M, name: 'malformed rule warns', value: { rules: ['watchdog'] }, expect: [{ keyword: 'pattern', path: '/rules/0', severity: W }] },
  { schema: M, name: 'bare array is an info', value: ['watchdog.* 0:0 0660'], expect: [{ keyword: 'maxItems', path: '', severity: 'info' }] },
  { schema: M, name: 'scalar rejected', value: 'x', expect: [{ keyword: 'type', path: '' }] },
];

/** Fragments used for files that are parts of a schema (decoded pvs header, meta-pantavisor args files). */
const FRAGMENT_CASES: Case[] = [
  {
    schema: 'pantavisor-signature.schema.json#/definitions/protectedHeader',
    name: 'unknown alg',
    value: { alg: 'HS256', pvs: {} },
    expect: [{ keyword: 'enum', path: '/alg' }],
  },
  {
    schema: 'pantavisor-src.schema.json#/definitions/args',
    name: 'args file: wrong status goal',
    value: { PV_STATUS_GOAL: 'UP' },
    expect: [{ keyword: 'enum', path: '/PV_STATUS_GOAL' }],
  },
];

for (const c of [...CASES, ...FRAGMENT_CASES]) {
  test(`${c.schema.replace(/^pantavisor-|\.schema\.json/g, '')}: ${c.name}`, () => {
    const want = c.expect.map((e) => ({ severity: 'error', ...e }));
    assert.deepEqual(findings(c.schema, c.value), want);
  });
}

test('x-severity and errorMessage reach the diagnostics', () => {
  const text = '{"name":"c","storage":{"x":{"persistence":"forever"}},"status_goal":"up"}';
  const parsed = parseJson(text);
  const diags = ajvErrorsToDiagnostics(schemas.validate(R, JSON.parse(text)), parsed.root, 'c/run.json');
  const byCode = diags.map((d) => [d.severity, text.slice(d.start, d.end), d.message]);
  assert.deepEqual(byCode, [
    [
      'warning',
      '"forever"',
      'storage.x.persistence must be one of "permanent", "revision", "boot"; got "forever". ' +
        'Pantavisor does not know this persistence and treats it as "boot" (data lost at reboot). Use permanent, revision or boot.',
    ],
    ['error', '"up"', 'status_goal must be one of "MOUNTED", "STARTED", "READY"; got "up".'],
  ]);
});

test('warning-level required and type failures carry their explanation and code', () => {
  const text = '{"name":"c","storage":{"y":{}},"roles":"mgmt","typo":1}';
  const parsed = parseJson(text);
  const diags = ajvErrorsToDiagnostics(schemas.validate(R, JSON.parse(text)), parsed.root, 'c/run.json');
  assert.deepEqual(
    [...diags]
      .sort((a, b) => a.start - b.start)
      .map((d) => [d.severity, d.code, text.slice(d.start, d.end), d.message]),
    [
      [
        'warning',
        'schema.required',
        '"y"',
        'Missing property "persistence" in storage.y. Pantavisor ignores a storage entry without "persistence".',
      ],
      [
        'warning',
        'schema.type',
        '"mgmt"',
        'roles must be an array or an object, not string. Pantavisor reads roles as an array such as ["mgmt"]; ' +
          'a value of another type grants no role. Write it as an array.',
      ],
      [
        'warning',
        'schema.unknownKey',
        '1',
        'typo: Pantavisor ignores this key in run.json (check the spelling: e.g. restart_policy, status_goal, root-volume).',
      ],
    ],
  );
});
