/**
 * Test hook for the crash-safety tests: when `PVKIT_TEST_CRASH_AT` names this point the process
 * dies at once with SIGKILL, exactly as if it had been killed there. A no-op otherwise.
 */
export function crashPoint(point: string): void {
  if (process.env['PVKIT_TEST_CRASH_AT'] === point) process.kill(process.pid, 'SIGKILL');
}
