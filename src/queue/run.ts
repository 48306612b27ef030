// A queue run: the inputs of one `cafe queue submit`, cut into shards, and where its results go. The output folder
// holds everything a run needs besides the broker: run.json (this manifest: inputs in order, shard size, predict
// options) and shards/ (one JSONL of predict records per shard plus its done-marker). Collect and status read it;
// a second submit of the same inputs finds the same run id, hence the same job ids, and adds nothing.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CafeError, fileError } from '../errors.js';
import { writeAtomic } from '../util/atomic.js';

/** What each worker passes to the recognizer (predict's options; defaults are the recognizer's). */
export interface PredictOptions {
  /** Model folder, absolute (workers may run in another folder); undefined = the shipped model. */
  model?: string;
  /** Inputs are face crops: no detection. */
  crops: boolean;
  minScore?: number;
  minSize?: number;
  maxSide?: number;
}

export const MANIFEST_FORMAT = 'cafe-queue-run/1';
/** Photos per job unless --shard says otherwise: ~10-30 s of work on one core, so a lost lease costs little. */
export const DEFAULT_SHARD_SIZE = 50;

export interface RunManifest {
  format: typeof MANIFEST_FORMAT;
  /** sha256 over output folder, cwd, inputs, shard size and options (16 hex digits): the job ids' prefix. */
  runId: string;
  queue: string;
  createdAt: string;
  /** Relative inputs are read relative to this folder (the submitter's), whatever the worker's own cwd. */
  cwd: string;
  /** Absolute output folder, as the workers write it (a shared filesystem path on N machines). */
  out: string;
  shardSize: number;
  /** Inputs in output order, as predict would print them. */
  files: string[];
  /** Arguments that matched nothing (reported as failed items, as predict does). */
  missing: string[];
  options: PredictOptions;
}

/** The payload of one job: everything a worker needs, so it never reads run.json. */
export interface ShardJob {
  runId: string;
  out: string;
  index: number;
  cwd: string;
  files: string[];
  options: PredictOptions;
}

export function computeRunId(m: Pick<RunManifest, 'out' | 'cwd' | 'files' | 'shardSize' | 'options'>): string {
  const key = JSON.stringify([m.out, m.cwd, m.files, m.shardSize, m.options]);
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

export const manifestPath = (out: string) => join(out, 'run.json');
export const shardCount = (m: Pick<RunManifest, 'files' | 'shardSize'>) => Math.ceil(m.files.length / m.shardSize);
const pad = (i: number) => String(i).padStart(6, '0');
/** The shard's records: predict's JSON lines for its photos, in input order. */
export const shardRecordsPath = (out: string, index: number) => join(out, 'shards', `${pad(index)}.jsonl`);
/** Written after the records (atomically): its presence means the shard is complete. */
export const shardDonePath = (out: string, index: number) => join(out, 'shards', `${pad(index)}.done.json`);
/** BullMQ job id: idempotent (same run, same shard -> same id); BullMQ forbids ':' and pure integers. */
export const jobId = (runId: string, index: number) => `${runId}-${pad(index)}`;
export const runIdOfJob = (id: string) => id.slice(0, id.lastIndexOf('-'));

export function shardJob(m: RunManifest, index: number): ShardJob {
  return { runId: m.runId, out: m.out, index, cwd: m.cwd, files: m.files.slice(index * m.shardSize, (index + 1) * m.shardSize), options: m.options };
}

export function newManifest(args: { queue: string; out: string; cwd: string; shardSize: number; files: string[]; missing: string[]; options: PredictOptions }): RunManifest {
  const out = resolve(args.out);
  const base = { out, cwd: args.cwd, files: args.files, shardSize: args.shardSize, options: args.options };
  return { format: MANIFEST_FORMAT, runId: computeRunId(base), queue: args.queue, createdAt: new Date().toISOString(), ...base, missing: args.missing };
}

export function readManifest(out: string): RunManifest {
  const p = manifestPath(out);
  if (!existsSync(p)) throw fileError(p, 'no queue run here (run.json missing): pass the --out folder given to cafe queue submit');
  let m: RunManifest;
  try {
    m = JSON.parse(readFileSync(p, 'utf8')) as RunManifest;
  } catch (err) {
    throw fileError(p, `not valid JSON (${(err as Error).message})`);
  }
  if (m.format !== MANIFEST_FORMAT) throw fileError(p, `format '${m.format}', expected '${MANIFEST_FORMAT}'`);
  return m;
}

/**
 * Writes the manifest of a new run, or checks that the folder already holds this very run (a resubmit). A folder
 * holding another run is refused: its shard files would be mixed with this one's.
 */
export function saveManifest(m: RunManifest): 'created' | 'same' {
  const p = manifestPath(m.out);
  if (existsSync(p)) {
    const old = readManifest(m.out);
    if (old.runId === m.runId) return 'same';
    throw new CafeError(`${m.out} holds another queue run (${old.runId}, ${old.files.length} inputs, submitted ${old.createdAt}); use a new --out folder`);
  }
  writeAtomic(p, JSON.stringify(m) + '\n');
  return 'created';
}
