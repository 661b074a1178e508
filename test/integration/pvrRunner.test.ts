// The runner for a user-installed pvr in real VS Code: "Run pvr Command" from the palette, tasks of
// type `pvr`, cancellation and interactive prompts. The real pvr (a Go binary) cannot be installed
// here, so `pantavisor.pvr.path` points at a STAND-IN script written into this test's temp dir. It
// answers the commands used here with pvr 037's output for a directory without `.pvr/` (corpus
// scenario 058-not-a-repo: `json`, `status`, `add .`), records its pid, refuses to run without
// PVR_DISABLE_SELF_UPGRADE=1, and models the two behaviours that matter for the runner: a long
// `clone` (with a child process) and a Pantahub login prompt that waits for an answer. Inside a pvr
// checkout it answers `status` by running pvkit, whose output matches pvr's byte for byte (the
// transcript tests prove it); that is how the `pantavisor.engine: "pvr"` test sees which engine ran.
import * as assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { execFileSync } from 'node:child_process';
import { ROOT, until, workspaceRoot } from './util';

const CLI = join(ROOT, 'dist', 'cli.js');

const STANDIN = `#!/bin/bash
# STAND-IN for the pvr binary, written by test/integration/pvrRunner.test.ts (pvr cannot be
# installed in the test environment). Not pvr: it only answers what the test runs.
here=$(cd "$(dirname "$0")" && pwd)
echo "$$ $*" >> "$here/pids.log"
if [ "$PVR_DISABLE_SELF_UPGRADE" != 1 ]; then
  echo "stand-in pvr: PVR_DISABLE_SELF_UPGRADE=1 was not set" >&2
  exit 99
fi
if [ -d .pvr ]; then
  if [ "$1" = status ]; then exec "${process.execPath}" "${CLI}" status; fi
  echo "stand-in pvr: in a checkout only status is modelled" >&2
  exit 98
fi
case "$1" in
  json|j)
    printf '{\\n\\t"#spec": "pantavisor-service-system@1"\\n}\\n'
    ;;
  status|s)
    echo "A #spec"
    for f in $(LC_ALL=C ls -A); do [ -f "$f" ] && echo "? $f"; done
    ;;
  add|a)
    echo "open $PWD/.pvr/new.XXX: no such file or directory" >&2
    exit 3
    ;;
  clone|c)
    case "$2" in
      https://*)
        # No token cached: pvr asks for a Pantahub login on the terminal and waits for it.
        printf 'Username: '
        read -r user || sleep 300
        ;;
      *)
        # A long clone: a child does the work while pvr waits for it.
        sleep 300 &
        echo "$! child" >> "$here/pids.log"
        wait
        ;;
    esac
    ;;
  *)
    echo "stand-in pvr: command not modelled: $*" >&2
    exit 97
    ;;
esac
`;

interface Api {
  ctx: { extension: vscode.ExtensionContext };
  scm: {
    refresh(arg?: unknown): Promise<void>;
    repositories(): { root: string; changes: readonly vscode.SourceControlResourceState[] }[];
  };
}

/** True while `pid` runs (a zombie, killed but not yet reaped, counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

suite('pvr runner (stand-in pvr)', () => {
  let dir: string;
  let standin: string;
  let plain: string;
  let logDir: string;
  let api: Api;
  const pidsLog = (): string => {
    const f = join(dir, 'standin-pvr', 'pids.log');
    return existsSync(f) ? readFileSync(f, 'utf8') : '';
  };
  /** Pids the stand-in recorded for runs whose arguments start with `args`, and their children. */
  const pidsOf = (args: string): number[] => {
    const lines = pidsLog().trim().split('\n');
    const i = lines.findIndex((l) => l.slice(l.indexOf(' ') + 1) === args);
    if (i < 0) return [];
    const out = [Number(lines[i]?.split(' ')[0])];
    for (const l of lines.slice(i + 1)) if (l.endsWith(' child')) out.push(Number(l.split(' ')[0]));
    return out;
  };
  const readLog = (): string =>
    readdirSync(logDir)
      .filter((f) => f.endsWith('.log'))
      .map((f) => readFileSync(join(logDir, f), 'utf8'))
      .join('\n');

  suiteSetup(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pvkit-pvr-runner-'));
    mkdirSync(join(dir, 'standin-pvr'));
    standin = join(dir, 'standin-pvr', 'pvr');
    writeFileSync(standin, STANDIN);
    chmodSync(standin, 0o755);
    // The directory of corpus scenario 058: two files, no .pvr.
    plain = join(dir, 'plain');
    mkdirSync(plain);
    writeFileSync(join(plain, 'a.txt'), 'a');
    writeFileSync(join(plain, 'k.json'), '{"k":1}');
    await vscode.workspace
      .getConfiguration('pantavisor')
      .update('pvr.path', standin, vscode.ConfigurationTarget.Global);
    api = (await vscode.extensions.getExtension('pvkit.pvkit')!.activate()) as Api;
    logDir = api.ctx.extension.logUri.fsPath;
  });

  suiteTeardown(async () => {
    // Whatever a failed test left running (only processes the stand-in recorded).
    for (const l of pidsLog().trim().split('\n')) {
      const pid = Number(l.split(' ')[0]);
      if (pid > 0 && alive(pid)) process.kill(pid, 'SIGKILL');
    }
    const config = vscode.workspace.getConfiguration('pantavisor');
    await config.update('pvr.path', undefined, vscode.ConfigurationTarget.Global);
    await config.update('engine', undefined, vscode.ConfigurationTarget.Global);
    rmSync(join(workspaceRoot().fsPath, '.vscode'), { recursive: true, force: true });
    rmSync(join(workspaceRoot().fsPath, 'runner-demo'), { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  test('Run pvr Command puts the command line and the output in the log', async () => {
    const r = (await vscode.commands.executeCommand<unknown>('pantavisor.pvr.run', 'json')) as
      { exitCode: number | null; stdout: string; error?: unknown } | undefined;
    assert.ok(r, 'the command returned no result (see the Pantavisor log)');
    assert.equal(r.error, undefined);
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, '{\n\t"#spec": "pantavisor-service-system@1"\n}\n');
    const log = await until(() => {
      const t = readLog();
      return t.includes(`$ ${standin} json`) && t.includes('"#spec": "pantavisor-service-system@1"')
        ? t
        : undefined;
    }, `the command line and output of "pvr json" in the log (${logDir})`);
    assert.match(log, new RegExp(`\\$ ${standin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} json`));
  });

  test('tasks of type pvr run the configured pvr and report its exit code', async () => {
    // The user's way: tasks.json entries of type pvr, resolved by the extension's task provider.
    const vscodeDir = join(workspaceRoot().fsPath, '.vscode');
    mkdirSync(vscodeDir, { recursive: true });
    writeFileSync(
      join(vscodeDir, 'tasks.json'),
      JSON.stringify({
        version: '2.0.0',
        tasks: [
          { type: 'pvr', label: 'pvr status (plain)', args: ['status'], cwd: plain },
          { type: 'pvr', label: 'pvr add (plain)', args: ['add', '.'], cwd: plain },
          { type: 'pvr', label: 'pvr clone (slow)', args: ['clone', 'slow-source', 'dest'], cwd: plain },
        ],
      }),
    );
    const tasks = await until<vscode.Task[]>(async () => {
      const all = await vscode.tasks.fetchTasks({ type: 'pvr' });
      return all.length >= 3 ? all : undefined;
    }, 'the pvr tasks of tasks.json');
    const byName = (n: string): vscode.Task => {
      const t = tasks.find((x) => x.name === n);
      assert.ok(t, `task ${n} not found among ${tasks.map((x) => x.name).join(', ')}`);
      return t;
    };
    const exitOf = async (task: vscode.Task): Promise<number | undefined> => {
      const ended = new Promise<number | undefined>((resolve) => {
        const sub = vscode.tasks.onDidEndTaskProcess((e) => {
          if (e.execution.task.name !== task.name) return;
          sub.dispose();
          resolve(e.exitCode);
        });
      });
      await vscode.tasks.executeTask(task);
      return ended;
    };
    assert.equal(await exitOf(byName('pvr status (plain)')), 0);
    assert.equal(await exitOf(byName('pvr add (plain)')), 3);
    const log = readLog();
    assert.ok(log.includes(`$ ${standin} status`), 'the task command line is not in the log');
    assert.ok(log.includes(`$ ${standin} add .`), 'the task command line is not in the log');
  });

  test('terminating a long pvr task kills pvr and its children', async () => {
    const task = (await vscode.tasks.fetchTasks({ type: 'pvr' })).find((t) => t.name === 'pvr clone (slow)');
    assert.ok(task, 'the slow clone task is not there');
    const execution = await vscode.tasks.executeTask(task);
    const pids = await until(() => {
      const p = pidsOf('clone slow-source dest');
      return p.length === 2 ? p : undefined;
    }, 'the stand-in and its child to start');
    assert.ok(pids.every(alive), 'the stand-in is not running');
    execution.terminate();
    await until(() => (pids.some(alive) ? undefined : true), `pids ${pids.join(', ')} to be gone`);
  });

  test('a pvr that asks for a login is stopped with a clear message instead of waiting', async () => {
    const t0 = Date.now();
    const r = (await vscode.commands.executeCommand<unknown>(
      'pantavisor.pvr.run',
      'clone https://pvr.pantahub.com/user1/device1 dev',
    )) as { prompt?: { kind: string }; error?: { message: string } } | undefined;
    assert.ok(r, 'the command returned no result');
    assert.equal(r.prompt?.kind, 'login');
    assert.match(r.error?.message ?? '', /asked for a Pantahub login.*Run "pvr login" in a terminal first/);
    assert.ok(Date.now() - t0 < 30_000, 'the prompt was left waiting');
    const pids = pidsOf('clone https://pvr.pantahub.com/user1/device1 dev');
    assert.equal(pids.length, 1, 'the stand-in did not run');
    await until(() => (pids.some(alive) ? undefined : true), 'the prompting pvr to be killed');
    await until(
      () => (readLog().includes('asked for a Pantahub login') ? true : undefined),
      'the message in the log',
    );
  });

  test('pantavisor.engine switches the source control view between the built-in engine and pvr', async () => {
    // The extension host is this process: objects go to a private config dir, not ~/.pvr.
    process.env['PVR_CONFIG_DIR'] ??= mkdtempSync(join(tmpdir(), 'pvkit-runner-config-'));
    const root = join(workspaceRoot().fsPath, 'runner-demo');
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'a.txt'), 'a');
    const pvkit = (...args: string[]): string =>
      execFileSync(process.execPath, [CLI, ...args], { cwd: root, encoding: 'utf8' });
    pvkit('init');
    pvkit('add', '.');
    pvkit('commit', '-m', 'first');
    writeFileSync(join(root, 'a.txt'), 'changed');
    const config = vscode.workspace.getConfiguration('pantavisor');
    const statusRuns = (): number => readLog().split(`$ ${standin} status   (in ${root})`).length - 1;
    const changes = async (): Promise<string[] | undefined> => {
      await api.scm.refresh();
      const repo = api.scm.repositories().find((r) => r.root === root);
      return repo?.changes.map((c) => c.resourceUri.fsPath.slice(root.length + 1));
    };

    await config.update('engine', 'builtin', vscode.ConfigurationTarget.Global);
    const before = statusRuns();
    assert.deepEqual(await until(changes, 'the checkout in the source control view'), ['a.txt']);
    assert.equal(statusRuns(), before, 'the built-in engine ran pvr');

    await config.update('engine', 'pvr', vscode.ConfigurationTarget.Global);
    assert.deepEqual(await changes(), ['a.txt']);
    await until(() => (statusRuns() > before ? true : undefined), `"$ ${standin} status" in the log`);
  });
});
