import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * Replays one pvr transcript scenario (shared/corpus/pvr-repo/<name>) against a program and
 * compares every step (stdout, stderr, exit code) and the final repository files, object stores,
 * export archives and working trees after the README's placeholder substitution.
 */

export interface ReplayResult {
  scenario: string;
  steps: number;
  mismatches: string[];
}

const RECORDER = `#!/bin/bash
kind=$1; shift
n=$(( $(cat "$REC_DIR/counter" 2>/dev/null || echo 0) + 1 ))
echo $n > "$REC_DIR/counter"
nn=$(printf %02d $n)
if [ "$kind" = pvr ]; then
  "$REC_NODE" "$REC_CLI" "$@" >"$REC_DIR/$nn.stdout" 2>"$REC_DIR/$nn.stderr" </dev/null
else
  "$@" >"$REC_DIR/$nn.stdout" 2>"$REC_DIR/$nn.stderr" </dev/null
fi
rc=$?
echo $rc > "$REC_DIR/$nn.exit"
exit $rc
`;

function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function mode(m: number): string {
  return (m & 0o7777).toString(8).padStart(4, '0');
}

/** Lists a tree like the corpus's tree.tsv / pvr-dir.tsv (sorted by path bytes). */
function listTree(root: string, base: string, withData: boolean, skip: (rel: string) => boolean): string[] {
  const rows: [string, string][] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const abs = join(dir, name);
      const rel = relative(base, abs);
      if (skip(rel)) continue;
      const st = lstatSync(abs);
      if (st.isDirectory()) {
        rows.push([
          `${rel}/`,
          withData ? `d\t${mode(st.mode)}\t-\t-\t-\t${rel}/` : `d\t${mode(st.mode)}\t-\t${rel}`,
        ]);
        walk(abs);
      } else if (st.isSymbolicLink()) {
        rows.push([
          rel,
          withData ? `l\t0777\t-\t-\t-\t${rel} -> ${readlinkSync(abs)}` : `l\t0777\t-\t${rel}`,
        ]);
      } else {
        const data = readFileSync(abs);
        rows.push([
          rel,
          withData
            ? `f\t${mode(st.mode)}\t${st.size}\t${st.nlink}\t${sha(data)}\t${rel}`
            : `f\t${mode(st.mode)}\t${st.size}\t${rel}`,
        ]);
      }
    }
  };
  walk(root);
  rows.sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])));
  return rows.map((r) => r[1]);
}

function tarEntries(data: Buffer): string[] {
  const gz = data[0] === 0x1f && data[1] === 0x8b;
  const tar = gz ? gunzipSync(data) : data;
  const rows: string[] = [];
  let off = 0;
  while (off + 512 <= tar.length) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const str = (o: number, l: number): string => {
      const s = h.subarray(o, o + l);
      const z = s.indexOf(0);
      return (z >= 0 ? s.subarray(0, z) : s).toString('utf8');
    };
    const oct = (o: number, l: number): number => Number.parseInt(str(o, l).trim() || '0', 8);
    const size = oct(124, 12);
    const body = tar.subarray(off + 512, off + 512 + size);
    rows.push(
      [
        str(0, 100),
        str(156, 1),
        mode(oct(100, 8)),
        oct(108, 8),
        oct(116, 8),
        str(265, 32),
        str(297, 32),
        size,
        sha(body),
      ].join('\t'),
    );
    off += 512 + Math.ceil(size / 512) * 512;
  }
  const [first, ...rest] = rows;
  const sorted = rest.sort((a, b) =>
    Buffer.compare(Buffer.from(a.split('\t')[0] ?? ''), Buffer.from(b.split('\t')[0] ?? '')),
  );
  const header = `# compression=${gz ? 'gzip' : 'plain'} entries=${rows.length} json_first=${first?.startsWith('json\t') ? 'yes' : 'no'}`;
  return [
    header,
    'name\ttypeflag\tmode\tuid\tgid\tuname\tgname\tsize\tsha256',
    ...(first ? [first] : []),
    ...sorted,
  ];
}

/** Runs scenario `dir` with `cli` (a JS file run by node) and compares everything. */
export function replayScenario(dir: string, cli: string): ReplayResult {
  const scenario = dir.split('/').pop() ?? dir;
  const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'pvkit-replay-')));
  const WORK = join(scratch, 'work');
  const HOME = join(scratch, 'home');
  const CONFIG = join(scratch, 'config');
  const TMP = join(scratch, 'tmp');
  const REC = join(scratch, 'rec');
  for (const d of [WORK, HOME, TMP, REC]) mkdirSync(d);
  writeFileSync(join(scratch, 'rec.sh'), RECORDER);
  const script = readFileSync(join(dir, 'script.sh'), 'utf8');
  const objHeader = /^# objects: (.+)$/m.exec(script)?.[1];
  const OBJECTS = objHeader ? join(WORK, objHeader) : join(CONFIG, 'objects');
  const mismatches: string[] = [];
  try {
    spawnSync('bash', ['-c', `umask 022; source "${join(dir, 'script.sh')}"`], {
      cwd: WORK,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 300_000,
      env: {
        PATH: '/usr/bin:/bin',
        HOME,
        PVR_DISABLE_SELF_UPGRADE: '1',
        PVR_CONFIG_DIR: CONFIG,
        TMPDIR: TMP,
        TZ: 'UTC',
        LANG: 'C.UTF-8',
        PVR: `bash ${join(scratch, 'rec.sh')} pvr`,
        SHOW: `bash ${join(scratch, 'rec.sh')} show`,
        REC_DIR: REC,
        REC_NODE: process.execPath,
        REC_CLI: cli,
      },
    });
    const subs: [string, string][] = (
      [
        [OBJECTS, '$OBJECTS'],
        [join(CONFIG, 'objects'), '$CONFIG/objects'],
        [CONFIG, '$CONFIG'],
        [join(WORK, 'repo'), '$REPO'],
        [WORK, '$WORK'],
        [TMP, '$TMP'],
        [HOME, '$HOME'],
      ] as [string, string][]
    ).sort((a, b) => b[0].length - a[0].length);
    const norm = (b: Buffer): Buffer => {
      let s = b.toString('latin1');
      for (const [from, to] of subs) s = s.split(Buffer.from(from).toString('latin1')).join(to);
      s = s
        .replace(/pvr-tmprepo-\d+/g, 'pvr-tmprepo-NNNNNNNNN')
        .replace(/pvr-clone-\d+/g, 'pvr-clone-NNNNNNNNN');
      return Buffer.from(s, 'latin1');
    };
    const out = join(dir, 'out');
    const stepFiles = readdirSync(out)
      .filter((f) => f.endsWith('.cmd'))
      .sort();
    for (const f of stepFiles) {
      const n = f.slice(0, -4);
      const cmd = readFileSync(join(out, f), 'utf8').trim().split('\n').pop() ?? '';
      if (!existsSync(join(REC, `${n}.exit`))) {
        mismatches.push(`step ${n} (${cmd}): never ran`);
        continue;
      }
      for (const kind of ['exit', 'stdout', 'stderr']) {
        const want = readFileSync(join(out, `${n}.${kind}`));
        const got = norm(readFileSync(join(REC, `${n}.${kind}`)));
        if (kind === 'stdout' && / export -$/.test(cmd)) {
          if (tarEntries(want).slice(2).join('\n') !== tarEntries(got).slice(2).join('\n'))
            mismatches.push(`step ${n} (${cmd}): exported tar on stdout differs`);
          continue;
        }
        if (!want.equals(got)) {
          mismatches.push(
            `step ${n} (${cmd}) ${kind}:\n  want ${JSON.stringify(want.toString('utf8'))}\n  got  ${JSON.stringify(got.toString('utf8'))}`,
          );
        }
      }
    }
    // Final state.
    const fin = join(out, 'final');
    const cmpText = (what: string, want: string, got: string): void => {
      if (want !== got)
        mismatches.push(`${what}:\n  want ${JSON.stringify(want)}\n  got  ${JSON.stringify(got)}`);
    };
    for (const repoLabel of existsSync(join(fin, 'repos')) ? readdirSync(join(fin, 'repos')) : []) {
      const rel =
        repoLabel === '_work_'
          ? ''
          : repoLabel
              .split('/')
              .map((c) => c.replace(/^dot\./, '.'))
              .join('/');
      const root = join(WORK, rel);
      const expDir = join(fin, 'repos', repoLabel);
      for (const name of ['json', 'new', 'config', 'commitmsg']) {
        const want = join(expDir, 'pvr', name);
        const got = join(root, '.pvr', name);
        if (existsSync(want) !== existsSync(got))
          mismatches.push(
            `${repoLabel}/.pvr/${name}: exists ${existsSync(got)}, expected ${existsSync(want)}`,
          );
        else if (existsSync(want))
          cmpText(
            `${repoLabel}/.pvr/${name}`,
            readFileSync(want, 'latin1'),
            norm(readFileSync(got)).toString('latin1'),
          );
      }
      // The size of .pvr/config depends on the length of the scratch paths; its content is compared above.
      const noCfgSize = (t: string): string => t.replace(/^(f\t\d+\t)\d+(\t\.pvr\/config)$/m, '$1-$2');
      cmpText(
        `${repoLabel}/pvr-dir.tsv`,
        noCfgSize(readFileSync(join(expDir, 'pvr-dir.tsv'), 'utf8')),
        noCfgSize(
          ['type\tmode\tsize\tpath', ...listTree(join(root, '.pvr'), root, false, () => false)].join('\n') +
            '\n',
        ),
      );
      const wantTree = readFileSync(join(expDir, 'tree.tsv'), 'utf8');
      if (!wantTree.includes('<VARIES')) {
        cmpText(
          `${repoLabel}/tree.tsv`,
          wantTree,
          ['type\tmode\tsize\tnlink\tsha256\tpath', ...listTree(root, root, true, (r) => r === '.pvr')].join(
            '\n',
          ) + '\n',
        );
      }
    }
    for (const label of existsSync(join(fin, 'objects')) ? readdirSync(join(fin, 'objects')) : []) {
      const text = readFileSync(join(fin, 'objects', label), 'utf8');
      const ph = text.split('\n')[0]?.slice(2) ?? '';
      let path = ph;
      for (const [from, to] of subs) if (path.startsWith(to)) path = from + path.slice(to.length);
      const rows = existsSync(path)
        ? readdirSync(path)
            .sort()
            .map((n) => {
              const st = lstatSync(join(path, n));
              const data = readFileSync(join(path, n));
              return `${n}\t${st.size}\t${mode(st.mode)}\t${st.nlink}\t${sha(data) === n ? 'yes' : 'NO'}`;
            })
        : [];
      cmpText(
        `objects ${ph}`,
        text,
        [`# ${ph}`, 'name\tsize\tmode\tnlink\tsha256_matches_name', ...rows].join('\n') + '\n',
      );
    }
    for (const f of existsSync(join(fin, 'exports')) ? readdirSync(join(fin, 'exports')) : []) {
      if (!f.endsWith('.entries.tsv')) continue;
      const file = join(WORK, f.slice(0, -'.entries.tsv'.length).split('__').join('/'));
      if (!existsSync(file)) {
        mismatches.push(`export ${f}: file missing`);
        continue;
      }
      cmpText(
        `export ${f}`,
        readFileSync(join(fin, 'exports', f), 'utf8'),
        tarEntries(readFileSync(file)).join('\n') + '\n',
      );
    }
    const left = readdirSync(TMP);
    if (left.length) mismatches.push(`files left in $TMP: ${left.join(', ')}`);
    return { scenario, steps: stepFiles.length, mismatches };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
