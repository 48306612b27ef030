import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Queue } from 'bullmq';
import type { Command } from '../command.js';
import { invalidParameter } from '../../errors.js';
import { writeAtomic } from '../../util/atomic.js';
import { samplePhotos } from '../../recognizer/files.js';
import { brokerUrl, BROKER_ENV, connectBroker, DEFAULT_QUEUE, displayUrl } from '../../queue/broker.js';
import { expandQueueInputs } from '../../queue/inputs.js';
import { DEFAULT_SHARD_SIZE, newManifest, readManifest, saveManifest, shardCount, type RunManifest, type ShardJob } from '../../queue/run.js';
import { submitRun } from '../../queue/submit.js';
import { runStatus, type RunStatus } from '../../queue/status.js';
import { collectRun } from '../../queue/collect.js';
import type { ShardResult } from '../../queue/shard.js';

const brokerOpts = {
  broker: { type: 'string' },
  queue: { type: 'string' },
} as const;
const brokerHelp = `  --broker URL       the broker, redis://HOST:PORT[/DB] (default $${BROKER_ENV})
  --queue NAME       queue name (default ${DEFAULT_QUEUE}; status: the run's)`;

function positiveInt(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw invalidParameter(name, 'an integer >= 1', v);
  return n;
}
const optNum = (v: string | undefined) => (v === undefined ? undefined : Number(v));

/** Runs `fn` with a BullMQ Queue on the broker, then closes both. */
async function withQueue<T>(url: string, name: string, fn: (q: Queue<ShardJob, ShardResult>) => Promise<T>): Promise<T> {
  const connection = await connectBroker(url);
  const { Queue: BullQueue } = await import('bullmq'); // loaded only when a queue command runs
  const queue = new BullQueue<ShardJob, ShardResult>(name, { connection });
  try {
    return await fn(queue);
  } finally {
    await queue.close().catch(() => {});
    connection.disconnect();
  }
}

const submitUsage = `Usage: cafe queue submit --out DIR [options] <files|dirs|globs|list.txt>...

Cuts the photos into shards of N and queues one job per shard on the broker; workers (cafe worker, on any machine
that sees the same files and DIR) take them. Each job's id comes from the run (DIR, inputs, options) and the shard
index: submitting the same inputs again adds nothing (shards written or queued are skipped), so it is also how to
resume after anything went wrong. A *.txt argument lists one input per line.

Options:
${brokerHelp}
  --out DIR          output folder, the same path on every worker (shared filesystem): run.json, shards/
  --shard N          photos per job (default ${DEFAULT_SHARD_SIZE})
  --attempts N       tries per job before it lands in the failed list (default 3)
  --backoff-ms N     first retry delay, doubled at each retry (default 2000)
  --retry-failed     put this run's failed jobs back in the queue
  --samples          add the sample photos shipped with face-api
  --model DIR, --crops, --min-score X, --min-size N, --max-side N: as for cafe predict`;

export const queueSubmit: Command = {
  name: ['queue', 'submit'],
  summary: 'queue photos for the workers (cafe worker) on a Redis broker, in shards with idempotent job ids',
  usage: submitUsage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...brokerOpts,
        out: { type: 'string' },
        shard: { type: 'string' },
        attempts: { type: 'string' },
        'backoff-ms': { type: 'string' },
        'retry-failed': { type: 'boolean', default: false },
        samples: { type: 'boolean', default: false },
        model: { type: 'string' },
        crops: { type: 'boolean', default: false },
        'min-score': { type: 'string' },
        'min-size': { type: 'string' },
        'max-side': { type: 'string' },
      },
    });
    if (values.samples) positionals.push(...samplePhotos());
    if (!values.out || positionals.length === 0) {
      console.error(submitUsage);
      return 2;
    }
    const url = brokerUrl(values.broker);
    const shardSize = positiveInt('--shard', values.shard, DEFAULT_SHARD_SIZE);
    const attempts = positiveInt('--attempts', values.attempts, 3);
    const backoffMs = positiveInt('--backoff-ms', values['backoff-ms'], 2000);
    const { files, missing } = expandQueueInputs(positionals);
    if (files.length === 0) {
      console.error(`cafe queue submit: no photos in ${positionals.join(' ')}`);
      return 1;
    }
    const m = newManifest({
      queue: values.queue ?? DEFAULT_QUEUE, out: values.out, cwd: process.cwd(), shardSize, files, missing,
      options: { model: values.model === undefined ? undefined : resolve(values.model), crops: values.crops, minScore: optNum(values['min-score']), minSize: optNum(values['min-size']), maxSide: optNum(values['max-side']) },
    });
    const r = await withQueue(url, m.queue, async (q) => {
      // Broker first: a broker that cannot be reached leaves no run.json behind.
      const manifest = saveManifest(m);
      return { manifest, ...(await submitRun(q, m, { attempts, backoffMs, retryFailed: values['retry-failed'] })) };
    });
    console.log(`run ${m.runId}: ${files.length} photos in ${r.shards} shards of ${shardSize} -> ${m.out}`);
    console.log(`  ${r.added} jobs added, ${r.queued} already in the broker, ${r.written} shards already written${r.retried ? `, ${r.retried} failed jobs put back` : ''}${r.rerun ? `, ${r.rerun} completed jobs queued again (their shard files are missing)` : ''}`);
    if (missing.length) console.error(`no such file, or no image in it (reported as failed items):\n${missing.map((f) => `  ${f}`).join('\n')}`);
    console.log(`  next: cafe worker --broker ${displayUrl(url)}   then: cafe queue status --out ${values.out}   cafe queue collect --out ${values.out}`);
    return 0;
  },
};

function fmtSecs(s: number): string {
  const t = Math.round(s);
  return t >= 3600 ? `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}m` : t >= 60 ? `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s` : `${t}s`;
}

function statusText(s: RunStatus, full: boolean): string {
  const st = s.states;
  const pct = s.photos ? ((100 * s.photosDone) / s.photos).toFixed(1) : '100';
  const lines = [
    `run ${s.runId}: ${s.photosDone}/${s.photos} photos (${pct}%), ${s.faces} faces; shards: ${st.done} done, ${st.active} active, ${st.waiting} waiting, ${st.delayed} retrying, ${st.failed} failed${st.missing ? `, ${st.missing} not queued (submit again)` : ''} of ${s.shards}; ${s.rate.toFixed(2)} photos/s${s.etaSeconds !== null ? `, ETA ${fmtSecs(s.etaSeconds)}` : ''}`,
  ];
  if (!full) return lines[0];
  const w = Object.entries(s.workers);
  if (w.length) lines.push(`workers: ${w.map(([k, v]) => `${k} (${v} shards)`).join(', ')}`);
  if (s.failedJobs.length) lines.push(`failed jobs (cafe queue submit --retry-failed puts them back):`, ...s.failedJobs.map((j) => `  ${j.id} (shard ${j.index}, ${j.attempts} attempts): ${j.reason}`));
  if (s.failedItems.length) lines.push(`failed photos:`, ...s.failedItems.map((f) => `  ${f.file}: ${f.error}`));
  return lines.join('\n');
}

const statusUsage = `Usage: cafe queue status --out DIR [options]

Progress of the run whose output folder is DIR: shards done / active / waiting / retrying / failed, photos done,
rate, ETA, failed jobs with their reasons and failed photos with theirs. Exit 0; with --wait, 0 once every shard is
done, 1 when some job failed for good.

Options:
${brokerHelp}
  --out DIR          the run's output folder (as given to cafe queue submit)
  --json             one JSON object instead of text
  --wait             print a line every --every-ms until no shard is waiting, active or retrying
  --every-ms N       (default 5000)`;

export const queueStatus: Command = {
  name: ['queue', 'status'],
  summary: 'progress of a queue run: shards done, rate, ETA, failed jobs and photos with reasons',
  usage: statusUsage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { ...brokerOpts, out: { type: 'string' }, json: { type: 'boolean', default: false }, wait: { type: 'boolean', default: false }, 'every-ms': { type: 'string' } },
    });
    if (!values.out) {
      console.error(statusUsage);
      return 2;
    }
    const m: RunManifest = readManifest(values.out);
    const every = positiveInt('--every-ms', values['every-ms'], 5000);
    return withQueue(brokerUrl(values.broker), values.queue ?? m.queue, async (q) => {
      for (;;) {
        const s = await runStatus(q, m);
        const busy = s.states.active + s.states.waiting + s.states.delayed > 0;
        if (!values.wait || !busy) {
          console.log(values.json ? JSON.stringify(s) : statusText(s, true));
          return values.wait && s.states.failed + s.states.missing > 0 ? 1 : 0;
        }
        console.error(statusText(s, false));
        await new Promise((r) => setTimeout(r, every));
      }
    });
  },
};

const collectUsage = `Usage: cafe queue collect --out DIR [options]

Merges the run's shards into one file in input order: the same records, in the same order, as one cafe predict over
the same inputs (JSON lines, or CSV under predict's header). Reads only the output folder (no broker needed). The
summary (files without a face, failed photos) goes to stderr; exit 0 when every photo was read, 1 otherwise, like
cafe predict; 2 when shards are missing (unless --partial).

Options:
  --out DIR          the run's output folder
  --format F         json (JSON lines, default) or csv
  --output FILE      where to write (default DIR/results.jsonl or DIR/results.csv; - for stdout)
  --partial          merge the shards done so far and list the others`;

export const queueCollect: Command = {
  name: ['queue', 'collect'],
  summary: "merge a queue run's shards into one JSONL / CSV in input order (identical to cafe predict's output)",
  usage: collectUsage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { out: { type: 'string' }, format: { type: 'string', default: 'json' }, output: { type: 'string' }, partial: { type: 'boolean', default: false } },
    });
    const format = values.format as 'json' | 'csv';
    if (!values.out || (format !== 'json' && format !== 'csv')) {
      console.error(collectUsage);
      return 2;
    }
    const m = readManifest(values.out);
    const c = collectRun(m, { format, partial: values.partial });
    const dest = values.output ?? resolve(values.out, format === 'csv' ? 'results.csv' : 'results.jsonl');
    if (dest === '-') process.stdout.write(c.text);
    else writeAtomic(dest, c.text);
    console.error(`${c.photos} of ${m.files.length} photos from ${shardCount(m) - c.pending.length} of ${shardCount(m)} shards, ${c.records} faces, ${c.noFace.length} without a face, ${c.failed.length} failed${dest === '-' ? '' : ` -> ${dest}`}`);
    if (c.pending.length) console.error(`not done: shards ${c.pending.join(', ')}`);
    if (c.failed.length) console.error(`failed:\n${c.failed.map((f) => `  ${f.file}: ${f.error}`).join('\n')}`);
    return c.failed.length ? 1 : 0;
  },
};
