/**
 * Test hook for the crash-safety tests: when `PVKIT_TEST_CRASH_AT` names this point the process
 * dies at once with SIGKILL, exactly as if it had been killed there. A no-op otherwise.
 */
const CRASH_AT = process.env['PVKIT_TEST_CRASH_AT']; // read once: this runs once per object

export function crashPoint(point: string): void {
  if (CRASH_AT === point) process.kill(process.pid, 'SIGKILL');
}
