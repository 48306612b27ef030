// A queue worker: a BullMQ Worker whose processor runs one shard (shard.ts) per job with a recognizer kept for the
// process's lifetime (one per distinct set of predict options). The job's lease is BullMQ's lock: renewed every
// leaseMs/2 while the shard runs; when a worker dies (kill -9, machine lost, partition) the renewals stop, and after
// leaseMs the stalled-job check of any live worker moves the job back to the wait list for another worker.
import { hostname } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { invalidParameter } from '../errors.js';
import { createRecognizer, type Recognizer } from '../recognizer/recognizer.js';
import { connectBroker } from './broker.js';
import type { PredictOptions, ShardJob } from './run.js';
import { runShard, type ShardResult } from './shard.js';

export interface WorkerOptions {
  /** Broker URL (redis://HOST:PORT). */
  broker: string;
  /** BullMQ queue name; default DEFAULT_QUEUE. */
  queue: string;
  /** Jobs run at once in this process (they share its recognizer); default 1. */
  concurrency?: number;
  /** Lease (BullMQ lockDuration) in ms: how long a dead worker's job stays taken before another worker gets it.
   *  Default 30000: long enough that a slow photo never loses its lease, short enough that a crash costs half a
   *  minute. Tests use ~2000. */
  leaseMs?: number;
  /** How often this worker looks for jobs whose lease expired (BullMQ stalledInterval); default leaseMs. */
  stalledCheckMs?: number;
  /** Times a job may lose its worker before it is failed for good (a photo that kills every worker); default 2. */
  maxStalled?: number;
  /** onnxruntime intra-op threads per recognizer; default onnxruntime's (all cores). One worker per core: 1. */
  threads?: number;
  /** Shown in shard results and logs; default host:pid. */
  name?: string;
  /** Return once the queue has nothing waiting, delayed or active (batch use: benches, CI); default false. */
  exitWhenIdle?: boolean;
  /** Load the shipped model at start, before taking jobs; default true. */
  preload?: boolean;
  /** Log lines (stderr in the CLI); default none. */
  log?: (line: string) => void;
}

export interface WorkerReport {
  jobs: number;
  photos: number;
  failedJobs: number;
  /** Longest event-loop pause while taking jobs, ms: lease renewals wait that long (keep it well under leaseMs/2). */
  maxPauseMs: number;
}

export interface RunningWorker {
  /** Resolves when the worker has stopped (stop() called, or idle with exitWhenIdle). */
  done: Promise<WorkerReport>;
  /** Stops taking jobs; lets running ones finish (force: abandon them to the lease expiry). Later calls return
   *  the first call's promise. */
  stop(force?: boolean): Promise<void>;
}

const recognizerKey = (o: PredictOptions) => JSON.stringify([o.model ?? null, o.minScore ?? null, o.minSize ?? null, o.maxSide ?? null]);

export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  const concurrency = opts.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw invalidParameter('concurrency', 'an integer >= 1', concurrency);
  const leaseMs = opts.leaseMs ?? 30000;
  if (!Number.isFinite(leaseMs) || leaseMs < 500) throw invalidParameter('leaseMs', 'a number of ms >= 500', leaseMs);
  const name = opts.name ?? `${hostname()}:${process.pid}`;
  const log = opts.log ?? (() => {});
  const connection: Redis = await connectBroker(opts.broker, { persistent: true });
  const recognizers = new Map<string, Promise<Recognizer>>();
  const recognizerFor = (o: PredictOptions) => {
    const key = recognizerKey(o);
    let r = recognizers.get(key);
    if (!r) {
      const detector = Object.fromEntries(Object.entries({ minScore: o.minScore, minSize: o.minSize }).filter(([, v]) => v !== undefined));
      r = createRecognizer({ model: o.model, detector, maxSide: o.maxSide, threads: opts.threads });
      r.catch(() => recognizers.delete(key)); // a model that failed to load is retried with the job, not cached
      recognizers.set(key, r);
    }
    return r;
  };
  const report: WorkerReport = { jobs: 0, photos: 0, failedJobs: 0, maxPauseMs: 0 };

  const processor = async (job: Job<ShardJob, ShardResult>): Promise<ShardResult> => {
    const data = job.data;
    log(`${name}: job ${job.id} (shard ${data.index}, ${data.files.length} photos, attempt ${job.attemptsMade + 1}) started`);
    const fer = await recognizerFor(data.options);
    return runShard(data, (path, crops) => fer.recognize(path, { detect: !crops }), name, (n) => job.updateProgress(n));
  };
  // Load the shipped model before taking a job: loading blocks the event loop for seconds at times, and a lease
  // that is not renewed meanwhile would expire and hand the job to a second worker for nothing.
  if (opts.preload !== false) await recognizerFor({ crops: false });
  const pauses = monitorEventLoopDelay({ resolution: 20 });
  pauses.enable();
  const worker = new Worker<ShardJob, ShardResult>(opts.queue, processor, {
    connection,
    concurrency,
    lockDuration: leaseMs,
    stalledInterval: opts.stalledCheckMs ?? leaseMs,
    maxStalledCount: opts.maxStalled ?? 2,
    name,
  });
  worker.on('completed', (job, r) => {
    report.jobs++;
    report.photos += r.photos;
    const secs = (r.finishedAt - r.startedAt) / 1000;
    log(`${name}: job ${job.id} done${r.reused ? ' (already written by an earlier attempt)' : ''}: ${r.photos} photos, ${r.faces} faces, ${r.failed.length} failed, ${secs.toFixed(1)} s`);
  });
  worker.on('failed', (job, err) => {
    report.failedJobs++;
    const final = job && job.attemptsMade >= (job.opts.attempts ?? 1);
    log(`${name}: job ${job?.id ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'}${final ? ', no retries left' : ', will retry'}): ${err.message}`);
  });
  // Connection errors while the broker restarts: ioredis reconnects by itself; say so once per outage. Other errors
  // (a lease that could not be renewed in time: the job goes to another worker) are logged as they come.
  let brokerDown = false;
  worker.on('error', (err) => {
    const conn = /ECONNREFUSED|ECONNRESET|Connection is closed|connect ETIMEDOUT|EPIPE/.test(err.message);
    if (!conn) log(`${name}: ${err.message}`);
    else if (!brokerDown) log(`${name}: broker unreachable (${err.message}); reconnecting`);
    brokerDown ||= conn;
  });
  connection.on('ready', () => {
    if (brokerDown) log(`${name}: broker back`);
    brokerDown = false;
  });

  let idleTimer: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;
  let resolveDone!: (r: WorkerReport) => void;
  const done = new Promise<WorkerReport>((r) => (resolveDone = r));
  const stop = (force = false) =>
    (stopping ??= (async () => {
      clearInterval(idleTimer);
      await worker.close(force);
      pauses.disable();
      report.maxPauseMs = Math.round(pauses.max / 1e6);
      if (report.maxPauseMs > leaseMs / 2) log(`${name}: the event loop paused ${report.maxPauseMs} ms at worst, over half the lease (${leaseMs} ms): leases may have expired under a live worker (work done twice); raise --lease-ms`);
      for (const r of recognizers.values()) await (await r.catch(() => null))?.dispose();
      connection.disconnect();
      resolveDone(report);
    })());

  if (opts.exitWhenIdle) {
    const queue = new Queue(opts.queue, { connection });
    let checking = false;
    idleTimer = setInterval(async () => {
      if (checking || stopping) return;
      checking = true;
      try {
        const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
        if (Object.values(c).every((n) => n === 0)) {
          await queue.close().catch(() => {});
          void stop();
        }
      } catch {
        // broker down: keep waiting, the reconnect brings it back
      } finally {
        checking = false;
      }
    }, 1000);
  }
  return { done, stop };
}
