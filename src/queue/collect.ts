// Merging a run's shards into one file: shards in index order, each already in input order, so the result lists the
// records exactly as one `cafe predict` over the same inputs prints them (JSON lines, or CSV under predict's header).
// Only shards with their done-marker count; each shard index is read once, so no record can appear twice.
import { existsSync, readFileSync } from 'node:fs';
import { CafeError } from '../errors.js';
import { CSV_HEADER, recordCsv, type FaceRecord } from '../recognizer/records.js';
import { shardCount, shardRecordsPath, type RunManifest } from './run.js';
import { readShardDone, type FailedItem } from './shard.js';

export interface CollectOptions {
  format: 'json' | 'csv';
  /** Merge the shards that are done and list the others, instead of refusing; default false. */
  partial?: boolean;
}

export interface Collected {
  /** The merged file's text. */
  text: string;
  photos: number;
  records: number;
  noFace: string[];
  failed: FailedItem[];
  /** Shard indices not done yet (only with partial). */
  pending: number[];
}

export function collectRun(m: RunManifest, opts: CollectOptions): Collected {
  const n = shardCount(m);
  const parts: string[] = opts.format === 'csv' ? [CSV_HEADER + '\n'] : [];
  const c: Collected = { text: '', photos: 0, records: 0, noFace: [], failed: m.missing.map((file) => ({ file, error: 'no such file, or no image in it' })), pending: [] };
  for (let i = 0; i < n; i++) {
    const done = readShardDone(m.out, i);
    const path = shardRecordsPath(m.out, i);
    if (!done || done.runId !== m.runId || !existsSync(path)) {
      c.pending.push(i);
      continue;
    }
    const text = readFileSync(path, 'utf8');
    const lines = text ? text.replace(/\n$/, '').split('\n') : [];
    if (lines.length !== done.records) throw new CafeError(`${path}: ${lines.length} records, its done-marker says ${done.records}; delete both files and submit again`);
    parts.push(opts.format === 'csv' ? lines.map((l) => recordCsv(JSON.parse(l) as FaceRecord) + '\n').join('') : text);
    c.photos += done.photos;
    c.records += lines.length;
    c.noFace.push(...done.noFace);
    c.failed.push(...done.failed);
  }
  if (c.pending.length && !opts.partial) {
    throw new CafeError(`${c.pending.length} of ${n} shards not done yet (first: shard ${c.pending[0]}); see cafe queue status, or pass --partial`);
  }
  c.text = parts.join('');
  return c;
}
