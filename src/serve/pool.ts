// A fixed pool of inference worker threads (node:worker_threads): one recognizer each, one batch in flight each.
// A worker that dies fails its batch (500) and is replaced; the pool never shrinks while open.
import { Worker } from 'node:worker_threads';
import { CafeError } from '../errors.js';
import type { BatchRequest, ItemResult, ModelInfo, WorkerInit, WorkerMessage } from './protocol.js';

export interface BatchResult {
  results: ItemResult[];
  inferenceMs: number;
  crops: number;
  workMs: number;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  busy?: { id: number; resolve: (r: BatchResult) => void; reject: (e: Error) => void };
}

// Under tsx (tests, `node --import tsx`) this file is worker.ts's sibling .ts: the worker registers tsx itself
// before importing it (a worker thread does not inherit the loader hooks). Built (dist/), it is plain .js.
function spawn(init: WorkerInit): Worker {
  const entry = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
  if (entry.pathname.endsWith('.js')) return new Worker(entry, { workerData: init });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true, workerData: init });
}

export class WorkerPool {
  private slots: Slot[] = [];
  private nextId = 1;
  private closing = false;
  /** Called whenever a worker becomes free (the batcher dispatches then). */
  onIdle: () => void = () => {};
  /** Called when a worker dies unexpectedly (metrics). */
  onCrash: (message: string) => void = () => {};
  model: ModelInfo | undefined;

  constructor(private readonly init: WorkerInit, readonly size: number) {}

  /** Starts every worker; resolves when all have loaded the model, rejects with the first load error. */
  start(): Promise<ModelInfo> {
    return Promise.all(Array.from({ length: this.size }, () => this.add())).then(() => this.model!);
  }

  private add(): Promise<void> {
    const slot: Slot = { worker: spawn(this.init), ready: false };
    this.slots.push(slot);
    return new Promise((resolve, reject) => {
      slot.worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'ready') {
          slot.ready = true;
          this.model ??= m.model;
          resolve();
          this.onIdle();
        } else if (m.type === 'fatal') {
          reject(new CafeError(`inference worker could not load the model: ${m.message}`));
          this.remove(slot);
        } else if (m.type === 'result' && slot.busy?.id === m.id) {
          const b = slot.busy;
          slot.busy = undefined;
          b.resolve({ results: m.results, inferenceMs: m.inferenceMs, crops: m.crops, workMs: m.workMs });
          this.onIdle();
        }
      });
      slot.worker.on('error', (err) => {
        if (!slot.ready) reject(err);
        this.onCrash(err.message);
      });
      slot.worker.on('exit', (code) => {
        const b = slot.busy;
        slot.busy = undefined;
        b?.reject(new CafeError(`inference worker exited (code ${code}) during the batch`));
        const wasReady = slot.ready;
        this.remove(slot);
        if (!wasReady) reject(new CafeError(`inference worker exited (code ${code}) while loading the model`));
        else if (!this.closing) {
          this.onCrash(`worker exited with code ${code}`);
          this.add().catch(() => {});
        }
      });
    });
  }

  private remove(slot: Slot): void {
    this.slots = this.slots.filter((s) => s !== slot);
    void slot.worker.terminate();
  }

  get readyCount(): number {
    return this.slots.filter((s) => s.ready).length;
  }

  get idleCount(): number {
    return this.slots.filter((s) => s.ready && !s.busy).length;
  }

  get busyCount(): number {
    return this.slots.filter((s) => s.busy).length;
  }

  /** Runs one batch on an idle worker (callers check idleCount first). Bytes are copied once and transferred. */
  run(items: Array<{ bytes: Uint8Array; detect: boolean }>): Promise<BatchResult> {
    const slot = this.slots.find((s) => s.ready && !s.busy);
    if (!slot) return Promise.reject(new CafeError('no idle inference worker'));
    const id = this.nextId++;
    const own = items.map((it) => ({ bytes: new Uint8Array(it.bytes), detect: it.detect }));
    return new Promise((resolve, reject) => {
      slot.busy = { id, resolve, reject };
      const msg: BatchRequest = { type: 'batch', id, items: own };
      slot.worker.postMessage(msg, own.map((it) => it.bytes.buffer as ArrayBuffer));
    });
  }

  /** Waits for in-flight batches, then stops every worker. */
  async close(): Promise<void> {
    this.closing = true;
    while (this.busyCount > 0) await new Promise((r) => setTimeout(r, 10));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots = [];
  }
}
