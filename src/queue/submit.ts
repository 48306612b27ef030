// Submitting a run: one BullMQ job per shard, its id derived from the run id and the shard index. BullMQ ignores an
// add whose job id exists, and shards already written (done-marker on disk) are not queued again, so submitting the
// same inputs twice (or after a crash half way through submitting) adds nothing that is already there; a shard whose
// job completed but whose files are missing is queued again, so a resubmit is also the repair.
import type { Queue } from 'bullmq';
import { jobId, shardCount, shardJob, type RunManifest, type ShardJob } from './run.js';
import { readShardDone } from './shard.js';

export interface SubmitOptions {
  /** Tries per job before it lands in the failed list; default 3. */
  attempts?: number;
  /** First retry delay in ms, doubled at each retry (exponential backoff); default 2000. */
  backoffMs?: number;
  /** Put this run's failed jobs back in the queue (after fixing what failed them); default false. */
  retryFailed?: boolean;
}

export interface SubmitReport {
  shards: number;
  /** Jobs added now. */
  added: number;
  /** Jobs the broker already had (waiting, active, completed or failed). */
  queued: number;
  /** Shards already written to the output folder (not queued again). */
  written: number;
  /** Failed jobs put back (retryFailed). */
  retried: number;
  /** Completed jobs whose shard is missing from the output folder, queued again. */
  rerun: number;
}

/** Ids checked / jobs added per broker round trip. */
const CHUNK = 500;

export async function submitRun(queue: Queue<ShardJob>, m: RunManifest, opts: SubmitOptions = {}): Promise<SubmitReport> {
  const n = shardCount(m);
  const report: SubmitReport = { shards: n, added: 0, queued: 0, written: 0, retried: 0, rerun: 0 };
  const jobOpts = {
    attempts: opts.attempts ?? 3,
    backoff: { type: 'exponential', delay: opts.backoffMs ?? 2000 },
    // Kept: status reads their results and failure reasons, and their ids are what make a resubmit a no-op.
    removeOnComplete: false,
    removeOnFail: false,
  };
  for (let start = 0; start < n; start += CHUNK) {
    const idx = Array.from({ length: Math.min(CHUNK, n - start) }, (_, k) => start + k);
    const existing = await Promise.all(idx.map((i) => queue.getJob(jobId(m.runId, i))));
    const toAdd: number[] = [];
    for (let k = 0; k < idx.length; k++) {
      const job = existing[k];
      const written = readShardDone(m.out, idx[k])?.runId === m.runId;
      if (job) {
        report.queued++;
        if (opts.retryFailed && (await job.isFailed())) {
          await job.retry('failed', { resetAttemptsMade: true });
          report.retried++;
        } else if (!written && (await job.isCompleted())) {
          // Completed, but its shard is gone from the output folder (deleted, or written to another filesystem
          // than this one): run it again, so a resubmit always repairs the output.
          await job.retry('completed', { resetAttemptsMade: true });
          report.rerun++;
        }
      } else if (written) report.written++;
      else toAdd.push(idx[k]);
    }
    if (toAdd.length) {
      await queue.addBulk(toAdd.map((i) => ({ name: 'predict', data: shardJob(m, i), opts: { ...jobOpts, jobId: jobId(m.runId, i) } })));
      report.added += toAdd.length;
    }
  }
  return report;
}
