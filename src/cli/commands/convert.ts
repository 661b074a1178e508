import { bool, parseArgs, str } from '../args';
import { UsageError, type CliCommand } from '../CliContext';
import { ensureConfigDir } from '../pvrCommand';
import { ConvertError, convertProject } from '../../platform/convert/convertProject';
import { resolve } from 'node:path';

const USAGE = `Usage: pvkit convert <project> --out <dir> [--device-type T] [--strict] [--force] [--no-build]
                     [--no-images] [--source remote,local] [--docker-host H] [-u USER -p PASS] [--json]

Converts a balena project (a docker-compose.yml or the folder holding it) into a new pvr checkout:
one container folder per service (src.json, run.json, lxc.container.conf, and root.squashfs with
the service's image, as \`pvr app add\` makes it), device.json with the groups used, and
CONVERSION.md / CONVERSION.json reporting every field and label. Services with build: are built on
the Docker/Podman engine (DOCKER_HOST, the Docker context, or the default socket) and imported from
it; image: services are imported from the registry or the engine, in --source order. A service
whose image cannot be imported is reported (service, image, layer, compose line) and left for
\`pvkit app update <container>\`; the other services are still converted.

  --out, -o DIR        the checkout to create (must not exist unless --force)
  --device-type, -t T  balena device type (default: balena.yml defaultDeviceType)
  --strict             fail (exit 1, nothing written) when anything is approximated or dropped
  --force, -f          replace an existing output folder
  --no-build           do not build services with build:, even when an engine answers
  --no-images          do not import images (no root.squashfs; for machines without an engine
                       or registry access); \`pvkit app update\` imports them later
  --source LIST        where image: services come from, pvr's order: remote,local (default),
                       remote or local (PVR_SOURCE)
  --docker-host H      the engine to use (default DOCKER_HOST, the Docker context, the socket)
                       (PVKIT_DOCKER_HOST)
  --username, -u USER  registry credentials for image: services, as pvr app add takes them
  --password, -p PASS  (PVR_REGISTRY_USERNAME, PVR_REGISTRY_PASSWORD; never printed)
  --json               print the report as JSON

Exit status: 0 converted, 1 --strict refused, 2 usage error, 3 conversion failed.`;

export const convertCommand: CliCommand = {
  summary: 'Convert a balena project into a new pvr checkout (with a conversion report)',
  usage: USAGE,
  async run(ctx) {
    const args = parseArgs(
      ctx.argv,
      [
        { name: 'out', short: 'o', type: 'string' },
        { name: 'device-type', short: 't', type: 'string', env: 'PVKIT_DEVICE_TYPE' },
        { name: 'strict', type: 'boolean' },
        { name: 'force', short: 'f', type: 'boolean' },
        { name: 'no-build', type: 'boolean' },
        { name: 'no-images', type: 'boolean' },
        { name: 'source', type: 'string', env: 'PVR_SOURCE' },
        { name: 'docker-host', type: 'string', env: 'PVKIT_DOCKER_HOST' },
        { name: 'username', short: 'u', type: 'string', env: 'PVR_REGISTRY_USERNAME' },
        { name: 'password', short: 'p', type: 'string', env: 'PVR_REGISTRY_PASSWORD' },
        { name: 'json', type: 'boolean' },
        { name: 'help', short: 'h', type: 'boolean' },
      ],
      ctx.env,
    );
    if (bool(args, 'help')) {
      ctx.stdout(USAGE + '\n');
      return 0;
    }
    const project = args.positionals[0];
    const out = str(args, 'out');
    if (!project || !out || args.positionals.length > 1)
      throw new UsageError('convert needs one <project> and --out <dir>');
    const deviceType = str(args, 'device-type');
    const source = str(args, 'source');
    const dockerHost = str(args, 'docker-host');
    const username = str(args, 'username');
    const password = str(args, 'password');
    try {
      const r = await convertProject({
        project: resolve(ctx.cwd, project),
        out: resolve(ctx.cwd, out),
        ...(deviceType ? { deviceType } : {}),
        force: bool(args, 'force'),
        strict: bool(args, 'strict'),
        build: bool(args, 'no-build') ? 'never' : 'auto',
        images: bool(args, 'no-images') ? 'never' : 'auto',
        ...(source ? { imageSource: source } : {}),
        ...(dockerHost ? { dockerHost } : {}),
        ...(username ? { username } : {}),
        ...(password ? { password } : {}),
        configDir: ensureConfigDir(ctx.env),
        env: ctx.env,
        signal: ctx.signal,
        progress: (l) => ctx.stderr(l + '\n'),
      });
      const rep = r.result.report;
      if (bool(args, 'json')) ctx.stdout(JSON.stringify(rep, null, 2) + '\n');
      else {
        ctx.stdout(
          `Converted ${rep.project} into ${r.out}: ${rep.containers.length} container(s), ${rep.containers.filter((c) => c.import?.status === 'imported').length} image(s) imported; ${rep.counts.mapped} mapped, ${rep.counts.approximated} approximated, ${rep.counts.dropped} dropped. Report: ${resolve(r.out, 'CONVERSION.md')}\n`,
        );
        for (const p of rep.problems)
          ctx.stdout(
            `${p.severity}: ${p.file ? `${p.file}${p.line ? `:${p.line}` : ''}: ` : ''}${p.message}\n`,
          );
        rep.nextSteps.forEach((s, i) => ctx.stdout(`next ${i + 1}: ${s}\n`));
      }
      return 0;
    } catch (e) {
      if (!(e instanceof ConvertError)) throw e;
      ctx.stderr(`pvkit convert: ${e.message}\n`);
      return e.code === 'strict' ? 1 : 3;
    }
  },
};
