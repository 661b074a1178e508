/**
 * THE table of balena compose fields and `io.balena.*` labels: what each one does on balena, what
 * balena's builder and supervisor do with it, and what it becomes on Pantavisor.
 *
 * The editor (diagnostics, hover, completion) and the balena → Pantavisor converter both read this
 * table, so they can never disagree. Facts come from balena's compose support reference, the
 * balena-compose-parser deny lists (as exercised by its fixtures) and pantavisor-format.md §2.8/§6.
 *
 * Keys are dotted paths with the collection level left out: `service.restart`,
 * `service.build.context`, `volume.driver`, `network.ipam`, `top.secrets`.
 */

/** What balena does with a field. */
export type BalenaStatus =
  /** Accepted and used. */
  | 'supported'
  /** The builder (balena-compose-parser) rejects the release. */
  | 'rejected'
  /** Accepted, then removed from the composition with a warning. */
  | 'dropped'
  /** Accepted by the parser but documented as unsupported: the supervisor does not apply it. */
  | 'ignored';

/** What a field or label becomes on Pantavisor. */
export type PantavisorOutcome =
  /** A direct equivalent exists. `to` names the src.json field, template arg or run.json key. */
  | { kind: 'mapped'; to: string; note?: string }
  /** A close but not identical equivalent; `how` says what differs. */
  | { kind: 'approximated'; to: string; how: string }
  /** No equivalent; `why` explains and `instead` says what a Pantavisor engineer does. */
  | { kind: 'dropped'; why: string; instead: string };

/** How loudly the editor reports the Pantavisor outcome on the node (`none`: hover only). */
export type PvSeverity = 'none' | 'info' | 'warning';

export interface ComposeFieldInfo {
  /** Dotted key, e.g. `service.restart`. */
  key: string;
  /** One sentence: what the field does on balena. */
  balena: string;
  status: BalenaStatus;
  /** Why balena rejects, drops or ignores it (for the diagnostic message). */
  statusReason?: string;
  pantavisor: PantavisorOutcome;
  pvSeverity: PvSeverity;
  /** Why a Pantavisor engineer would pick this mapping. */
  rationale: string;
  /** JSON Schema fragment for the value, used to generate `schemas/balena-compose.schema.json`. */
  schema: Record<string, unknown>;
}

/** The kind of value a balena label takes. */
export type LabelValueType = 'flag' | 'enum' | 'integer' | 'semver-range' | 'arch' | 'string';

export interface BalenaLabelInfo {
  label: string;
  valueType: LabelValueType;
  /** Allowed values for `enum` labels. */
  values?: readonly string[];
  default?: string;
  balena: string;
  /** Grants broad host access (balena's docs mark these as dangerous). */
  dangerous: boolean;
  minSupervisor?: string;
  pantavisor: PantavisorOutcome;
  pvSeverity: PvSeverity;
  rationale: string;
}

// Small schema helpers keep the table readable.
const str = { type: 'string' };
const bool = { type: 'boolean' };
const int = { type: 'integer' };
const num = { type: ['number', 'string'] };
const strOrNum = { type: ['string', 'number'] };
const strList = { type: 'array', items: str };
const strOrObjList = { type: 'array', items: { type: ['string', 'object'] } };
const fileList = { type: ['string', 'array'], items: { type: ['string', 'object'] } };
const strOrList = { type: ['string', 'array'], items: str };
const listOrDict = {
  type: ['object', 'array'],
  items: { type: ['string', 'number'] },
  additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
};

const BUILD_TIME: PantavisorOutcome = {
  kind: 'approximated',
  to: 'image build before `pvr app add`',
  how: 'pvr consumes images, not build contexts: pvkit builds the image with Docker or Podman first and passes the same value to that build.',
};
const BUILD_TIME_WHY =
  'Build settings only matter while the image is built; the revision holds the resulting root filesystem.';

function f(
  key: string,
  balena: string,
  status: BalenaStatus,
  pantavisor: PantavisorOutcome,
  pvSeverity: PvSeverity,
  rationale: string,
  schema: Record<string, unknown>,
  statusReason?: string,
): ComposeFieldInfo {
  return statusReason === undefined
    ? { key, balena, status, pantavisor, pvSeverity, rationale, schema }
    : { key, balena, status, statusReason, pantavisor, pvSeverity, rationale, schema };
}

function dropped(why: string, instead: string): PantavisorOutcome {
  return { kind: 'dropped', why, instead };
}
function mapped(to: string, note?: string): PantavisorOutcome {
  return note === undefined ? { kind: 'mapped', to } : { kind: 'mapped', to, note };
}
function approx(to: string, how: string): PantavisorOutcome {
  return { kind: 'approximated', to, how };
}

const EXTRA_CONF = '`args.PV_LXC_EXTRA_CONF`';
const CGROUP = '`args.PVR_LXC_CGROUP_V1`';

/** Every service-level, build-level and top-level compose field we know, with its outcomes. */
export const COMPOSE_FIELDS: readonly ComposeFieldInfo[] = [
  // Top level.
  f(
    'top.version',
    'Compose file format version. balena follows format 2.4; fields introduced in format 3 are not supported.',
    'supported',
    dropped('A revision has no compose version.', 'Nothing to do.'),
    'none',
    'Only the service definitions matter to the converter.',
    strOrNum,
  ),
  f(
    'top.name',
    'Project name; balena removes it from the composition (the fleet names the project).',
    'dropped',
    dropped(
      'Revisions are named by their device or repository, not by the file.',
      'Name the pvr checkout instead.',
    ),
    'none',
    'Nothing on the device reads it.',
    str,
    'the fleet name is used instead',
  ),
  f(
    'top.services',
    'The containers of the release, one per key.',
    'supported',
    mapped('one container folder `<service>/` per service (run.json, src.json, lxc.container.conf)'),
    'none',
    'A Pantavisor revision holds one LXC container per service.',
    { type: 'object' },
  ),
  f(
    'top.volumes',
    'Named volumes. balena keeps them across releases.',
    'supported',
    mapped('`persistence` entries in src.json → `storage` with `permanent` persistence'),
    'none',
    'Named volumes outlive releases on balena; `permanent` storage outlives revisions on Pantavisor.',
    { type: ['object', 'null'] },
  ),
  f(
    'top.networks',
    'User-defined bridge networks between services.',
    'supported',
    approx(
      'IPAM pools in device.json + `args.PV_NETWORK_POOL`',
      'Pantavisor attaches containers to pools defined on the device rather than per-project networks; services on the same pool can reach each other.',
    ),
    'info',
    'Pools are the nearest thing to a private bridge network; most balena projects use host networking anyway.',
    { type: ['object', 'null'] },
  ),
  f(
    'top.secrets',
    'Compose secrets.',
    'rejected',
    dropped(
      'No secret store exists on the device.',
      'Ship the value in the `_config/<container>/` overlay or in user-meta.',
    ),
    'warning',
    'Config overlays are the Pantavisor way to deliver per-device files.',
    { type: 'object' },
    'top-level secrets and configs are not supported by balena',
  ),
  f(
    'top.configs',
    'Compose configs.',
    'rejected',
    dropped('No config store exists on the device.', 'Put the file in the `_config/<container>/` overlay.'),
    'warning',
    'Config overlays are merged over the container root filesystem at start.',
    { type: 'object' },
    'top-level secrets and configs are not supported by balena',
  ),
  f(
    'top.include',
    'Includes other compose files (compose-spec).',
    'supported',
    mapped('resolved by the converter before conversion'),
    'none',
    'The converter works on the merged composition.',
    { type: ['array', 'object', 'string'] },
  ),

  // Services.
  f(
    'service.image',
    'The image to run. With `build`, names the built image.',
    'supported',
    mapped('src.json `docker_name`/`docker_tag`/`docker_digest` (`pvr app add --from`)'),
    'none',
    'pvr imports an image into a squashfs root filesystem; a digest pins it.',
    str,
  ),
  f(
    'service.build',
    'Builds the service from a subfolder of the project (string = context path).',
    'supported',
    BUILD_TIME,
    'info',
    BUILD_TIME_WHY,
    { type: ['string', 'object'] },
  ),
  f(
    'service.command',
    'Overrides the image `CMD`.',
    'supported',
    mapped('src.json `config.Cmd` → `lxc.init.cmd`'),
    'none',
    'The template renders `lxc.init.cmd` from the Docker config, so overriding `Cmd` is exact.',
    strOrList,
  ),
  f(
    'service.entrypoint',
    'Overrides the image `ENTRYPOINT`.',
    'supported',
    mapped('src.json `config.Entrypoint` → `lxc.init.cmd`'),
    'none',
    'Entrypoint and Cmd are joined into `lxc.init.cmd` exactly as Docker joins them.',
    strOrList,
  ),
  f(
    'service.environment',
    'Environment variables for the container.',
    'supported',
    mapped('src.json `config.Env` → one `lxc.environment` line each'),
    'none',
    'The template writes one `lxc.environment` per Env entry.',
    listOrDict,
  ),
  f(
    'service.working_dir',
    'Working directory of the main process.',
    'supported',
    mapped('src.json `config.WorkingDir` → `lxc.init.cwd`'),
    'none',
    'Rendered directly as `lxc.init.cwd`.',
    str,
  ),
  f(
    'service.user',
    'User the main process runs as.',
    'supported',
    dropped(
      'The pvr template ignores the Docker `User`; the init process runs as root.',
      'Drop privileges in the entrypoint (`su-exec`, `setpriv`, `runuser`).',
    ),
    'warning',
    'Without it the process runs as root inside the container.',
    strOrNum,
  ),
  f(
    'service.volumes',
    'Named volumes (short syntax `name:/path[:ro]`); bind mounts only through feature labels.',
    'supported',
    mapped(
      'src.json `persistence` `{"/path": "permanent"}` → run.json `storage` `docker--path` bind-mounted at the path',
    ),
    'none',
    'Named volumes survive releases; `permanent` storage survives revisions. Choose `revision` to reset data on every update, `boot` for scratch data.',
    { type: 'array', items: { type: ['string', 'object'] } },
  ),
  f(
    'service.tmpfs',
    'tmpfs mounts inside the container.',
    'supported',
    approx(
      EXTRA_CONF,
      'Add `lxc.mount.entry = tmpfs <path> tmpfs rw,create=dir 0 0`; `/run` is already a tmpfs (`PV_RUN_TMPFS_*`).',
    ),
    'info',
    'LXC mount entries are how the template adds mounts.',
    strOrList,
  ),
  f(
    'service.restart',
    'Restart policy; balena defaults to `always` and replaces unknown values with `always`.',
    'supported',
    mapped(
      '`args.PV_AUTO_RECOVERY` `{"policy": …}` (run.json `auto_recovery`) + `args.PV_RESTART_POLICY: "container"`',
      'Policy names match (`no`, `always`, `on-failure`, `unless-stopped`). Without it the container inherits its group’s recovery policy.',
    ),
    'info',
    '`restart_policy: container` restarts only the container on failure instead of rolling back the whole revision.',
    { type: ['string', 'boolean'] },
  ),
  f(
    'service.depends_on',
    'Start order between services (array form, `service_started` only).',
    'supported',
    approx(
      '`args.PV_GROUP`',
      'Pantavisor starts containers group by group (`data`, `root`, `platform`, `app`): put dependencies in an earlier group, or use `args.PV_STATUS_GOAL`.',
    ),
    'info',
    'Groups give ordering plus a readiness gate; there is no per-container dependency edge.',
    { type: ['array', 'object'] },
  ),
  f(
    'service.privileged',
    'Full access to host devices and all capabilities.',
    'supported',
    approx(
      '`args.PV_SECURITY_FULLDEV` + default `lxc.cgroup.devices.allow = a`',
      'The template allows all devices by default and keeps capabilities; `PV_SECURITY_FULLDEV` also binds the host `/dev`.',
    ),
    'info',
    'Pantavisor containers are trusted system components; restrict with `PVR_LXC_CGROUP_DEVICES_WHITE` and `PV_LXC_CAP_DROP`.',
    bool,
  ),
  f(
    'service.devices',
    'Host devices made available in the container.',
    'supported',
    approx(
      '`args.PVR_LXC_CGROUP_DEVICES_WHITE` + ' + EXTRA_CONF,
      'Allow the device in the cgroup list and bind it with `lxc.mount.entry = /dev/x dev/x none bind,optional,create=file 0 0`.',
    ),
    'info',
    'LXC needs both the cgroup permission and the device node.',
    strOrObjList,
  ),
  f(
    'service.device_cgroup_rules',
    'Extra device cgroup rules.',
    'ignored',
    mapped('`args.PVR_LXC_CGROUP_DEVICES_WHITE`'),
    'none',
    'The same `c major:minor rwm` syntax as LXC.',
    strList,
    'the balena supervisor does not pass it to the container engine',
  ),
  f(
    'service.cap_add',
    'Adds Linux capabilities.',
    'supported',
    mapped(
      '`args.PV_LXC_CAP_KEEP`',
      'Keep-lists are exclusive in LXC: list every capability the service needs.',
    ),
    'info',
    'LXC keeps all capabilities unless told otherwise.',
    strList,
  ),
  f(
    'service.cap_drop',
    'Drops Linux capabilities.',
    'supported',
    mapped('`args.PV_LXC_CAP_DROP`'),
    'none',
    'Rendered as `lxc.cap.drop`.',
    strList,
  ),
  f(
    'service.network_mode',
    '`host`, `bridge`, `none` or `service:<name>`.',
    'supported',
    approx(
      '`args.PV_LXC_NETWORK_TYPE` / `args.PV_NETWORK_POOL`',
      '`host` is the template default (net namespace kept); `none` → `PV_LXC_NETWORK_TYPE: empty`; `bridge` → an IPAM pool or `veth`; `service:<name>` has no equivalent.',
    ),
    'info',
    'Host networking is what most balena projects use and what Pantavisor does by default.',
    str,
  ),
  f(
    'service.networks',
    'Networks the service joins (names only on balena).',
    'supported',
    approx('`args.PV_NETWORK_POOL`', 'A container joins one IPAM pool; aliases are not supported.'),
    'info',
    'Pools replace compose networks.',
    { type: ['array', 'object'] },
  ),
  f(
    'service.ports',
    'Published ports (ignored under `network_mode: host`).',
    'supported',
    dropped(
      'Pantavisor does not publish ports.',
      'With host networking (the default) the port is already reachable; with a pool, reach the container by its IP or expose it through pv-xconnect.',
    ),
    'warning',
    'There is no NAT layer in front of containers.',
    { type: 'array', items: { type: ['string', 'number', 'object'] } },
  ),
  f(
    'service.expose',
    'Informational only.',
    'dropped',
    dropped('Informational only, as on balena.', 'Nothing to do.'),
    'none',
    'Nothing reads it.',
    { type: 'array', items: strOrNum },
    'it is informational only and balena removes it to prevent conflicts with other network configuration',
  ),
  f(
    'service.hostname',
    'Container host name.',
    'supported',
    approx(
      '`args.PV_NETWORK_HOSTNAME` (pvr 050) or `lxc.uts.name` in ' + EXTRA_CONF,
      'Pantavisor sets `lxc.uts.name` to the container name unless set.',
    ),
    'info',
    'The UTS name is the container host name.',
    str,
  ),
  f(
    'service.domainname',
    'Container domain name.',
    'supported',
    dropped('No LXC key sets the NIS domain name.', 'Set it from the entrypoint if needed.'),
    'warning',
    'Rarely needed.',
    str,
  ),
  f(
    'service.dns',
    'DNS servers.',
    'supported',
    approx(
      '`args.PV_RESOLV_CONF_PATH`',
      'Pantavisor binds the host `/etc/resolv.conf`; point it at another file or disable it (`PV_RESOLV_CONF_DISABLE`) and ship your own.',
    ),
    'info',
    'Name resolution follows the host by default.',
    strOrList,
  ),
  f(
    'service.dns_opt',
    'resolv.conf options.',
    'supported',
    approx('`args.PV_RESOLV_CONF_PATH`', 'Ship a resolv.conf with the options.'),
    'info',
    'Same as `dns`.',
    strList,
  ),
  f(
    'service.dns_search',
    'DNS search domains.',
    'supported',
    approx('`args.PV_RESOLV_CONF_PATH`', 'Ship a resolv.conf with the search list.'),
    'info',
    'Same as `dns`.',
    strOrList,
  ),
  f(
    'service.extra_hosts',
    'Extra /etc/hosts entries.',
    'supported',
    approx('`_config/<container>/etc/hosts`', 'Put the entries in the image or in the config overlay.'),
    'info',
    'Config overlays are the place for per-device files.',
    listOrDict,
  ),
  f(
    'service.mac_address',
    'Container MAC address.',
    'supported',
    mapped('`args.PV_NETWORK_MAC` (pvr 050, pool networking)'),
    'info',
    'Only meaningful for pool containers.',
    str,
  ),
  f(
    'service.labels',
    'Container labels; `io.balena.*` labels turn on balena features.',
    'supported',
    dropped(
      'The template does not use image or container labels.',
      'Each `io.balena.*` feature label has its own mapping (see hover on the label).',
    ),
    'none',
    'Feature labels are mapped one by one.',
    listOrDict,
  ),
  f(
    'service.healthcheck',
    'Container health check.',
    'supported',
    dropped(
      'Pantavisor does not run health checks.',
      'Use `args.PV_STATUS_GOAL: "READY"` with a readiness signal, or `auto_recovery` to restart on exit.',
    ),
    'warning',
    'Status goals and auto recovery cover what health checks are usually used for.',
    { type: 'object' },
  ),
  f(
    'service.stop_signal',
    'Signal sent to stop the container.',
    'supported',
    approx(EXTRA_CONF, 'Add `lxc.signal.halt = <signal>`.'),
    'info',
    'LXC stops containers with `lxc.signal.halt`.',
    str,
  ),
  f(
    'service.stop_grace_period',
    'Time before the container is killed.',
    'supported',
    dropped('Pantavisor’s stop timeout is device-wide.', 'Nothing per container.'),
    'info',
    'Not configurable per container.',
    str,
  ),
  f(
    'service.sysctls',
    'Kernel parameters set in the container namespace.',
    'supported',
    approx(EXTRA_CONF, 'Add `lxc.sysctl.<key> = <value>` lines.'),
    'info',
    'LXC sets sysctls natively.',
    listOrDict,
  ),
  f(
    'service.ulimits',
    'Resource limits.',
    'supported',
    approx(EXTRA_CONF, 'Add `lxc.prlimit.<name> = <soft>:<hard>` lines.'),
    'info',
    'LXC sets rlimits natively.',
    { type: 'object' },
  ),
  f(
    'service.mem_limit',
    'Memory limit.',
    'supported',
    approx(CGROUP, 'Add `memory.limit_in_bytes = <bytes>`.'),
    'info',
    'Raw cgroup lines are how the template sets limits.',
    strOrNum,
  ),
  f(
    'service.mem_reservation',
    'Memory soft limit.',
    'supported',
    approx(CGROUP, 'Add `memory.soft_limit_in_bytes = <bytes>`.'),
    'info',
    'Raw cgroup lines.',
    strOrNum,
  ),
  f(
    'service.cpu_shares',
    'Relative CPU weight.',
    'supported',
    approx(CGROUP, 'Add `cpu.shares = <n>`.'),
    'info',
    'Raw cgroup lines.',
    strOrNum,
  ),
  f(
    'service.cpu_quota',
    'CPU CFS quota.',
    'supported',
    approx(CGROUP, 'Add `cpu.cfs_quota_us = <n>`.'),
    'info',
    'Raw cgroup lines.',
    strOrNum,
  ),
  f(
    'service.cpuset',
    'CPUs the container may use.',
    'supported',
    approx(CGROUP, 'Add `cpuset.cpus = <list>`.'),
    'info',
    'Raw cgroup lines.',
    str,
  ),
  f(
    'service.pids_limit',
    'Maximum number of processes (negative values rejected).',
    'supported',
    approx(CGROUP, 'Add `pids.max = <n>`.'),
    'info',
    'Raw cgroup lines.',
    strOrNum,
  ),
  f(
    'service.shm_size',
    'Size of /dev/shm.',
    'supported',
    approx(EXTRA_CONF, 'Add `lxc.mount.entry = tmpfs dev/shm tmpfs rw,size=<size>,create=dir 0 0`.'),
    'info',
    'A tmpfs mount entry sets the size.',
    strOrNum,
  ),
  f(
    'service.oom_score_adj',
    'OOM killer preference (values under -900 may break the device).',
    'supported',
    approx(EXTRA_CONF, 'Add `lxc.proc.oom_score_adj = <n>`.'),
    'info',
    'LXC sets it for the init process.',
    int,
  ),
  f(
    'service.read_only',
    'Read-only root filesystem.',
    'supported',
    approx(
      'root.squashfs',
      'The root filesystem is already a read-only squashfs; writes land in the `lxc-overlay` (boot persistence) and disappear on reboot.',
    ),
    'info',
    'Immutable roots are the Pantavisor default.',
    bool,
  ),
  f(
    'service.pid',
    'PID namespace (`host` only).',
    'supported',
    approx(
      '`args.PV_SECURITY_WITH_HOSTPROC`',
      'Exposes the host `/proc` at `/host/proc`; sharing the PID namespace needs `pid` in `PV_LXC_NAMESPACE_KEEP`.',
    ),
    'info',
    'Namespace keeping is explicit in LXC.',
    str,
  ),
  f(
    'service.ipc',
    'IPC namespace (`host`, `shareable`, `private`).',
    'supported',
    mapped('`args.PV_LXC_NAMESPACE_KEEP` (keeps `ipc` by default)'),
    'info',
    'The template keeps the host IPC namespace unless told otherwise.',
    str,
  ),
  f(
    'service.security_opt',
    'Only `no-new-privileges` and unconfined apparmor/seccomp on balena.',
    'supported',
    approx(
      EXTRA_CONF,
      '`no-new-privileges` → `lxc.no_new_privs = 1`; apparmor/seccomp are not configured by the template.',
    ),
    'info',
    'LXC has a native key for no_new_privs.',
    strList,
  ),
  f(
    'service.group_add',
    'Supplementary groups of the main process.',
    'supported',
    dropped('The template ignores the Docker user and groups.', 'Set groups in the entrypoint.'),
    'warning',
    'The init process runs as root.',
    { type: 'array', items: strOrNum },
  ),
  f(
    'service.cgroup_parent',
    'Parent cgroup.',
    'supported',
    dropped('Pantavisor places containers in its own cgroup tree.', 'Nothing to do.'),
    'warning',
    'Not configurable.',
    str,
  ),
  f(
    'service.userns_mode',
    'User namespace mode.',
    'supported',
    dropped('The template keeps the host user namespace.', 'Nothing to do: this is the same as `host`.'),
    'info',
    '`user` is in the default `PV_LXC_NAMESPACE_KEEP`.',
    str,
  ),
  f(
    'service.init',
    'Runs an init process as PID 1.',
    'ignored',
    dropped('The container command is PID 1 (`lxc.init.cmd`).', 'Use `tini` or `dumb-init` as entrypoint.'),
    'warning',
    'There is no injected init.',
    bool,
    'the balena supervisor does not pass it to the container engine',
  ),
  f(
    'service.tty',
    'Allocates a TTY.',
    'supported',
    approx('`args.LXC_TTY_MAX`', 'Containers always get `lxc.tty.max` TTYs (8 by default).'),
    'info',
    'TTYs are configured by count.',
    bool,
  ),
  f(
    'service.cpus',
    'CPU count limit (compose 2.2+).',
    'supported',
    approx(CGROUP, 'Add `cpu.cfs_quota_us`/`cpu.cfs_period_us`.'),
    'info',
    'Raw cgroup lines.',
    num,
  ),
  f(
    'service.env_file',
    'Reads environment variables from files at build time.',
    'supported',
    mapped('src.json `config.Env` (pvkit reads the files at conversion)'),
    'info',
    'The converter inlines the files.',
    fileList,
  ),
  f(
    'service.label_file',
    'Reads labels from files.',
    'supported',
    mapped('resolved by the converter'),
    'none',
    'Labels are read at conversion.',
    fileList,
  ),
  f(
    'service.volumes_from',
    'Mounts volumes of another service.',
    'ignored',
    approx('`args.PV_VOLUME_IMPORTS`', 'Import the other container’s volume (`src:vol:dest`).'),
    'info',
    'Volume imports are the Pantavisor way to share volumes.',
    strList,
    'balena documents volumes_from as unsupported',
  ),
  f(
    'service.volume_driver',
    'Volume driver for the service.',
    'ignored',
    dropped(
      'Storage drivers do not exist on Pantavisor.',
      'Use `persistence` with a disk (`permanent@disk`).',
    ),
    'warning',
    'Disks are declared in device.json.',
    str,
    'balena documents volume_driver as unsupported',
  ),
  f(
    'service.container_name',
    'Fixed container name.',
    'dropped',
    mapped('the container folder name (= service name)'),
    'none',
    'Pantavisor names containers by their folder.',
    str,
    'the balena supervisor names containers itself and removes container_name',
  ),
  f(
    'service.extends',
    'Inherits another service definition.',
    'supported',
    mapped('resolved by the converter'),
    'none',
    'The converter works on the merged service.',
    { type: ['string', 'object'] },
  ),
  f(
    'service.profiles',
    'Compose profiles.',
    'supported',
    dropped(
      'A revision always runs all its containers.',
      'Use `args.PV_STATUS_GOAL: "MOUNTED"` to keep a container stopped.',
    ),
    'info',
    'No profiles on Pantavisor.',
    strList,
  ),
  f(
    'service.platform',
    'Target platform.',
    'rejected',
    mapped('src.json `docker_platform`'),
    'info',
    'pvr selects the platform from a manifest list.',
    str,
  ),
  f(
    'service.logging',
    'Log driver.',
    'rejected',
    approx(
      'run.json `logs`',
      'Pantavisor collects container logs itself; configure extra log files with `logs`.',
    ),
    'info',
    'The Pantavisor logger replaces Docker log drivers.',
    { type: 'object' },
  ),
  f(
    'service.links',
    'Legacy container links.',
    'rejected',
    dropped(
      'No container links on Pantavisor.',
      'Use host networking or pool IPs; expose services through pv-xconnect.',
    ),
    'warning',
    'Links were superseded by networks even on Docker.',
    strList,
  ),
  f(
    'service.external_links',
    'Links to containers outside the project.',
    'rejected',
    dropped('No container links on Pantavisor.', 'Use pool IPs or pv-xconnect.'),
    'warning',
    'Same as links.',
    strList,
  ),
  f(
    'service.blkio_config',
    'Block I/O limits.',
    'rejected',
    approx(CGROUP, 'Add `blkio.*` cgroup lines.'),
    'info',
    'Raw cgroup lines.',
    { type: 'object' },
  ),
  f(
    'service.cpu_count',
    'Windows CPU count.',
    'rejected',
    dropped('Windows only.', 'Remove it.'),
    'warning',
    'Not Linux.',
    strOrNum,
  ),
  f(
    'service.cpu_percent',
    'Windows CPU percent.',
    'rejected',
    dropped('Windows only.', 'Remove it.'),
    'warning',
    'Not Linux.',
    strOrNum,
  ),
  f(
    'service.cpu_period',
    'CPU CFS period.',
    'rejected',
    approx(CGROUP, 'Add `cpu.cfs_period_us`.'),
    'info',
    'Raw cgroup lines.',
    strOrNum,
  ),
  f(
    'service.cpu_rt_runtime',
    'Realtime CPU runtime.',
    'ignored',
    approx(CGROUP, 'Add `cpu.rt_runtime_us`.'),
    'info',
    'Raw cgroup lines.',
    strOrNum,
    'the balena supervisor does not pass it to the container engine',
  ),
  f(
    'service.cpu_rt_period',
    'Realtime CPU period.',
    'ignored',
    approx(CGROUP, 'Add `cpu.rt_period_us`.'),
    'info',
    'Raw cgroup lines.',
    strOrNum,
    'the balena supervisor does not pass it to the container engine',
  ),
  f(
    'service.credential_spec',
    'Windows credential spec.',
    'rejected',
    dropped('Windows only.', 'Remove it.'),
    'warning',
    'Not Linux.',
    { type: 'object' },
  ),
  f(
    'service.deploy',
    'Swarm deployment settings.',
    'rejected',
    dropped('No orchestrator.', 'Use groups and auto recovery.'),
    'warning',
    'Swarm does not exist on devices.',
    { type: ['object', 'null'] },
  ),
  f(
    'service.develop',
    'Compose watch settings.',
    'rejected',
    dropped('Development only.', 'Remove it.'),
    'warning',
    'Not a runtime setting.',
    { type: 'object' },
  ),
  f(
    'service.gpus',
    'GPU requests.',
    'rejected',
    approx(
      '`args.PVR_LXC_CGROUP_DEVICES_WHITE` + ' + EXTRA_CONF,
      'Bind the GPU device nodes, or consume `drm` through pv-xconnect.',
    ),
    'info',
    'GPUs are plain device nodes on embedded boards.',
    { type: ['array', 'string'] },
  ),
  f(
    'service.isolation',
    'Windows isolation technology.',
    'rejected',
    dropped('Windows only.', 'Remove it.'),
    'warning',
    'Not Linux.',
    str,
  ),
  f(
    'service.mem_swappiness',
    'Swappiness.',
    'rejected',
    approx(CGROUP, 'Add `memory.swappiness`.'),
    'info',
    'Raw cgroup lines.',
    strOrNum,
  ),
  f(
    'service.memswap_limit',
    'Memory + swap limit.',
    'rejected',
    approx(CGROUP, 'Add `memory.memsw.limit_in_bytes`.'),
    'info',
    'Raw cgroup lines.',
    strOrNum,
  ),
  f(
    'service.oom_kill_disable',
    'Disables the OOM killer.',
    'rejected',
    approx(CGROUP, 'Add `memory.oom_control = 1`.'),
    'info',
    'Raw cgroup lines.',
    bool,
  ),
  f(
    'service.pull_policy',
    'When to pull the image.',
    'rejected',
    dropped('Images are part of the revision.', 'Remove it.'),
    'warning',
    'There is nothing to pull on the device.',
    str,
  ),
  f(
    'service.runtime',
    'OCI runtime.',
    'rejected',
    dropped('LXC is the only runtime.', 'Remove it.'),
    'warning',
    'run.json `type` is always `lxc`.',
    str,
  ),
  f(
    'service.scale',
    'Number of replicas.',
    'rejected',
    dropped('One container per folder.', 'Duplicate the service under another name.'),
    'warning',
    'No replicas on Pantavisor.',
    int,
  ),
  f(
    'service.stdin_open',
    'Keeps stdin open.',
    'rejected',
    dropped('No attached stdin.', 'Remove it.'),
    'warning',
    'Console access is through the Pantavisor console.',
    bool,
  ),
  f(
    'service.storage_opt',
    'Storage driver options.',
    'rejected',
    dropped('No storage driver.', 'Use storage persistence options.'),
    'warning',
    'Storage is declared in run.json.',
    { type: 'object' },
  ),
  f(
    'service.configs',
    'Service configs.',
    'rejected',
    dropped('No config store.', 'Use the `_config/<container>/` overlay.'),
    'warning',
    'Config overlays deliver files.',
    { type: 'array' },
    'top-level secrets and configs are not supported by balena',
  ),
  f(
    'service.secrets',
    'Service secrets.',
    'rejected',
    dropped('No secret store.', 'Use the `_config/<container>/` overlay or user-meta.'),
    'warning',
    'Config overlays deliver files.',
    { type: 'array' },
    'top-level secrets and configs are not supported by balena',
  ),
  f(
    'service.annotations',
    'OCI annotations.',
    'ignored',
    dropped('Not used by LXC.', 'Remove it.'),
    'info',
    'Nothing reads them.',
    listOrDict,
    'the balena supervisor does not pass it to the container engine',
  ),
  f(
    'service.attach',
    'Whether compose attaches to logs.',
    'supported',
    dropped('Client-side only.', 'Nothing to do.'),
    'none',
    'Client-side setting.',
    bool,
  ),
  f(
    'service.cgroup',
    'Cgroup namespace (`host`/`private`).',
    'ignored',
    approx('`args.LXC_MOUNT_AUTO_GROUP`', 'Choose the cgroup mount mode.'),
    'info',
    'LXC mounts cgroups per `lxc.mount.auto`.',
    str,
    'the balena supervisor does not pass it to the container engine',
  ),
  f(
    'service.uts',
    'UTS namespace.',
    'ignored',
    approx('`args.PV_LXC_NAMESPACE_KEEP`', 'Add `uts` to share the host name.'),
    'info',
    'Namespace keeping is explicit.',
    str,
    'the balena supervisor does not pass it to the container engine',
  ),
  f(
    'service.post_start',
    'Lifecycle hooks after start.',
    'ignored',
    dropped('No lifecycle hooks.', 'Run the command from the entrypoint.'),
    'warning',
    'The entrypoint is the only hook.',
    { type: 'array' },
    'the balena supervisor does not pass it to the container engine',
  ),
  f(
    'service.pre_stop',
    'Lifecycle hooks before stop.',
    'ignored',
    dropped('No lifecycle hooks.', 'Trap the stop signal in the entrypoint.'),
    'warning',
    'The entrypoint is the only hook.',
    { type: 'array' },
    'the balena supervisor does not pass it to the container engine',
  ),

  // Build.
  f(
    'service.build.context',
    'Build context: a subfolder of the project (no URLs).',
    'supported',
    BUILD_TIME,
    'none',
    BUILD_TIME_WHY,
    str,
  ),
  f(
    'service.build.dockerfile',
    'Dockerfile name inside the context.',
    'supported',
    BUILD_TIME,
    'none',
    BUILD_TIME_WHY,
    str,
  ),
  f('service.build.args', 'Build arguments.', 'supported', BUILD_TIME, 'none', BUILD_TIME_WHY, listOrDict),
  f('service.build.cache_from', 'Cache sources.', 'supported', BUILD_TIME, 'none', BUILD_TIME_WHY, strList),
  f(
    'service.build.extra_hosts',
    'Hosts during the build.',
    'supported',
    BUILD_TIME,
    'none',
    BUILD_TIME_WHY,
    listOrDict,
  ),
  f('service.build.labels', 'Image labels.', 'supported', BUILD_TIME, 'none', BUILD_TIME_WHY, listOrDict),
  f(
    'service.build.shm_size',
    '/dev/shm size during the build.',
    'supported',
    BUILD_TIME,
    'none',
    BUILD_TIME_WHY,
    strOrNum,
  ),
  f('service.build.target', 'Multi-stage target.', 'supported', BUILD_TIME, 'none', BUILD_TIME_WHY, str),
  f(
    'service.build.additional_contexts',
    'Extra named contexts.',
    'rejected',
    BUILD_TIME,
    'none',
    BUILD_TIME_WHY,
    listOrDict,
  ),
  f('service.build.cache_to', 'Cache export.', 'rejected', BUILD_TIME, 'none', BUILD_TIME_WHY, strList),
  f(
    'service.build.dockerfile_inline',
    'Inline Dockerfile.',
    'rejected',
    BUILD_TIME,
    'none',
    BUILD_TIME_WHY,
    str,
  ),
  f(
    'service.build.entitlements',
    'Build entitlements.',
    'rejected',
    BUILD_TIME,
    'none',
    BUILD_TIME_WHY,
    strList,
  ),
  f(
    'service.build.isolation',
    'Windows isolation during the build.',
    'rejected',
    BUILD_TIME,
    'none',
    BUILD_TIME_WHY,
    str,
  ),
  f(
    'service.build.network',
    'Network during the build.',
    'rejected',
    BUILD_TIME,
    'none',
    BUILD_TIME_WHY,
    str,
  ),
  f(
    'service.build.no_cache',
    'Disables the build cache.',
    'rejected',
    BUILD_TIME,
    'none',
    BUILD_TIME_WHY,
    bool,
  ),
  f(
    'service.build.platforms',
    'Platforms to build for.',
    'rejected',
    BUILD_TIME,
    'none',
    BUILD_TIME_WHY,
    strList,
  ),
  f('service.build.privileged', 'Privileged build.', 'rejected', BUILD_TIME, 'none', BUILD_TIME_WHY, bool),
  f('service.build.pull', 'Always pull base images.', 'rejected', BUILD_TIME, 'none', BUILD_TIME_WHY, bool),
  f(
    'service.build.secrets',
    'Build secrets (use `.balena/balena.yml` build-secrets instead).',
    'rejected',
    BUILD_TIME,
    'none',
    BUILD_TIME_WHY,
    { type: 'array' },
  ),
  f('service.build.ssh', 'SSH agent forwarding.', 'rejected', BUILD_TIME, 'none', BUILD_TIME_WHY, strOrList),
  f('service.build.tags', 'Extra image tags.', 'rejected', BUILD_TIME, 'none', BUILD_TIME_WHY, strList),
  f('service.build.ulimits', 'ulimits during the build.', 'rejected', BUILD_TIME, 'none', BUILD_TIME_WHY, {
    type: 'object',
  }),

  // Named volumes.
  f(
    'volume.driver',
    'Volume driver (`local` or `default` only).',
    'supported',
    dropped('No volume drivers.', 'Use `persistence` with a disk.'),
    'none',
    'Disks are declared in device.json.',
    str,
  ),
  f(
    'volume.driver_opts',
    'Driver options.',
    'supported',
    dropped('No volume drivers.', 'Use `persistence` with a disk.'),
    'info',
    'Disks are declared in device.json.',
    { type: 'object' },
  ),
  f(
    'volume.labels',
    'Volume labels.',
    'supported',
    dropped('Not used.', 'Nothing to do.'),
    'none',
    'Nothing reads them.',
    listOrDict,
  ),
  f(
    'volume.external',
    'Volume created outside the project.',
    'rejected',
    dropped('No volumes outside the revision.', 'Import it from another container with `PV_VOLUME_IMPORTS`.'),
    'warning',
    'Volume imports share data across containers.',
    { type: ['boolean', 'object'] },
  ),
  f(
    'volume.name',
    'Custom volume name; balena removes it.',
    'dropped',
    dropped('Storage is named after the mount path.', 'Nothing to do.'),
    'none',
    'The template names storage `docker--<path>`.',
    str,
    'balena names volumes itself and removes volume.name',
  ),

  // Networks.
  f(
    'network.driver',
    'Network driver (`bridge` or `default` only).',
    'supported',
    approx('IPAM pool', 'Pools are bridges.'),
    'none',
    'Pools replace networks.',
    str,
  ),
  f(
    'network.driver_opts',
    'Driver options.',
    'supported',
    approx('IPAM pool options in device.json', 'Pool bridges are configured on the device.'),
    'info',
    'Pools replace networks.',
    { type: 'object' },
  ),
  f(
    'network.ipam',
    'Address management.',
    'supported',
    approx('IPAM pool subnet in device.json', 'Declare the subnet on the pool.'),
    'info',
    'Pools carry their own subnet.',
    { type: 'object' },
  ),
  f(
    'network.internal',
    'No outside access.',
    'supported',
    dropped('Pools are routed.', 'Use firewall rules in a platform container.'),
    'warning',
    'No isolated pools.',
    bool,
  ),
  f(
    'network.enable_ipv6',
    'IPv6 on the network.',
    'supported',
    dropped('Pools are IPv4.', 'Nothing to do.'),
    'info',
    'IPv4 pools only.',
    bool,
  ),
  f(
    'network.labels',
    'Network labels.',
    'supported',
    dropped('Not used.', 'Nothing to do.'),
    'none',
    'Nothing reads them.',
    listOrDict,
  ),
  f(
    'network.attachable',
    'Swarm attachable networks.',
    'rejected',
    dropped('No swarm.', 'Remove it.'),
    'none',
    'Not relevant.',
    bool,
  ),
  f(
    'network.external',
    'Network created outside the project.',
    'rejected',
    approx('IPAM pool', 'Use a pool defined in device.json.'),
    'info',
    'Pools are device-wide.',
    { type: ['boolean', 'object'] },
  ),
  f(
    'network.enable_ipv4',
    'IPv4 switch.',
    'rejected',
    dropped('Not supported.', 'Remove it.'),
    'none',
    'Not relevant.',
    bool,
  ),
  f(
    'network.name',
    'Custom network name; balena removes it.',
    'dropped',
    dropped('Pools are named on the device.', 'Nothing to do.'),
    'none',
    'Not relevant.',
    str,
    'balena names networks itself and removes network.name',
  ),
];

const FEATURE_FLAG = { valueType: 'flag' as const, default: '0' };

/** Every `io.balena.*` label balena documents, with its value type and Pantavisor outcome. */
export const BALENA_LABELS: readonly BalenaLabelInfo[] = [
  {
    label: 'io.balena.features.balena-socket',
    ...FEATURE_FLAG,
    dangerous: true,
    minSupervisor: 'v7.23.0',
    balena: 'Bind-mounts the balena engine socket and sets `DOCKER_HOST`.',
    pantavisor: dropped(
      'Pantavisor has no container engine socket.',
      'Give the container the `mgmt` role (`args.PV_ROLES: ["mgmt"]`) to manage revisions through pv-ctrl.',
    ),
    pvSeverity: 'warning',
    rationale: 'pv-ctrl is the device management API on Pantavisor.',
  },
  {
    label: 'io.balena.features.dbus',
    ...FEATURE_FLAG,
    dangerous: true,
    minSupervisor: 'v7.23.0',
    balena: 'Bind-mounts the host D-Bus at `/host/run/dbus`.',
    pantavisor: approx(
      '`args.PV_SERVICES_REQUIRED` (pv-xconnect `dbus`)',
      'Require a D-Bus service exported by another container; pv-xconnect injects the socket at `target`.',
    ),
    pvSeverity: 'info',
    rationale: 'On Pantavisor the system bus lives in a container; xconnect brokers access with roles.',
  },
  {
    label: 'io.balena.features.sysfs',
    ...FEATURE_FLAG,
    dangerous: true,
    minSupervisor: 'v10.8.0',
    balena: 'Bind-mounts the host `/sys`.',
    pantavisor: mapped('`args.LXC_MOUNT_AUTO_SYS` (default `sys:rw`)', 'Already the template default.'),
    pvSeverity: 'none',
    rationale: 'The template mounts sysfs read-write by default.',
  },
  {
    label: 'io.balena.features.procfs',
    ...FEATURE_FLAG,
    dangerous: true,
    minSupervisor: 'v10.8.0',
    balena: 'Bind-mounts the host `/proc`.',
    pantavisor: approx(
      '`args.PV_SECURITY_WITH_HOSTPROC`',
      'The host `/proc` appears at `/host/proc`, not at `/proc`.',
    ),
    pvSeverity: 'info',
    rationale: 'Keeps the container its own /proc while giving host visibility.',
  },
  {
    label: 'io.balena.features.kernel-modules',
    ...FEATURE_FLAG,
    dangerous: true,
    minSupervisor: 'v7.23.0',
    balena: 'Bind-mounts the host `/lib/modules`.',
    pantavisor: mapped(
      'run.json `automodfw` (default on, `args.PV_AUTOMODFW`)',
      'Pantavisor mounts `/lib/modules/<uname -r>` read-only by default.',
    ),
    pvSeverity: 'none',
    rationale: 'Module and firmware mounts are automatic.',
  },
  {
    label: 'io.balena.features.firmware',
    ...FEATURE_FLAG,
    dangerous: true,
    minSupervisor: 'v7.23.0',
    balena: 'Bind-mounts the host `/lib/firmware`.',
    pantavisor: mapped(
      'run.json `automodfw` (default on)',
      'Pantavisor mounts `/lib/firmware` read-only by default.',
    ),
    pvSeverity: 'none',
    rationale: 'Module and firmware mounts are automatic.',
  },
  {
    label: 'io.balena.features.journal-logs',
    ...FEATURE_FLAG,
    dangerous: false,
    minSupervisor: 'v12.0.1',
    balena: 'Bind-mounts the journal directories and `/etc/machine-id` read-only.',
    pantavisor: dropped(
      'Pantavisor has no journald.',
      'Read logs from the Pantavisor logger (run.json `logs`, `/pv/logs`).',
    ),
    pvSeverity: 'warning',
    rationale: 'Pantavisor collects logs itself.',
  },
  {
    label: 'io.balena.features.extra-firmware',
    ...FEATURE_FLAG,
    dangerous: true,
    minSupervisor: 'v17.5.2',
    balena: 'Lets the service provide extra firmware to the host OS.',
    pantavisor: dropped('Firmware belongs to the BSP.', 'Add the firmware to `bsp/` (or a firmware volume).'),
    pvSeverity: 'warning',
    rationale: 'The BSP carries kernel, modules and firmware.',
  },
  {
    label: 'io.balena.features.supervisor-api',
    ...FEATURE_FLAG,
    dangerous: true,
    minSupervisor: 'v7.23.0',
    balena: 'Adds `BALENA_SUPERVISOR_*` variables so the supervisor API can be used.',
    pantavisor: approx(
      '`args.PV_ROLES: ["mgmt"]` (pv-ctrl socket)',
      'pv-ctrl offers a different API (revisions, objects, metadata, commands).',
    ),
    pvSeverity: 'warning',
    rationale: 'The `mgmt` role is the privileged device API.',
  },
  {
    label: 'io.balena.features.balena-api',
    ...FEATURE_FLAG,
    dangerous: true,
    minSupervisor: 'v7.23.0',
    balena: 'Adds `BALENA_API_KEY` to the environment.',
    pantavisor: dropped(
      'No cloud API key is injected.',
      'Use Pantahub device credentials through pv-ctrl (`mgmt` role) or ship a token in user-meta.',
    ),
    pvSeverity: 'warning',
    rationale: 'Pantahub access goes through the device.',
  },
  {
    label: 'io.balena.features.optional',
    ...FEATURE_FLAG,
    dangerous: false,
    balena: 'Skips the service instead of failing when its requirement labels are not met.',
    pantavisor: dropped(
      'Revisions are all-or-nothing.',
      'Leave the container out of revisions for devices that cannot run it.',
    ),
    pvSeverity: 'info',
    rationale: 'A revision is built per device type.',
  },
  {
    label: 'io.balena.update.strategy',
    valueType: 'enum',
    values: ['download-then-kill', 'kill-then-download', 'delete-then-download', 'hand-over'],
    default: 'download-then-kill',
    dangerous: false,
    minSupervisor: 'v7.23.0',
    balena: 'How the supervisor replaces the container on update.',
    pantavisor: dropped(
      'Pantavisor downloads the whole revision, then restarts what changed (with rollback).',
      'Use `args.PV_RESTART_POLICY` (`container` or `system`) to choose what restarts.',
    ),
    pvSeverity: 'info',
    rationale: 'Updates are transactional revisions.',
  },
  {
    label: 'io.balena.update.handover-timeout',
    valueType: 'integer',
    default: '60000',
    dangerous: false,
    minSupervisor: 'v7.23.0',
    balena: 'Milliseconds before the old container is killed in `hand-over` updates.',
    pantavisor: dropped('No hand-over updates.', 'Nothing to do.'),
    pvSeverity: 'info',
    rationale: 'Not applicable.',
  },
  {
    label: 'io.balena.features.requires.sw.supervisor',
    valueType: 'semver-range',
    dangerous: false,
    balena: 'Supervisor version the service needs (semver range).',
    pantavisor: dropped('No supervisor.', 'Nothing to do.'),
    pvSeverity: 'info',
    rationale: 'Not applicable.',
  },
  {
    label: 'io.balena.features.requires.sw.l4t',
    valueType: 'semver-range',
    dangerous: false,
    balena: 'L4T (Jetson) version the service needs.',
    pantavisor: dropped('Checked at build time only.', 'Pick the matching BSP.'),
    pvSeverity: 'info',
    rationale: 'The BSP decides the L4T version.',
  },
  {
    label: 'io.balena.features.requires.sw.balena-os',
    valueType: 'semver-range',
    dangerous: false,
    balena: 'balenaOS version the service needs.',
    pantavisor: dropped('No balenaOS.', 'Nothing to do.'),
    pvSeverity: 'info',
    rationale: 'Not applicable.',
  },
  {
    label: 'io.balena.features.requires.sw.linux',
    valueType: 'semver-range',
    dangerous: false,
    balena: 'Kernel version the service needs.',
    pantavisor: dropped('Not checked by Pantavisor.', 'Pick a BSP with a matching kernel.'),
    pvSeverity: 'info',
    rationale: 'The BSP decides the kernel.',
  },
  {
    label: 'io.balena.features.requires.hw.device-type',
    valueType: 'string',
    dangerous: false,
    balena: 'Device type the service needs.',
    pantavisor: dropped('Revisions are built per device.', 'Leave the container out for other devices.'),
    pvSeverity: 'info',
    rationale: 'Not applicable.',
  },
  {
    label: 'io.balena.features.requires.arch.sw',
    valueType: 'arch',
    values: ['rpi', 'armv7hf', 'aarch64', 'i386', 'i386-nlp', 'amd64'],
    dangerous: false,
    balena: 'CPU architecture the service needs.',
    pantavisor: mapped('src.json `docker_platform`', 'Choose the image platform for that architecture.'),
    pvSeverity: 'info',
    rationale: 'pvr picks the platform from a manifest list.',
  },
];

/** Legacy label renames (`io.resin.*` → `io.balena.*`); names that changed beyond the prefix. */
export const LEGACY_LABEL_RENAMES: Readonly<Record<string, string>> = {
  'io.resin.features.resin-api': 'io.balena.features.balena-api',
  'io.resin.features.resin-socket': 'io.balena.features.balena-socket',
};

/** Build variables balena substitutes in `Dockerfile.template` (`%%BALENA_…%%`). */
export const BALENA_BUILD_VARIABLES: readonly string[] = [
  'BALENA_APP_NAME',
  'BALENA_ARCH',
  'BALENA_MACHINE_NAME',
  'BALENA_RELEASE_HASH',
  'BALENA_SERVICE_NAME',
];

const FIELD_INDEX = new Map(COMPOSE_FIELDS.map((x) => [x.key, x]));
const LABEL_INDEX = new Map(BALENA_LABELS.map((x) => [x.label, x]));

/** The table row for a dotted key (`service.restart`), or undefined. */
export function fieldInfo(key: string): ComposeFieldInfo | undefined {
  return FIELD_INDEX.get(key);
}

/** The table row for an `io.balena.*` label, or undefined. */
export function labelInfo(label: string): BalenaLabelInfo | undefined {
  return LABEL_INDEX.get(label);
}

/** Field names known at one level (`service`, `service.build`, `top`, `volume`, `network`). */
export function fieldsAt(level: string): ComposeFieldInfo[] {
  const prefix = level + '.';
  return COMPOSE_FIELDS.filter((x) => x.key.startsWith(prefix) && !x.key.slice(prefix.length).includes('.'));
}

/** Renders a Pantavisor outcome as one Markdown sentence. */
export function describeOutcome(o: PantavisorOutcome): string {
  switch (o.kind) {
    case 'mapped':
      return `Becomes ${o.to}.${o.note ? ' ' + o.note : ''}`;
    case 'approximated':
      return `Approximated by ${o.to}: ${o.how}`;
    case 'dropped':
      return `No Pantavisor equivalent: ${o.why} Instead: ${o.instead}`;
  }
}
