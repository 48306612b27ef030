// The work queue on a real broker (redis-server started here), end to end through the CLI: 3 worker processes, one
// killed with SIGKILL in the middle of a shard, the broker itself killed and restarted mid-run; a second run with a
// shard that cannot be written (retried with backoff, then failed with its reason). The collected output must equal
// one `cafe predict` over the same files byte for byte: nothing lost, nothing twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { samplePhotos } from '../../src/recognizer/files.js';
import { redisMissing, startRedis } from './redis.js';
import { Queue } from 'bullmq';
import { connectBroker, DEFAULT_QUEUE } from '../../src/queue/broker.js';
import { newManifest, readManifest, saveManifest, type ShardJob } from '../../src/queue/run.js';
import { runStatus } from '../../src/queue/status.js';
import { submitRun } from '../../src/queue/submit.js';
import { collectRun } from '../../src/queue/collect.js';
import type { ShardResult } from '../../src/queue/shard.js';
import { main } from '../../src/cli/main.js';

/** Runs a CLI command in this process, capturing what it prints. */
async function capture(argv: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = console.error = (...a: unknown[]) => void out.push(a.join(' '));
  try {
    return { code: await main(argv), out: out.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

const cli = join(import.meta.dirname, '..', 'recognizer', 'run-cli.mts');
const missing = redisMissing();
const required = process.env.CAFE_REQUIRE_REDIS === '1';
const skip = missing && !required ? missing : false;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface WorkerProc {
  name: string;
  proc: ChildProcess;
  log: string;
  exited: Promise<number | null>;
  /** Resolves when the log has `n` lines matching `re`. */
  waitFor(re: RegExp, n?: number): Promise<void>;
}

function startWorkerProc(name: string, url: string): WorkerProc {
  const proc = spawn(process.execPath, ['--import', 'tsx', cli, 'worker', '--broker', url, '--name', name, '--lease-ms', '4000', '--threads', '1', '--exit-when-idle'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const w: WorkerProc = {
    name, proc, log: '',
    exited: new Promise((resolve) => proc.on('close', (code) => resolve(code))),
    waitFor(re, n = 1) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if ((w.log.match(new RegExp(re.source, 'gm')) ?? []).length >= n) {
            proc.stderr!.off('data', check);
            resolve();
          }
        };
        proc.stderr!.on('data', check);
        proc.on('close', () => reject(new Error(`${name} exited before ${re}:\n${w.log}`)));
        check();
      });
    },
  };
  proc.stderr!.on('data', (d) => (w.log += d));
  return w;
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms).unref())]);

test('queue: a worker killed -9 mid-shard and a broker restart lose nothing; collect equals cafe predict', { skip, timeout: 240_000 }, async () => {
  assert.equal(missing, null, `CAFE_REQUIRE_REDIS=1 but ${missing}`);
  const dir = mkdtempSync(join(tmpdir(), 'cafe-queue-'));
  const redis = await startRedis();
  const workers: WorkerProc[] = [];
  const cleanup: Array<() => Promise<void>> = [];
  try {
    // 22 photos (face-api's 6 samples and human's 5 assets, twice, under other names) and a file that is no image.
    const photos = join(dir, 'photos');
    mkdirSync(photos);
    const humanAssets = join(import.meta.dirname, '..', '..', 'node_modules', '@vladmandic', 'human', 'assets');
    const sources = [...samplePhotos(), ...readdirSync(humanAssets).filter((n) => n.endsWith('.jpg')).map((n) => join(humanAssets, n))];
    for (const k of [1, 2]) for (const f of sources) copyFileSync(f, join(photos, `${k}-${basename(f)}`));
    writeFileSync(join(photos, '1-broken.jpg'), 'this is not a JPEG');
    // An input list (one line per entry) exercises list.txt; the expanded order is predict's.
    const list = join(dir, 'list.txt');
    writeFileSync(list, `# the photos\n${photos}\n`);
    const out = join(dir, 'out');
    const url = redis.url;

    const submit = await runCli(['queue', 'submit', '--broker', url, '--out', out, '--shard', '2', '--backoff-ms', '200', list]);
    assert.equal(submit.code, 0, submit.stderr);
    assert.match(submit.stdout, /23 photos in 12 shards of 2/);
    assert.match(submit.stdout, /12 jobs added, 0 already in the broker/);
    // The rest talks to the broker in-process (each CLI start-up costs seconds: the test stays short).
    const connection = await connectBroker(url, { persistent: true });
    const queue = new Queue<ShardJob, ShardResult>(DEFAULT_QUEUE, { connection });
    queue.on('error', () => {}); // the broker's restart below: ioredis reconnects
    cleanup.push(async () => {
      await queue.close().catch(() => {});
      connection.disconnect();
    });
    const again = await submitRun(queue, readManifest(out));
    assert.deepEqual(again, { shards: 12, added: 0, queued: 12, written: 0, retried: 0, rerun: 0 }, 'resubmitting the same inputs adds nothing');

    // A second run whose shard 1 cannot be written (a folder sits where its file goes): retried, then failed.
    const out2 = join(dir, 'out2');
    const m2 = newManifest({ queue: DEFAULT_QUEUE, out: out2, cwd: process.cwd(), shardSize: 1, files: [join(photos, '1-sample1.jpg'), join(photos, '1-sample2.jpg')], missing: [], options: { crops: false } });
    assert.equal(saveManifest(m2), 'created');
    assert.equal((await submitRun(queue, m2, { attempts: 2, backoffMs: 200 })).added, 2);
    mkdirSync(join(out2, 'shards', '000001.jsonl'), { recursive: true });

    for (const name of ['w1', 'w2', 'w3']) workers.push(startWorkerProc(name, url));
    // Kill w1 in the middle of its second shard (its first included loading the model).
    const w1 = workers[0];
    await withTimeout(w1.waitFor(/ started$/, 2), 120_000, 'w1 starts a second job');
    await new Promise((r) => setTimeout(r, 250));
    const killedJob = [...w1.log.matchAll(/job (\S+) \(shard \d+.*started$/gm)].at(-1)![1];
    w1.proc.kill('SIGKILL');
    assert.equal(await w1.exited, null, 'w1 died of SIGKILL');
    assert.doesNotMatch(w1.log, new RegExp(`job ${killedJob} done`), 'the kill came before the job finished');

    // Then the broker dies (kill -9) and comes back on the same port and folder.
    const doneShards = () => (existsSync(join(out, 'shards')) ? readdirSync(join(out, 'shards')).filter((n) => n.endsWith('.done.json')).length : 0);
    await withTimeout(new Promise<void>((resolve) => { const t = setInterval(() => { if (doneShards() >= 5) { clearInterval(t); resolve(); } }, 100); }), 120_000, '5 shards done');
    await redis.kill();
    await new Promise((r) => setTimeout(r, 1000));
    await redis.start();

    const codes = await withTimeout(Promise.all(workers.slice(1).map((w) => w.exited)), 180_000, 'workers w2, w3 drain the queue');
    assert.deepEqual(codes, [0, 0], workers.map((w) => `${w.name}:\n${w.log}`).join('\n'));
    // The killed worker's job went to another worker after its lease expired.
    const takeover = workers.slice(1).find((w) => new RegExp(`job ${killedJob} \\(shard \\d+, 2 photos, attempt \\d\\) started`).test(w.log));
    assert.ok(takeover, `no live worker took over ${killedJob}:\n${workers.map((w) => w.log).join('\n')}`);
    assert.match(workers.slice(1).map((w) => w.log).join('\n'), /broker unreachable .*reconnecting/, 'the workers saw the broker go away');

    const s = await runStatus(queue, readManifest(out));
    assert.deepEqual(s.states, { done: 12, active: 0, waiting: 0, delayed: 0, failed: 0, missing: 0 });
    assert.equal(s.photosDone, 23);
    assert.ok(s.rate > 0);
    const text = await capture(['queue', 'status', '--broker', url, '--out', out, '--wait']);
    assert.equal(text.code, 0, text.out);
    assert.match(text.out, /23\/23 photos \(100\.0%\), \d+ faces; shards: 12 done, 0 active, 0 waiting, 0 retrying, 0 failed of 12; [\d.]+ photos\/s/);
    assert.match(text.out, /failed photos:\n  \S+1-broken\.jpg: \S+: cannot decode image/);
    const killedShard = Number(killedJob.slice(killedJob.lastIndexOf('-') + 1));
    const killedDone = JSON.parse(readFileSync(join(out, 'shards', `${String(killedShard).padStart(6, '0')}.done.json`), 'utf8'));
    assert.notEqual(killedDone.worker, 'w1', 'the shard w1 died on was written by another worker');
    assert.equal(Object.values(s.workers as Record<string, number>).reduce((a, b) => a + b, 0), 12);
    assert.deepEqual(s.failedItems.map((f: { file: string }) => basename(f.file)), ['1-broken.jpg']);
    assert.match(s.failedItems[0].error, /cannot decode image/);

    const collect = await runCli(['queue', 'collect', '--out', out]);
    assert.equal(collect.code, 1, 'a failed photo: exit 1, like predict');
    assert.match(collect.stderr, /23 of 23 photos from 12 of 12 shards/);
    const csv = collectRun(readManifest(out), { format: 'csv' }).text;

    // The reference: one process, the same inputs (run after the workers: no CPU contention with them).
    const predict = await runCli(['predict', photos, '--quiet']);
    assert.equal(predict.code, 1, predict.stderr);
    const collected = readFileSync(join(out, 'results.jsonl'), 'utf8');
    assert.ok(predict.stdout.length > 0);
    assert.equal(collected, predict.stdout, 'collected output identical to cafe predict');
    const keys = collected.trim().split('\n').map((l) => { const r = JSON.parse(l); return `${r.file}#${r.face}`; });
    assert.equal(new Set(keys).size, keys.length, 'no duplicate record');
    assert.equal(csv.trim().split('\n').length, keys.length + 1, 'CSV: header + one row per face');

    // Resubmitting a finished run adds nothing either.
    assert.equal((await submitRun(queue, readManifest(out))).added, 0);
    // ... unless a shard's files went missing: its completed job is queued again.
    rmSync(join(out, 'shards', '000004.done.json'));
    assert.deepEqual(await submitRun(queue, readManifest(out)), { shards: 12, added: 0, queued: 12, written: 0, retried: 0, rerun: 1 });
    assert.equal(await (await queue.getJob(`${s.runId}-000004`))!.getState(), 'waiting');

    // Run 2: shard 0 done, shard 1 failed after its 2 attempts with the write error as its reason.
    const st2 = await runStatus(queue, readManifest(out2));
    assert.equal(st2.states.done, 1);
    assert.equal(st2.states.failed, 1);
    assert.equal(st2.failedJobs[0].index, 1);
    assert.equal(st2.failedJobs[0].attempts, 2);
    assert.match(st2.failedJobs[0].reason, /EISDIR|directory/);
    const text2 = await capture(['queue', 'status', '--broker', url, '--out', out2, '--wait']);
    assert.equal(text2.code, 1, 'a job failed for good: status --wait exits 1');
    assert.match(text2.out, /failed jobs \(cafe queue submit --retry-failed puts them back\):\n  \S+-000001 \(shard 1, 2 attempts\): .*(EISDIR|directory)/);
    assert.throws(() => collectRun(readManifest(out2), { format: 'json' }), /1 of 2 shards not done yet/);
    // Fixed, it goes back in the queue.
    rmSync(join(out2, 'shards', '000001.jsonl'), { recursive: true });
    assert.equal((await submitRun(queue, readManifest(out2), { retryFailed: true })).retried, 1);
    assert.equal(await (await queue.getJob(st2.failedJobs[0].id))!.getState(), 'waiting');
  } finally {
    for (const f of cleanup) await f();
    for (const w of workers) if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGKILL');
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
