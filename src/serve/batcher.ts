// Dynamic batching (as Triton's dynamic batcher): images from concurrent requests wait in one bounded queue; when a
// worker is free it takes its share of them (queue / workers, at most maxBatch), as soon as maxBatch are there or the
// oldest has waited maxWaitMs, and scores their faces in one model call. A full queue answers 503 with Retry-After
// instead of growing; an image whose request gave up (timeout, client gone) is dropped before it reaches a worker.
import { HttpError } from './http-error.js';
import type { ItemResult } from './protocol.js';
import type { WorkerPool } from './pool.js';

export interface BatcherOptions {
  maxBatch: number;
  maxWaitMs: number;
  maxQueue: number;
}

export interface ScoredItem {
  result: ItemResult;
  /** Time in the queue (ms). */
  queueMs: number;
  /** Images in the model call this one was part of. */
  batchSize: number;
  /** That model call (ms), shared by the batch. */
  inferenceMs: number;
}

interface Job {
  bytes: Uint8Array;
  detect: boolean;
  enqueued: number;
  cancelled: boolean;
  resolve: (r: ScoredItem) => void;
  reject: (e: Error) => void;
}

export interface BatchObserver {
  /** One model call: its size and how long the worker took. */
  batch(size: number, inferenceMs: number, workMs: number): void;
}

export class Batcher {
  private queue: Job[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Mean seconds per batch (exponential average), for Retry-After. */
  private batchSeconds = 0.1;

  constructor(
    private readonly pool: WorkerPool,
    private readonly o: BatcherOptions,
    private readonly observer: BatchObserver = { batch() {} },
  ) {
    pool.onIdle = () => this.pump();
  }

  get depth(): number {
    return this.queue.length;
  }

  /** Seconds a client should wait before retrying when the queue is full: the time to drain it, at least 1. */
  retryAfterSeconds(): number {
    const batches = Math.ceil(this.queue.length / this.o.maxBatch) / Math.max(1, this.pool.readyCount);
    return Math.max(1, Math.ceil(batches * this.batchSeconds));
  }

  /** Queues images (all or none: a request's images never half-fit); one promise per image. `signal` aborts the
   *  ones still queued. */
  submit(items: Array<{ bytes: Uint8Array; detect: boolean }>, signal: AbortSignal): Promise<ScoredItem>[] {
    if (this.queue.length + items.length > this.o.maxQueue) {
      const s = this.retryAfterSeconds();
      throw new HttpError(503, 'CAFE_QUEUE_FULL', `server busy: ${this.queue.length} images queued (maxQueue ${this.o.maxQueue}); retry after ${s} s`, { 'retry-after': String(s) });
    }
    const now = performance.now();
    const promises = items.map(
      (it) =>
        new Promise<ScoredItem>((resolve, reject) => {
          const job: Job = { ...it, enqueued: now, cancelled: false, resolve, reject };
          this.queue.push(job);
          signal.addEventListener('abort', () => {
            job.cancelled = true;
            reject(signal.reason);
          }, { once: true });
        }),
    );
    this.pump();
    return promises;
  }

  private pump(): void {
    this.queue = this.queue.filter((j) => !j.cancelled);
    while (this.queue.length > 0 && this.pool.idleCount > 0) {
      const waited = performance.now() - this.queue[0].enqueued;
      if (this.queue.length < this.o.maxBatch && waited < this.o.maxWaitMs) {
        // Not full and not old enough: look again when the oldest image's wait is up.
        if (!this.timer) this.timer = setTimeout(() => { this.timer = undefined; this.pump(); }, this.o.maxWaitMs - waited);
        return;
      }
      // Fair share: a worker takes its part of the queue, not all of it (up to maxBatch), so the other workers, busy
      // now but free soon, find images waiting instead of idling while one worker runs a long batch.
      const share = Math.ceil(this.queue.length / Math.max(1, this.pool.readyCount));
      this.dispatch(this.queue.splice(0, Math.min(this.o.maxBatch, share)));
    }
  }

  private dispatch(jobs: Job[]): void {
    const start = performance.now();
    this.pool.run(jobs.map((j) => ({ bytes: j.bytes, detect: j.detect }))).then(
      (r) => {
        this.batchSeconds = 0.8 * this.batchSeconds + 0.2 * ((performance.now() - start) / 1000);
        this.observer.batch(jobs.length, r.inferenceMs, r.workMs);
        jobs.forEach((j, i) => j.resolve({ result: r.results[i], queueMs: start - j.enqueued, batchSize: jobs.length, inferenceMs: r.inferenceMs }));
      },
      (err: Error) => jobs.forEach((j) => j.reject(new HttpError(500, 'CAFE_WORKER_FAILED', err.message))),
    );
  }

  /** Fails everything still queued (shutdown). */
  drain(reason: Error): void {
    clearTimeout(this.timer);
    for (const j of this.queue) j.reject(reason);
    this.queue = [];
  }
}
