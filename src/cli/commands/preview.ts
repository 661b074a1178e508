import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { parse as parseJsonc, type ParseError } from 'jsonc-parser';
import { parseForward, parseProfile } from '../../core/qemu/QemuProfile';
import { PreviewError } from '../../platform/qemu/PreviewError';
import { QemuPreview } from '../../platform/qemu/QemuPreview';
import { bool, list, parseArgs, str, type FlagSpec } from '../args';
import { UsageError, type CliCommand, type CliContext } from '../CliContext';

const FLAGS: FlagSpec[] = [
  { name: 'profile', short: 'p', type: 'string' },
  { name: 'settings', type: 'string' },
  { name: 'image', type: 'string' },
  { name: 'format', type: 'string' },
  { name: 'no-snapshot', type: 'boolean' },
  { name: 'kernel', type: 'string' },
  { name: 'initrd', type: 'string' },
  { name: 'append', type: 'string' },
  { name: 'arch', type: 'string' },
  { name: 'accel', type: 'string' },
  { name: 'firmware', type: 'string' },
  { name: 'forward', type: 'list' },
  { name: 'memory', type: 'string' },
  { name: 'cpus', type: 'string' },
  { name: 'qemu', type: 'string', env: 'PVKIT_QEMU' },
  { name: 'interactive', short: 'i', type: 'boolean' },
  { name: 'timeout', type: 'string' },
];

const USAGE = `pvkit preview [--profile NAME | --image IMG | --kernel K --initrd I --append ARGS] [flags] [-- QEMU-ARGS...]

Boots a Pantavisor image under QEMU without VS Code: the serial console goes to stdout, QEMU's
messages to stderr, and the exit code is QEMU's.

  --profile, -p NAME     a profile from "pantavisor.qemu.profiles" in .vscode/settings.json
  --settings FILE        read profiles from FILE instead of ./.vscode/settings.json
  --image IMG            raw or qcow2 disk image (opened with -snapshot: never modified)
  --format raw|qcow2     image format (detected from the header when absent)
  --no-snapshot          write changes to the image
  --kernel K --initrd I --append ARGS   boot a kernel directly
  --arch x86_64|aarch64|arm             guest architecture (default x86_64)
  --accel auto|kvm|tcg   auto tries KVM and falls back to TCG (default auto)
  --firmware auto|bios|uefi|FILE        firmware (auto: UEFI where the architecture needs it)
  --forward HOST:GUEST   forward 127.0.0.1:HOST to the guest (repeatable; ":GUEST" picks a free
                         host port); replaces the default forwards 12368 (pvr) and 8222 (ssh)
  --memory MB, --cpus N  guest size
  --qemu PATH            QEMU binary or directory of binaries (env PVKIT_QEMU)
  --interactive, -i      forward stdin to the guest console
  --timeout SECONDS      stop QEMU after this long and exit with 124 (as timeout(1) does)
  -- QEMU-ARGS...        extra arguments appended to the QEMU command line`;

/** Reads `pantavisor.qemu.profiles` from a VS Code settings file (JSON with comments). */
async function profileFromSettings(file: string, name: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError(
      `--profile ${name}: ${file} not found; pass --settings FILE or run from the workspace folder`,
    );
  }
  const errors: ParseError[] = [];
  const settings = parseJsonc(text, errors, { allowTrailingComma: true }) as unknown;
  if (errors.length || typeof settings !== 'object' || settings === null) {
    throw new UsageError(`${file}: not valid JSON (first error at offset ${errors[0]?.offset ?? 0})`);
  }
  const profiles = (settings as Record<string, unknown>)['pantavisor.qemu.profiles'];
  const all = Array.isArray(profiles) ? (profiles as unknown[]) : [];
  const found = all.find(
    (p) => typeof p === 'object' && p !== null && (p as Record<string, unknown>)['name'] === name,
  );
  if (!found) {
    const names = all
      .map((p) => (p as Record<string, unknown> | null)?.['name'])
      .filter((n) => typeof n === 'string');
    throw new UsageError(
      `no profile "${name}" in "pantavisor.qemu.profiles" of ${file}` +
        (names.length ? ` (there are: ${names.join(', ')})` : ' (it has none)'),
    );
  }
  return { ...(found as Record<string, unknown>) };
}

function intFlag(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${flag} must be a whole number (got "${v}")`);
  return Number(v);
}

async function run(ctx: CliContext): Promise<number> {
  const a = parseArgs(ctx.argv, FLAGS, ctx.env);
  const dashDash = ctx.argv.indexOf('--');
  const extra = dashDash >= 0 ? ctx.argv.slice(dashDash + 1) : [];
  const stray = a.positionals.slice(0, a.positionals.length - extra.length);
  if (stray.length) throw new UsageError(`unexpected argument "${stray[0]}" (QEMU arguments go after "--")`);

  const profileName = str(a, 'profile');
  const raw: Record<string, unknown> = profileName
    ? await profileFromSettings(
        resolve(ctx.cwd, str(a, 'settings') ?? join('.vscode', 'settings.json')),
        profileName,
      )
    : { name: 'cli' };
  const set = (key: string, v: unknown): void => {
    if (v !== undefined) raw[key] = v;
  };
  set('image', str(a, 'image'));
  set('format', str(a, 'format'));
  if (bool(a, 'no-snapshot')) raw['snapshot'] = false;
  set('kernel', str(a, 'kernel'));
  set('initrd', str(a, 'initrd'));
  set('append', str(a, 'append'));
  set('arch', str(a, 'arch'));
  set('accel', str(a, 'accel'));
  set('firmware', str(a, 'firmware'));
  set('memory', intFlag(str(a, 'memory'), 'memory'));
  set('cpus', intFlag(str(a, 'cpus'), 'cpus'));
  const forwards = list(a, 'forward');
  if (forwards.length) {
    raw['forwards'] = forwards.map((f) => {
      const r = parseForward(f);
      if (typeof r === 'string') throw new UsageError(`--forward: ${r}`);
      return r;
    });
  }
  if (extra.length) raw['extraArgs'] = [...((raw['extraArgs'] as string[] | undefined) ?? []), ...extra];

  const parsed = parseProfile(raw, profileName ?? 'cli');
  for (const p of parsed.problems) {
    ctx.stderr(`pvkit preview: ${p.severity}: ${p.field ? `${p.field}: ` : ''}${p.message}\n`);
  }
  if (!parsed.profile) throw new UsageError('the preview profile is not usable (see above)');

  const timeoutS = intFlag(str(a, 'timeout'), 'timeout');
  const say = (m: string): void => ctx.stderr(`pvkit preview: ${m}\n`);
  let preview: QemuPreview;
  try {
    preview = await QemuPreview.start(parsed.profile, {
      cwd: ctx.cwd,
      logger: { info: say, warn: () => undefined },
      ...(str(a, 'qemu') ? { qemuPath: str(a, 'qemu') } : {}),
    });
  } catch (e) {
    if (e instanceof PreviewError) {
      say(e.message);
      return 1;
    }
    throw e;
  }
  const decoder = new StringDecoder('utf8');
  preview.onConsole((d) => ctx.stdout(decoder.write(d)));
  preview.onStderr((t) => ctx.stderr(t));
  preview.onReady(() => say(`ready: the pvr endpoint answers at ${preview.pvrUrl ?? ''}`));
  const onAbort = (): void => void preview.stop();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let stdinListener: ((d: Buffer) => void) | undefined;
  if (bool(a, 'interactive')) {
    stdinListener = (d: Buffer): void => preview.write(d);
    process.stdin.on('data', stdinListener);
  }
  let timedOut = false;
  const timer =
    timeoutS === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          say(`--timeout ${timeoutS}: stopping QEMU`);
          void preview.stop();
        }, timeoutS * 1000);
  const exit = await preview.exited;
  if (timer) clearTimeout(timer);
  ctx.signal.removeEventListener('abort', onAbort);
  if (stdinListener) {
    process.stdin.off('data', stdinListener);
    process.stdin.pause();
  }
  const rest = decoder.end();
  if (rest) ctx.stdout(rest);
  if (exit.error && exit.code !== 0) say(exit.error.message);
  if (ctx.signal.aborted) return 130;
  if (timedOut) return 124;
  return exit.code ?? 128 + (exit.signal === 'SIGKILL' ? 9 : 15);
}

export const previewCommand: CliCommand = {
  summary: 'Boot an image or kernel under QEMU, console on stdout (headless QEMU preview)',
  usage: USAGE,
  run,
};
