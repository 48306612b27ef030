// One job's work: predict over a shard's photos, then write its records and its done-marker, each atomically.
// The worker acknowledges the job (BullMQ moves it to completed) only after this returns, so a worker killed at any
// point leaves either nothing or a complete shard: the job comes back after its lease expires, and the next worker
// either finds the done-marker (killed after the write, before the ack) or redoes the shard, overwriting whatever a
// previous attempt left with the same records. One file per shard index is what keeps the collected output free of
// duplicates, however many times a shard ran.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeAtomic } from '../util/atomic.js';
import type { Recognition } from '../recognizer/core.js';
import { faceRecords, recordJson } from '../recognizer/records.js';
import { shardDonePath, shardRecordsPath, type ShardJob } from './run.js';

/** A photo the shard could not read: its item fails, the shard goes on (predict's "failed" list). */
export interface FailedItem {
  file: string;
  error: string;
}

/** The done-marker's content, also the job's return value (what `cafe queue status` reads from the broker). */
export interface ShardResult {
  runId: string;
  index: number;
  photos: number;
  faces: number;
  /** Records written (= faces). */
  records: number;
  noFace: string[];
  failed: FailedItem[];
  /** Worker that wrote the shard (host:pid). */
  worker: string;
  startedAt: number;
  finishedAt: number;
  /** true when a previous attempt had already written the shard (its worker died before acknowledging). */
  reused?: boolean;
}

export type RecognizeFile = (path: string, crops: boolean) => Promise<Recognition>;

/** The shard's done-marker, or null while it is not complete. */
export function readShardDone(out: string, index: number): ShardResult | null {
  const p = shardDonePath(out, index);
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as ShardResult;
  } catch {
    return null; // not ours or damaged: redo the shard
  }
}

export async function runShard(job: ShardJob, recognize: RecognizeFile, worker: string, onPhoto?: (done: number) => Promise<void> | void): Promise<ShardResult> {
  const prev = readShardDone(job.out, job.index);
  if (prev && prev.runId === job.runId && prev.photos === job.files.length) return { ...prev, reused: true };
  const startedAt = Date.now();
  const lines: string[] = [];
  const noFace: string[] = [];
  const failed: FailedItem[] = [];
  let faces = 0;
  for (let i = 0; i < job.files.length; i++) {
    const file = job.files[i];
    try {
      // Records name the file as submitted (like predict's output); it is read relative to the submitter's folder.
      const r = await recognize(resolve(job.cwd, file), job.options.crops);
      for (const rec of faceRecords(file, r)) lines.push(recordJson(rec));
      faces += r.faces.length;
      if (r.faces.length === 0) noFace.push(file);
    } catch (err) {
      failed.push({ file, error: (err as Error).message });
    }
    await onPhoto?.(i + 1);
  }
  writeAtomic(shardRecordsPath(job.out, job.index), lines.map((l) => l + '\n').join(''));
  const result: ShardResult = { runId: job.runId, index: job.index, photos: job.files.length, faces, records: lines.length, noFace, failed, worker, startedAt, finishedAt: Date.now() };
  // Last: its presence is what "this shard is complete" means to collect, status and a later attempt.
  writeAtomic(shardDonePath(job.out, job.index), JSON.stringify(result) + '\n');
  return result;
}
