import { parentPort } from 'node:worker_threads';
import { createPantavisorService } from '../../core/service';

/**
 * Worker-thread entry (bundled as dist/validationWorker.js): validates large state files off the
 * extension host's main thread, so typing in a 20 MB state never waits for validation.
 */
const service = createPantavisorService();
parentPort?.on('message', (msg: { id: number; file: string; text: string }) => {
  try {
    parentPort?.postMessage({ id: msg.id, diagnostics: service.validateState(msg.file, msg.text) });
  } catch (e) {
    parentPort?.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e) });
  }
});
