import { main } from './pvkit';

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
