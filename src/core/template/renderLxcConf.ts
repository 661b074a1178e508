import { TemplateError, iterate, requireString, textEquals, type TemplateContext } from './TemplateContext';
import { goLower } from './goFormat';
import { goText, ifNull, truthy, type GoValue } from './goValue';
import { dockerVolumeName, strip1, trim1, volumeMap } from './volumeMap';

/**
 * The text of `lxc.container.conf` as pvr 037's builtin-lxc-docker template writes it
 * (pvr-template.md §4). Returns `''` for data and mounted-only containers, for which pvr writes no
 * file. Throws {@link TemplateError} where pvr's template fails.
 */
export function renderLxcConf(ctx: TemplateContext): string {
  if (!ctx.gate()) return '';
  const name = ctx.name;
  const a = (k: string): GoValue | undefined => ctx.arg(k);
  const lines: string[] = [];

  lines.push(`lxc.tty.max = ${goText(ifNull(a('LXC_TTY_MAX'), '8'))}`);
  lines.push(`lxc.pty.max = ${goText(ifNull(a('LXC_PTY_MAX'), '1024'))}`);
  if (truthy(a('PV_DEBUG_MODE'))) lines.push(`lxc.log.file = /pv/logs/${name}.log`);
  if (truthy(a('PVR_LXC_CGROUP_DEVICES_WHITE'))) {
    lines.push('lxc.cgroup.devices.deny = a');
    for (const v of iterate(a('PVR_LXC_CGROUP_DEVICES_WHITE'), 'args.PVR_LXC_CGROUP_DEVICES_WHITE')) {
      lines.push(`lxc.cgroup.devices.allow = ${goText(v)}`);
    }
  } else lines.push('lxc.cgroup.devices.allow = a');
  if (truthy(a('PVR_LXC_CGROUP_V1'))) {
    for (const v of iterate(a('PVR_LXC_CGROUP_V1'), 'args.PVR_LXC_CGROUP_V1'))
      lines.push(`lxc.cgroup.${goText(v)}`);
  }

  const src = ctx.source;
  const lower =
    (src.dockerOvlDigest ? `/volumes/${name}/root.ovl.squashfs:` : '') +
    (src.base ? `/volumes/${src.base}/root.squashfs:` : `/volumes/${name}/root.squashfs:`);
  lines.push(`lxc.rootfs.path = overlayfs:${lower}/volumes/${name}/lxc-overlay/upper`);
  lines.push(initCmd(ctx.docker.get('Entrypoint'), ctx.docker.get('Cmd')));

  const wd = ctx.docker.get('WorkingDir');
  if (truthy(wd) && !textEquals(wd ?? null, '', 'docker_config/config WorkingDir')) {
    lines.push(`lxc.init.cwd = ${goText(wd)}`);
  }
  for (const e of iterate(ctx.docker.get('Env'), 'docker_config/config Env')) {
    lines.push(`lxc.environment = ${goText(e)}`);
  }
  for (const e of iterate(a('PV_LXC_EXTRA_ENV'), 'args.PV_LXC_EXTRA_ENV'))
    lines.push(`lxc.environment = ${goText(e)}`);

  const netType = a('PV_LXC_NETWORK_TYPE');
  const isNet = (t: string): boolean => textEquals(netType ?? null, t, 'args.PV_LXC_NETWORK_TYPE');
  if (truthy(a('PV_LXC_NAMESPACE_KEEP')))
    lines.push(`lxc.namespace.keep = ${goText(a('PV_LXC_NAMESPACE_KEEP'))}`);
  else if (truthy(netType) && !isNet('host')) lines.push('lxc.namespace.keep = user  ipc');
  else lines.push('lxc.namespace.keep = user  net  ipc');

  if (truthy(a('PV_LXC_DISABLE_CONSOLE'))) lines.push('lxc.console.path = none');
  lines.push(
    `lxc.mount.auto = ${goText(ifNull(a('LXC_MOUNT_AUTO_PROC'), 'proc'))}  ${goText(
      ifNull(a('LXC_MOUNT_AUTO_SYS'), 'sys:rw'),
    )}  ${goText(ifNull(a('LXC_MOUNT_AUTO_GROUP'), 'cgroup'))}`,
  );
  if (truthy(a('PV_DISABLE_AUTODEV'))) lines.push('lxc.autodev = 0');
  if (truthy(a('PV_SECURITY_FULLDEV'))) lines.push('lxc.mount.entry = /dev/ dev none bind,rw,create=dir 0 0');
  if (truthy(a('PV_SECURITY_WITH_HOST'))) lines.push('lxc.mount.entry = / host none bind,rw,create=dir 0 0');
  if (truthy(a('PV_SECURITY_WITH_HOSTPROC'))) {
    lines.push('lxc.mount.entry = /proc/ host/proc none bind,rw,create=dir 0 0');
  }
  if (truthy(a('PV_SECURITY_WITH_STORAGE'))) {
    lines.push('lxc.mount.entry = /storage storage none bind,rw,create=dir 0 0');
  }
  if (!truthy(a('PV_RESOLV_CONF_DISABLE'))) {
    lines.push(
      `lxc.mount.entry = /etc/resolv.conf ${goText(
        ifNull(a('PV_RESOLV_CONF_PATH'), 'etc/resolv.conf'),
      )} none bind,rw,create=file 0 0`,
    );
  }
  if (!truthy(a('PV_RUN_TMPFS_DISABLE'))) {
    lines.push(
      `lxc.mount.entry = tmpfs ${goText(
        ifNull(a('PV_RUN_TMPFS_PATH'), 'run'),
      )} tmpfs rw,nodev,relatime,create=dir,mode=755 0 0`,
    );
  }

  for (const [k] of volumeMap(ctx)) {
    if (k === 'lxc-overlay') continue;
    const colon = k.indexOf(':');
    const scheme = colon >= 0 ? k.slice(0, colon) : 'dir';
    if (scheme === 'dir') {
      // An explicit `dir:` prefix is kept in both the source and the target (pvr quirk 15).
      lines.push(
        `lxc.mount.entry = /volumes/${name}/${dockerVolumeName(k)} ${strip1(k)} none bind,rw,create=dir 0 0`,
      );
    } else if (scheme === 'ovl') {
      const r = k.slice(4);
      const x = trim1(r).replaceAll('/', '-');
      const t = strip1(r);
      const dir = `/volumes/${name}/dockerovl-${x}`;
      lines.push(
        `lxc.mount.entry = ${dir} ${t} overlay lowerdir=/volumes/${name}/root.squashfs/${t},upperdir=${dir}/upper,workdir=${dir}/work,create=dir 0 0`,
      );
    }
  }

  for (const [arg, key] of [
    ['PV_LXC_CAP_DROP', 'drop'],
    ['PV_LXC_CAP_KEEP', 'keep'],
  ] as const) {
    for (const c of iterate(a(arg), `args.${arg}`)) {
      lines.push(`lxc.cap.${key} = ${goLower(requireString(c, `args.${arg} item`))}`);
    }
  }

  if (truthy(netType)) {
    if (isNet('empty')) lines.push('lxc.net.0.type = empty');
    if (isNet('phys')) {
      lines.push('lxc.net.0.type = phys', `lxc.net.0.link =${goText(a('PV_LXC_NETWORK_LINK'))}`);
    }
    if (isNet('veth')) {
      lines.push('lxc.net.0.type = veth', 'lxc.net.0.link = lxcbr0', 'lxc.net.0.flags = up');
      if (truthy(a('PV_LXC_NETWORK_IPV4_ADDRESS'))) {
        const gw = a('PV_LXC_NETWORK_IPV4_GATEWAY');
        lines.push(
          `lxc.net.0.ipv4.address = ${goText(a('PV_LXC_NETWORK_IPV4_ADDRESS'))}`,
          `lxc.net.0.ipv4.gateway = ${truthy(gw) ? goText(gw) : 'auto'}`,
        );
      }
    }
  }

  if (truthy(a('PV_LXC_EXTRA_CONF'))) lines.push(goText(a('PV_LXC_EXTRA_CONF')));

  for (const item of commaList(a('PV_FILEIMPORTS'), 'args.PV_FILEIMPORTS')) {
    const [src1, tgt] = firstAndLast(item);
    lines.push(`lxc.mount.entry = /exports/${src1} ${tgt} none bind,rw,create=file 0 0`);
  }
  for (const item of commaList(a('PV_IMPORT_CONFIGVOLUMES'), 'args.PV_IMPORT_CONFIGVOLUMES')) {
    const [vol, tgt] = firstAndLast(item);
    lines.push(
      `lxc.mount.entry = /volumes/${vol}/${name} ${tgt} none bind,rw,create=dir,optional,noexec 0 0`,
    );
  }
  for (const item of commaList(a('PV_VOLUME_MOUNTS'), 'args.PV_VOLUME_MOUNTS')) {
    const [vol, tgt] = firstAndLast(item);
    lines.push(`lxc.mount.entry = /volumes/${name}/${vol} ${tgt} none bind,rw,create=dir 0 0`);
  }
  for (const v of iterate(a('PV_VOLUME_IMPORTS'), 'args.PV_VOLUME_IMPORTS')) {
    lines.push(volumeImportLine(requireString(v, 'args.PV_VOLUME_IMPORTS item')));
  }
  return lines.map((l) => `${l}\n`).join('');
}

/** `lxc.init.cmd` (§4.1), including pvr's unseparated Cmd items after an array Entrypoint. */
export function initCmd(e: GoValue | undefined, c: GoValue | undefined): string {
  let line = 'lxc.init.cmd =';
  const quoted = (xs: (GoValue | undefined)[], sep: string): string =>
    xs.map((x) => `${sep}"${goText(x)}"`).join('');
  if (truthy(e)) {
    if (Array.isArray(e)) {
      if (truthy(e[0])) line += ` ${goText(e[0])}${quoted(e.slice(1), ' ')}`;
      if (Array.isArray(c) && c.length > 0) line += ` ${quoted(c, '')}`;
      else if (truthy(c)) line += ` "${goText(c)}"`;
    } else line += ` ${goText(e)}`;
  } else if (truthy(c)) {
    if (Array.isArray(c)) {
      if (truthy(c[0])) line += ` ${goText(c[0])}${quoted(c.slice(1), ' ')}`;
    } else line += ` ${goText(c)}`;
  }
  if (!truthy(c) && !truthy(e)) line += ' /sbin/init';
  return line;
}

/** A comma-separated string argument (rows 26-28): empty pieces are kept. */
function commaList(v: GoValue | undefined, what: string): string[] {
  if (!truthy(v)) return [];
  return requireString(v, what).split(',');
}

/** Text before the first `:` and after the last `:` (sprig `splitList ":" | first` / `last`). */
function firstAndLast(item: string): [string, string] {
  const parts = item.split(':');
  return [parts[0] ?? '', parts[parts.length - 1] ?? ''];
}

/** A PV_VOLUME_IMPORTS item `container:volume[@subdir]:target[:options]` (§4.4). */
export function volumeImportLine(item: string): string {
  const parts = splitN(item, ':', 4);
  if (parts.length < 3) {
    throw new TemplateError(
      `args.PV_VOLUME_IMPORTS item "${item}" has fewer than two ":"; write "container:volume[@subdir]:target[:options]"`,
    );
  }
  const [p0 = '', p1 = '', p2 = '', p3] = parts;
  const at = p1.indexOf('@');
  const o0 = at >= 0 ? p1.slice(0, at) : p1;
  const o1 = at >= 0 ? p1.slice(at + 1) : undefined;
  const path = o1 ? `${dockerVolumeName(o1)}/${o0}` : dockerVolumeName(o0);
  return `lxc.mount.entry = /volumes/${p0}/${path} ${strip1(p2)} none bind,${p3 ?? 'rw'},create=dir 0 0`;
}

/** Go's `strings.SplitN(s, sep, n)`. */
function splitN(s: string, sep: string, n: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (out.length < n - 1) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + sep.length);
  }
  out.push(rest);
  return out;
}
