import { Worker } from 'node:worker_threads';
import type { CoreDiagnostic } from '../../core/diagnostics';

type Pending = { resolve: (d: CoreDiagnostic[]) => void; reject: (e: Error) => void };

/** Runs state validation in a worker thread; started on first use, restarted if it dies. */
export class ValidationWorkerClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly script: string) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.script);
    w.unref();
    w.on('message', (m: { id: number; diagnostics?: CoreDiagnostic[]; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.diagnostics ?? []);
    });
    const fail = (e: Error): void => {
      this.worker = undefined;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`validation worker exited with ${code}`)));
    this.worker = w;
    return w;
  }

  validateState(file: string, text: string): Promise<CoreDiagnostic[]> {
    const id = this.nextId++;
    const w = this.start();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, file, text });
    });
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }
}
