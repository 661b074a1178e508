import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs, bool, list, str, type FlagSpec, type ParsedArgs } from '../args';
import { UsageError, type CliCommand, type CliContext } from '../CliContext';
import { formatSummary, mergeSummaries, type VerifySummary } from '../../core/signature/lsSummary';
import { GlobError, globMatch } from '../../core/signature/globMatch';
import { goPathJoin, matchForAdd, sigKeyFor, type PvsMatch } from '../../core/signature/pvsMatch';
import { parseSignatureFile } from '../../core/signature/pvsSignature';
import { selectKeys } from '../../core/signature/payload';
import {
  KeyFileError,
  readCertificates,
  readPrivateKey,
  readPublicKeys,
} from '../../platform/signature/keys';
import {
  checkSignature,
  committedSignatureKeys,
  loadSignatureReport,
} from '../../platform/signature/signatureReport';
import { signState } from '../../platform/signature/sign';
import type { Trust } from '../../platform/signature/verify';
import { CheckoutError, readCheckout } from '../../platform/signature/workingTree';

/**
 * `pvkit sig ls|add|update|coverage`: pvr 037's `pvr sig` (flags, output, exit codes from
 * `cmdsig.go`, `cmdsigls.go`, `cmdsigadd.go`, `cmdsigupdate.go`) with Node's crypto, plus `coverage`,
 * which pvr does not have. Differences, on purpose: pvkit never downloads pvr's developer keys
 * (where pvr would ask to, it exits 127 and says which flag to give), and it reads an encrypted
 * signing key with the passphrase in `PVKIT_SIG_PASSPHRASE`.
 */

const GROUP_FLAGS: FlagSpec[] = [
  { name: 'key', short: 'k', type: 'string', env: 'PVR_SIG_KEY' },
  { name: 'x5c', short: 'x', type: 'string', env: 'PVR_X5C_PATH' },
  { name: 'pubkey', short: 'p', type: 'string', env: 'PVR_SIG_PUBKEY' },
  { name: 'cacerts', short: 'c', type: 'string', env: 'PVR_SIG_CACERTS' },
  { name: 'certs-url', type: 'string', env: 'PVS_CERTS_URL' },
  { name: 'with-payload', type: 'boolean', env: 'PVS_SIG_WITH_PAYLOAD' },
  { name: 'output', type: 'string', env: 'PVS_SIG_OUTPUT' },
];

/** After the subcommand, the group flags are accepted by long name (and the non-clashing shorts). */
const LATE_GROUP_FLAGS: FlagSpec[] = GROUP_FLAGS.map((f) =>
  f.short === 'p' ? { name: f.name, type: f.type } : { ...f },
).map((f) => {
  const { env: _env, ...rest } = f;
  return rest;
});

const SUB_FLAGS: Record<string, FlagSpec[]> = {
  ls: [
    { name: 'part', short: 'p', type: 'string', env: 'PVR_SIG_ADD_PART' },
    { name: 'with-sigs', short: 's', type: 'boolean', env: 'PVR_SIG_LS_WITH_SIGS' },
  ],
  add: [
    { name: 'part', short: 'p', type: 'string' },
    { name: 'raw', short: 'r', type: 'string' },
    { name: 'include', short: 'i', type: 'list' },
    { name: 'exclude', short: 'e', type: 'list' },
    { name: 'noconfig', short: 'n', type: 'boolean' },
  ],
  update: [],
  coverage: [
    { name: 'strict', type: 'boolean' },
    { name: 'json', type: 'boolean' },
  ],
};

const ALIASES: Record<string, string> = { a: 'add', up: 'update', list: 'ls' };

const USAGE = `pvkit sig [--key PEM] [--x5c PEM|no] [--pubkey PEM] [--cacerts PEM] [--with-payload] [--output FILE|-] COMMAND
  ls [NAME...] [--with-sigs]     verify _sigs/NAME.json (default: every pvs@2 signature) against the
                                 committed state; print pvr's JSON summary. Exit 11/12 bad --pubkey,
                                 13 not verified, 125 no such signature, 127 no trusted key given
  add --part NAME | --raw NAME [--include G]... [--exclude G]... [--noconfig]
                                 sign the committed state into _sigs/NAME.json (then pvr add, commit)
  update [NAME...]               re-sign existing signatures with their stored globs
  coverage [--strict] [--json]   which signatures cover each file; stale and uncovered files`;

/** Splits argv at the subcommand: group flags before it, subcommand flags after it. */
function splitAtSubcommand(argv: readonly string[]): { before: string[]; sub?: string; after: string[] } {
  const valued = new Set(
    GROUP_FLAGS.filter((f) => f.type !== 'boolean').flatMap((f) => [
      `--${f.name}`,
      ...(f.short ? [`-${f.short}`] : []),
    ]),
  );
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a.startsWith('-') && a !== '-') {
      if (valued.has(a)) i++;
      continue;
    }
    return { before: argv.slice(0, i), sub: ALIASES[a] ?? a, after: argv.slice(i + 1) };
  }
  return { before: [...argv], after: [] };
}

interface Parsed {
  sub: string;
  flags: ParsedArgs['flags'];
  args: string[];
}

function parse(ctx: CliContext): Parsed {
  const { before, sub, after } = splitAtSubcommand(ctx.argv);
  if (!sub) throw new UsageError('no subcommand; use ls, add, update or coverage');
  const subSpec = SUB_FLAGS[sub];
  if (!subSpec) throw new UsageError(`unknown subcommand "${sub}"; use ls, add, update or coverage`);
  const group = parseArgs(before, GROUP_FLAGS, ctx.env);
  const late = parseArgs(
    after,
    [...subSpec, ...LATE_GROUP_FLAGS.filter((f) => !subSpec.some((s) => s.short === f.short && f.short))],
    ctx.env,
  );
  if (group.positionals.length) throw new UsageError(`unexpected argument ${group.positionals[0] ?? ''}`);
  const flags = { ...group.flags };
  for (const [k, v] of Object.entries(late.flags)) if (v !== undefined) flags[k] = v;
  return { sub, flags, args: late.positionals };
}

/** An error with the exit code pvr uses for it. */
class Exit extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export const sigCommand: CliCommand = {
  summary: 'Sign and verify Pantavisor revisions (pvr sig), and show signature coverage',
  usage: USAGE,
  run: async (ctx) => {
    let p: Parsed;
    try {
      p = parse(ctx);
    } catch (e) {
      ctx.stderr(`pvkit sig: ${(e as Error).message}\n\nusage: ${USAGE}\n`);
      return 2;
    }
    const pa: ParsedArgs = { flags: p.flags, positionals: p.args };
    try {
      switch (p.sub) {
        case 'ls':
          return await sigLs(ctx, pa);
        case 'add':
          return await sigAdd(ctx, pa);
        case 'update':
          return await sigUpdate(ctx, pa);
        default:
          return await sigCoverage(ctx, pa);
      }
    } catch (e) {
      if (e instanceof Exit) {
        ctx.stderr(`ERROR: ${e.message}\n`);
        return e.code;
      }
      if (e instanceof CheckoutError) {
        ctx.stderr(`ERROR: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
  },
};

/**
 * pvr's default signing files, `<config-dir>/pvs/{key,x5c,cacerts}.default.pem` (config dir
 * `PVR_CONFIG_DIR`, else `~/.pvr`), used when they exist; pvr downloads them after a prompt, pvkit
 * never downloads anything.
 */
async function pvrDefault(ctx: CliContext, file: 'key' | 'x5c' | 'cacerts'): Promise<string | undefined> {
  const home = ctx.env['HOME'] ?? '';
  const configDir = ctx.env['PVR_CONFIG_DIR'] || (home ? join(home, '.pvr') : '');
  if (!configDir) return undefined;
  const path = join(configDir, 'pvs', `${file}.default.pem`);
  try {
    return (await stat(path)).isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

async function trustFrom(
  ctx: CliContext,
  p: ParsedArgs,
  required: boolean,
): Promise<Trust & { configured: boolean }> {
  const pubkey = str(p, 'pubkey');
  let cacerts = str(p, 'cacerts');
  if (!pubkey && !cacerts && required) cacerts = await pvrDefault(ctx, 'cacerts');
  const trust: Trust & { configured: boolean } = { configured: Boolean(pubkey || cacerts) };
  if (pubkey) {
    const path = resolve(ctx.cwd, pubkey);
    try {
      const st = await stat(path);
      if (st.isDirectory()) throw new Exit(12, `signing key is not a file; see --help: ${path}`);
    } catch (e) {
      if (e instanceof Exit) throw e;
      throw new Exit(
        11,
        `errors accessing signing key; see --help: ${path}: ${(e as NodeJS.ErrnoException).code ?? ''}`,
      );
    }
    try {
      trust.publicKeys = await readPublicKeys(path);
    } catch (e) {
      throw new Exit(13, (e as Error).message);
    }
  }
  if (cacerts) {
    if (cacerts === '_system_') throw new Exit(13, 'Using system cert pool not supported anymore');
    try {
      trust.caCerts = await readCertificates(resolve(ctx.cwd, cacerts), 'CA file');
    } catch (e) {
      throw new Exit(13, (e as Error).message);
    }
  }
  if (required && !trust.configured) {
    throw new Exit(
      127,
      'no trusted key: give --pubkey PEM or --cacerts PEM (PVR_SIG_PUBKEY / PVR_SIG_CACERTS); pvkit does not download pvr developer keys',
    );
  }
  return trust;
}

async function sigLs(ctx: CliContext, p: ParsedArgs): Promise<number> {
  const { state } = await readCheckout(ctx.cwd).catch((e: unknown) => {
    throw e instanceof CheckoutError ? new Exit(2, e.message) : e;
  });
  const trust = await trustFrom(ctx, p, true);
  const keys = p.positionals.length ? p.positionals.map(sigKeyFor) : committedSignatureKeys(state);
  const summaries: VerifySummary[] = [];
  for (const key of keys) {
    let text: string;
    try {
      text = await readFile(join(ctx.cwd, ...key.split('/')), 'utf8');
    } catch {
      throw new Exit(125, `signature file does not exist with name ${key}`);
    }
    const c = checkSignature(state, key, text, trust);
    if (c.status !== 'valid' || !c.sig || !c.selection || c.payload === undefined) {
      throw new Exit(13, `${key}: ${c.reason ?? c.status}`);
    }
    const full: Record<string, unknown> = {};
    // pvr prints the payload in standard base64 without padding (its `--with-payload` output).
    if (bool(p, 'with-payload'))
      full['payload'] = Buffer.from(c.payload).toString('base64').replace(/=+$/, '');
    full['protected'] = c.sig.protectedB64;
    full['signature'] = c.sig.signatureB64;
    summaries.push({
      protected: c.selection.protected,
      excluded: c.selection.excluded,
      notSeen: c.selection.notSeen,
      sigs: [full],
    });
  }
  ctx.stdout(formatSummary(mergeSummaries(summaries), bool(p, 'with-sigs')));
  return 0;
}

async function signingMaterial(ctx: CliContext, p: ParsedArgs) {
  const keyPath = str(p, 'key') ?? (await pvrDefault(ctx, 'key'));
  if (!keyPath) {
    throw new Exit(
      127,
      'no signing key: give --key PEM or PVR_SIG_KEY (pvkit does not download pvr developer keys)',
    );
  }
  const passphrase = ctx.env['PVKIT_SIG_PASSPHRASE'];
  let key;
  try {
    key = await readPrivateKey(resolve(ctx.cwd, keyPath), passphrase === '' ? undefined : passphrase);
  } catch (e) {
    const hint = e instanceof KeyFileError && e.kind === 'encrypted' ? ' (set PVKIT_SIG_PASSPHRASE)' : '';
    throw new Exit(127, (e as Error).message + hint);
  }
  const x5cPath = str(p, 'x5c') ?? (await pvrDefault(ctx, 'x5c'));
  let x5c;
  if (x5cPath && x5cPath !== 'no') {
    try {
      x5c = await readCertificates(resolve(ctx.cwd, x5cPath), 'x5c certificate file');
    } catch (e) {
      throw new Exit(127, (e as Error).message);
    }
  }
  return { key, x5c };
}

async function writeSignature(ctx: CliContext, p: ParsedArgs, key: string, text: string): Promise<void> {
  const path = join(ctx.cwd, ...key.split('/'));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  const output = str(p, 'output');
  if (output === '-') ctx.stdout(text);
  else if (output) await writeFile(resolve(ctx.cwd, output), text);
}

async function sigAdd(ctx: CliContext, p: ParsedArgs): Promise<number> {
  let name: string;
  let match: PvsMatch;
  try {
    ({ name, match } = matchForAdd({
      part: str(p, 'part'),
      raw: str(p, 'raw'),
      include: list(p, 'include'),
      exclude: list(p, 'exclude'),
      noconfig: bool(p, 'noconfig'),
    }));
  } catch (e) {
    throw new Exit(5, `${(e as Error).message}; see --help`);
  }
  const checkout = await readCheckout(ctx.cwd);
  const { key, x5c } = await signingMaterial(ctx, p);
  let selection;
  try {
    selection = selectKeys(checkout.state.keys, match.include, match.exclude);
  } catch (e) {
    if (e instanceof GlobError) throw new Exit(5, e.message);
    throw e;
  }
  if (selection.protected.length === 0) {
    throw new Exit(
      127,
      `the globs include ${JSON.stringify(match.include)} exclude ${JSON.stringify(match.exclude)} select no key of the committed state (.pvr/json); commit the files first or fix the globs`,
    );
  }
  const autoConfig = str(p, 'part') ? goPathJoin('_config', str(p, 'part') ?? '', '**') : '';
  for (const g of selection.unmatchedIncludes) {
    if (g !== autoConfig)
      ctx.stderr(`WARNING: include glob ${JSON.stringify(g)} matches no key of the committed state\n`);
  }
  warnUncommitted(ctx, checkout, selection.protected);
  const sigKey = `_sigs/${name}.json`;
  let result;
  try {
    result = signState({ state: checkout.state, match, key, x5c, withPayload: bool(p, 'with-payload') });
  } catch (e) {
    throw new Exit(127, (e as Error).message);
  }
  await writeSignature(ctx, p, sigKey, result.fileText);
  ctx.stderr(
    `signed ${result.selection.protected.length} keys with ${result.alg} into ${sigKey}; now: pvr add ${sigKey} && pvr commit\n`,
  );
  return 0;
}

function warnUncommitted(
  ctx: CliContext,
  checkout: Awaited<ReturnType<typeof readCheckout>>,
  covered: readonly string[],
): void {
  const set = new Set(covered);
  const dirty = [...checkout.changes.modified, ...checkout.changes.deleted].filter((k) => set.has(k));
  if (dirty.length) {
    ctx.stderr(
      `WARNING: signing the committed state; ${dirty.length} covered file(s) have uncommitted changes (${dirty.slice(0, 3).join(', ')}${dirty.length > 3 ? ', …' : ''}): commit first, then sign\n`,
    );
  }
}

async function sigUpdate(ctx: CliContext, p: ParsedArgs): Promise<number> {
  const checkout = await readCheckout(ctx.cwd);
  const patterns = p.positionals.length ? p.positionals.map(sigKeyFor) : ['_sigs/*.json'];
  const { key, x5c } = await signingMaterial(ctx, p);
  for (const k of committedSignatureKeys(checkout.state)) {
    let hit: boolean;
    try {
      hit = patterns.some((g) => globMatch(g, k));
    } catch (e) {
      throw new Exit(123, (e as Error).message);
    }
    if (!hit) continue;
    ctx.stderr(`Updating pvs signature @ ${k}`);
    try {
      const path = join(ctx.cwd, ...k.split('/'));
      const parsed = parseSignatureFile(await readFile(path, 'utf8'));
      if (!parsed.ok) throw new Error(`${k}: ${parsed.problem.message}`);
      const match = { include: parsed.sig.header.include, exclude: parsed.sig.header.exclude };
      const result = signState({
        state: checkout.state,
        match,
        key,
        x5c,
        withPayload: bool(p, 'with-payload'),
      });
      await writeSignature(ctx, p, k, result.fileText);
    } catch (e) {
      ctx.stderr(' [ERROR]\n');
      throw new Exit(126, (e as Error).message);
    }
    ctx.stderr(' [DONE]\n');
  }
  return 0;
}

async function sigCoverage(ctx: CliContext, p: ParsedArgs): Promise<number> {
  const trust = await trustFrom(ctx, p, false);
  const strict = bool(p, 'strict');
  const report = await loadSignatureReport(ctx.cwd, { trust, trustConfigured: trust.configured, strict });
  if (bool(p, 'json')) {
    ctx.stdout(
      JSON.stringify(
        {
          signatures: report.signatures.map((s) => ({
            name: s.name,
            key: s.key,
            status: s.status,
            reason: s.reason,
            alg: s.alg,
            signer: s.signer,
            include: s.include,
            exclude: s.exclude,
          })),
          files: report.coverage.files,
          stale: report.coverage.stale,
          uncovered: report.coverage.uncovered,
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    for (const s of report.signatures) {
      ctx.stdout(
        `${s.status.toUpperCase().padEnd(9)} ${s.key}${s.alg ? ` (${s.alg})` : ''}${s.reason ? `: ${s.reason}` : ''}\n`,
      );
    }
    for (const st of report.coverage.stale)
      ctx.stdout(`STALE     ${st.key}: changed ${st.changed.join(', ')}\n`);
    ctx.stdout('\n');
    for (const f of report.coverage.files) {
      const by = f.coveredBy.length ? f.coveredBy.join(',') : '-';
      ctx.stdout(`${(f.change ?? '').padEnd(8)} ${by.padEnd(20)} ${f.key}\n`);
    }
    if (report.coverage.uncovered.length)
      ctx.stdout(`\n${report.coverage.uncovered.length} file(s) covered by no signature\n`);
  }
  const bad =
    report.diagnostics.some((d) => d.severity === 'error') ||
    (strict && report.coverage.uncovered.length > 0);
  return bad ? 1 : 0;
}
