// Where a run stands: each shard's job as the broker sees it (waiting, active with its progress, completed with its
// result, failed with its reason), cross-checked with the output folder (a shard written there is done even if the
// broker lost its job). Rate and ETA come from the jobs' own timestamps, so any machine can ask.
import type { Queue } from 'bullmq';
import { jobId, shardCount, type RunManifest, type ShardJob } from './run.js';
import { readShardDone, type FailedItem, type ShardResult } from './shard.js';

export interface FailedJob {
  id: string;
  index: number;
  reason: string;
  attempts: number;
}

export interface RunStatus {
  runId: string;
  photos: number;
  shards: number;
  /** Shards per state; 'missing' = not in the broker and not written (submit again to queue them). */
  states: Record<'done' | 'active' | 'waiting' | 'delayed' | 'failed' | 'missing', number>;
  /** Photos in done shards, plus the progress of active ones. */
  photosDone: number;
  faces: number;
  /** Photos that could not be read (their item failed; their shard did not), and inputs that matched nothing. */
  failedItems: FailedItem[];
  /** Jobs that used up their attempts. */
  failedJobs: FailedJob[];
  /** Photos per second since the first job started (until the last one finished, once all are done). */
  rate: number;
  /** Seconds to go at that rate; null when unknown or finished. */
  etaSeconds: number | null;
  /** Workers that wrote the done shards, with their shard counts. */
  workers: Record<string, number>;
}

const CHUNK = 200;

export async function runStatus(queue: Queue<ShardJob, ShardResult>, m: RunManifest, now = Date.now()): Promise<RunStatus> {
  const n = shardCount(m);
  const s: RunStatus = {
    runId: m.runId, photos: m.files.length, shards: n,
    states: { done: 0, active: 0, waiting: 0, delayed: 0, failed: 0, missing: 0 },
    photosDone: 0, faces: 0, failedItems: m.missing.map((file) => ({ file, error: 'no such file, or no image in it' })),
    failedJobs: [], rate: 0, etaSeconds: null, workers: {},
  };
  let first = Infinity;
  let last = 0;
  for (let start = 0; start < n; start += CHUNK) {
    const idx = Array.from({ length: Math.min(CHUNK, n - start) }, (_, k) => start + k);
    const jobs = await Promise.all(idx.map((i) => queue.getJob(jobId(m.runId, i))));
    const states = await Promise.all(jobs.map((j) => (j ? j.getState() : Promise.resolve('missing'))));
    for (let k = 0; k < idx.length; k++) {
      const job = jobs[k];
      const state = states[k];
      if (job?.processedOn) first = Math.min(first, job.processedOn);
      const written = readShardDone(m.out, idx[k]);
      const result = written?.runId === m.runId ? written : state === 'completed' ? job!.returnvalue : null;
      if (result) {
        s.states.done++;
        s.photosDone += result.photos;
        s.faces += result.faces;
        s.failedItems.push(...result.failed);
        s.workers[result.worker] = (s.workers[result.worker] ?? 0) + 1;
        first = Math.min(first, result.startedAt);
        last = Math.max(last, result.finishedAt);
      } else if (state === 'failed') {
        s.states.failed++;
        s.failedJobs.push({ id: job!.id!, index: idx[k], reason: job!.failedReason, attempts: job!.attemptsMade });
      } else if (state === 'active') {
        s.states.active++;
        if (typeof job!.progress === 'number') s.photosDone += job!.progress;
      } else if (state === 'delayed') s.states.delayed++;
      else if (state === 'missing' || state === 'unknown') s.states.missing++;
      else s.states.waiting++;
    }
  }
  const finished = s.states.done + s.states.failed + s.states.missing === n;
  const end = finished && last > 0 ? last : now;
  if (Number.isFinite(first) && end > first) s.rate = s.photosDone / ((end - first) / 1000);
  const left = m.files.length - s.photosDone - s.failedJobs.reduce((a, j) => a + Math.min(m.shardSize, m.files.length - j.index * m.shardSize), 0);
  if (!finished && s.rate > 0) s.etaSeconds = Math.max(0, left) / s.rate;
  return s;
}
