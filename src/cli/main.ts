import { setFlagsFromString } from 'node:v8';
import { main } from './pvkit';

// Keep V8's young generation at its initial size. Walking and hashing 20,000 files makes millions
// of short-lived objects; letting the nursery grow to its 64 MB maximum bought no speed but put
// peak memory of `add`/`commit` above the 150 MB the repository benchmark allows.
setFlagsFromString('--semi-space-growth-factor=1');

// File-heavy commands overlap many small file operations; give libuv more threads than the default 4.
process.env['UV_THREADPOOL_SIZE'] ??= '8';

// The pvkit entry point. Signals abort the running command, which kills its child processes.
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
process.once('SIGTERM', () => controller.abort());
main(process.argv.slice(2), {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  stdoutBytes: (b) =>
    new Promise<void>((res, rej) => void process.stdout.write(b, (e) => (e ? rej(e) : res()))),
  stderrBytes: (b) => void process.stderr.write(b),
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`pvkit: ${String(e)}\n`);
    process.exitCode = 1;
  },
);
