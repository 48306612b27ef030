// Throughput of the work queue on this machine: photos/s through `cafe worker` with 1 and 2 worker processes (and
// one process running 2 jobs at once) against one `cafe predict`, on the same 105 SFEW frames, each configuration in
// fresh processes against a fresh redis-server on a loopback port. Two figures per configuration:
//   steady   photos / (last shard finished - first shard started): the rate once models are loaded
//   wall     photos / (process start -> all processes exited): what a user waits, model loading included
// Every queue run's collected output is compared with predict's (byte for byte). Run it under the heavy-job lock:
//   node --import tsx bench/queue.ts [--shard N] [--reps N] [--copies N] [--out bench/results/queue] [--datasets DIR]
// It runs the built CLI (bin/cafe.js -> dist/): `npm run build` first.
import { execSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis } from '../test/queue/redis.js';
import { writeAtomic } from '../src/util/atomic.js';
import { args, opt, sfewFramesOrSkip } from './helpers/args.js';

const { root: ROOT, frames: SFEW_FRAMES } = sfewFramesOrSkip();
// --copies N: the frames N times over (copies in a temp folder, removed at the end), so that the run is long enough
// for model loading and the last shard's tail not to dominate the 2-worker figure.
const COPIES = Number(opt('copies') ?? 1);
if (!Number.isInteger(COPIES) || COPIES < 1) throw new Error(`--copies: a positive integer, not ${opt('copies')}`);
const FRAMES = COPIES === 1 ? SFEW_FRAMES : mkdtempSync(join(tmpdir(), 'cafe-bench-frames-'));
if (COPIES > 1) {
  for (let k = 0; k < COPIES; k++) cpSync(SFEW_FRAMES, join(FRAMES, `copy${k}`), { recursive: true });
  process.on('exit', () => rmSync(FRAMES, { recursive: true, force: true }));
}
const OUT = opt('out') ?? 'bench/results/queue';
const SHARD = Number(opt('shard') ?? 5);
const REPS = Number(opt('reps') ?? 2);
const BIN = join(import.meta.dirname, '..', 'bin', 'cafe.js');
if (!existsSync(join(import.meta.dirname, '..', 'dist', 'src', 'queue', 'worker.js'))) {
  console.error('dist/ has no queue: run `npm run build` first');
  process.exit(2);
}

interface Proc { code: number | null; stdout: string; stderr: string; cpuSeconds: number }
let timeSeq = 0;
/** Runs the built CLI under /usr/bin/time: its CPU seconds (user + system, all threads) come back with it. */
function cafe(argv: string[], stdoutTo?: 'keep'): Promise<Proc> {
  const timeFile = join(tmpdir(), `cafe-bench-queue-time-${process.pid}-${timeSeq++}`);
  return new Promise((resolve) => {
    const p = spawn('/usr/bin/time', ['-f', '%U %S', '-o', timeFile, process.execPath, BIN, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdoutTo === 'keep' ? (stdout += d) : undefined));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => {
      const [u, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
      rmSync(timeFile, { force: true });
      resolve({ code, stdout, stderr, cpuSeconds: u + sys });
    });
  });
}

interface Row { name: string; cpuSecondsPerPhoto?: number; coresBusy?: number; processes: number; threads: string; concurrency: number; photos: number; steadyPhotosPerSecond: number; wallSeconds: number; wallPhotosPerSecond: number; identicalToPredict: boolean | null; reps?: Array<{ steadyPhotosPerSecond: number; wallSeconds: number; cpuSeconds: number }> }
const rows: Row[] = [];
const load0 = loadavg();

// Reference: one cafe predict over the folder.
const t0 = performance.now();
const pred = await cafe(['predict', FRAMES, '--quiet'], 'keep');
const predWall = (performance.now() - t0) / 1000;
const predRate = Number(/\(([\d.]+) photos\/s\)/.exec(pred.stderr)?.[1]);
const nPhotos = Number(/^(\d+) files/m.exec(pred.stderr)?.[1]);
if (!(nPhotos > 0) || !(predRate > 0)) throw new Error(`cafe predict failed:\n${pred.stderr}`);
rows.push({ name: 'cafe predict', processes: 1, threads: 'all', concurrency: 1, photos: nPhotos, steadyPhotosPerSecond: predRate, wallSeconds: predWall, wallPhotosPerSecond: nPhotos / predWall, identicalToPredict: null });
console.error(`predict: ${predRate.toFixed(2)} photos/s steady, ${predWall.toFixed(1)} s wall`);

const configs = [
  { name: '1 worker', processes: 1, threads: undefined, concurrency: 1 },
  { name: '1 worker, 1 thread', processes: 1, threads: 1, concurrency: 1 },
  { name: '2 workers, 1 thread each', processes: 2, threads: 1, concurrency: 1 },
  { name: '1 worker, 2 jobs at once, 1 thread', processes: 1, threads: 1, concurrency: 2 },
];
interface Rep { steady: number; wall: number; photos: number; identical: boolean; cpu: number }
const reps = new Map<string, Rep[]>(configs.map((c) => [c.name, []]));
async function measure(c: (typeof configs)[number]): Promise<Rep> {
  const redis = await startRedis();
  const dir = mkdtempSync(join(tmpdir(), 'cafe-bench-queue-'));
  try {
    const out = join(dir, 'out');
    const sub = await cafe(['queue', 'submit', '--broker', redis.url, '--out', out, '--shard', String(SHARD), FRAMES], 'keep');
    if (sub.code !== 0) throw new Error(`submit failed:\n${sub.stderr}`);
    const w0 = performance.now();
    const workerArgs = ['worker', '--broker', redis.url, '--exit-when-idle', '--quiet', '--concurrency', String(c.concurrency), ...(c.threads ? ['--threads', String(c.threads)] : [])];
    const ws = await Promise.all(Array.from({ length: c.processes }, () => cafe(workerArgs)));
    const wall = (performance.now() - w0) / 1000;
    for (const w of ws) if (w.code !== 0) throw new Error(`worker failed:\n${w.stderr}`);
    const dones = readdirSync(join(out, 'shards')).filter((n) => n.endsWith('.done.json')).map((n) => JSON.parse(readFileSync(join(out, 'shards', n), 'utf8')) as { photos: number; startedAt: number; finishedAt: number });
    const photos = dones.reduce((a, d) => a + d.photos, 0);
    const span = (Math.max(...dones.map((d) => d.finishedAt)) - Math.min(...dones.map((d) => d.startedAt))) / 1000;
    const col = await cafe(['queue', 'collect', '--out', out]);
    const identical = col.code !== 2 && readFileSync(join(out, 'results.jsonl'), 'utf8') === pred.stdout;
    console.error(`${c.name}: ${(photos / span).toFixed(2)} photos/s steady, ${wall.toFixed(1)} s wall, identical to predict: ${identical}`);
    return { steady: photos / span, wall, photos, identical, cpu: ws.reduce((a, w) => a + w.cpuSeconds, 0) };
  } finally {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
// What a worker costs before its first photo (start, connect, model loading, idle exit): one on an empty queue.
const startupCpu = await (async () => {
  const redis = await startRedis();
  try {
    const w = await cafe(['worker', '--broker', redis.url, '--exit-when-idle', '--quiet', '--threads', '1']);
    return w.cpuSeconds;
  } finally {
    await redis.stop();
  }
})();
console.error(`worker start-up: ${startupCpu.toFixed(2)} CPU s`);
// Interleaved repetitions: the load of other processes on this shared machine drifts, and hits every configuration alike.
for (let r = 0; r < REPS; r++) for (const c of configs) reps.get(c.name)!.push(await measure(c));
const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
for (const c of configs) {
  const rs = reps.get(c.name)!;
  const wall = median(rs.map((x) => x.wall));
  // CPU per photo once loaded (start-up CPU taken out), and how many cores the configuration kept busy meanwhile.
  const cpuPerPhoto = median(rs.map((x) => (x.cpu - c.processes * startupCpu) / x.photos));
  const steadyRate = median(rs.map((x) => x.steady));
  rows.push({ cpuSecondsPerPhoto: cpuPerPhoto, coresBusy: cpuPerPhoto * steadyRate, name: c.name, processes: c.processes, threads: c.threads ? String(c.threads) : 'all', concurrency: c.concurrency, photos: rs[0].photos, steadyPhotosPerSecond: median(rs.map((x) => x.steady)), wallSeconds: wall, wallPhotosPerSecond: rs[0].photos / wall, identicalToPredict: rs.every((x) => x.identical), reps: rs.map((x) => ({ steadyPhotosPerSecond: x.steady, wallSeconds: x.wall, cpuSeconds: x.cpu })) });
}

const load1 = loadavg();
const one = rows.find((r) => r.name === '1 worker')!;
const oneT1 = rows.find((r) => r.name === '1 worker, 1 thread')!;
const two = rows.find((r) => r.name === '2 workers, 1 thread each')!;
const speedup = { twoWorkersVsBestOneWorker: two.steadyPhotosPerSecond / Math.max(one.steadyPhotosPerSecond, oneT1.steadyPhotosPerSecond), twoWorkersVsOneWorker: two.steadyPhotosPerSecond / one.steadyPhotosPerSecond, twoWorkersVsOneWorkerOneThread: two.steadyPhotosPerSecond / oneT1.steadyPhotosPerSecond, twoWorkersVsPredict: two.steadyPhotosPerSecond / rows[0].steadyPhotosPerSecond };
const commit = execSync('git rev-parse --short HEAD').toString().trim();
const dirty = execSync('git status --porcelain --untracked-files=no').toString().trim() !== '';
const command = `node --import tsx bench/queue.ts${args.length ? ' ' + args.join(' ') : ''}`;
const result = { command, commit: commit + (dirty ? '+dirty' : ''), date: new Date().toISOString(), cpus: cpus().length, cpuModel: cpus()[0]?.model, loadAverageBefore: load0, loadAverageAfter: load1, frames: 'photos/sfew-frames', shard: SHARD, reps: REPS, rows, speedup, workerStartupCpuSeconds: startupCpu };
writeAtomic(`${OUT}.json`, JSON.stringify(result, null, 2) + '\n');
const f2 = (x: number) => x.toFixed(2);
const md = [
  '# Work queue throughput (cafe worker vs cafe predict)',
  '',
  `Command: \`${command}\`  `,
  `Commit: ${result.commit}, ${result.date}; ${result.cpus} cores (${result.cpuModel}); load average before ${load0.map(f2).join(' ')}, after ${load1.map(f2).join(' ')}  `,
  `Inputs: ${nPhotos} SFEW frames (photos/sfew-frames${COPIES > 1 ? `, ${COPIES} copies` : ""}), shards of ${SHARD}; redis-server on 127.0.0.1, fresh per measurement; ${REPS} interleaved repetitions per configuration, medians shown.`,
  '',
  'steady = photos / (last shard finished - first shard started), model loading excluded (predict: its own photos/s after loading);',
  'wall = from process start to exit, model loading included. "identical" = collected output byte-identical to cafe predict\'s.',
  '',
  `CPU s/photo = (CPU seconds of the worker processes, all threads, /usr/bin/time - their start-up, ${startupCpu.toFixed(2)} s each measured on an empty queue) / photos;`,
  'cores busy = CPU s/photo x steady photos/s: what the configuration used of the machine while it ran.',
  '',
  '| configuration | processes | onnxruntime threads | jobs at once | steady photos/s | wall s | wall photos/s | CPU s/photo | cores busy | identical |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.name} | ${r.processes} | ${r.threads} | ${r.concurrency} | ${f2(r.steadyPhotosPerSecond)} | ${r.wallSeconds.toFixed(1)} | ${f2(r.wallPhotosPerSecond)} | ${r.cpuSecondsPerPhoto === undefined ? '-' : f2(r.cpuSecondsPerPhoto)} | ${r.coresBusy === undefined ? '-' : f2(r.coresBusy)} | ${r.identicalToPredict === null ? 'reference' : r.identicalToPredict ? 'yes' : 'NO'} |`),
  '',
  `Ceiling: at ${f2(oneT1.cpuSecondsPerPhoto!)} CPU s per photo, ${result.cpus} cores give at most ${f2(result.cpus / oneT1.cpuSecondsPerPhoto!)} photos/s, i.e. ${f2(result.cpus / oneT1.cpuSecondsPerPhoto! / oneT1.steadyPhotosPerSecond)}x the single 1-thread worker (which kept ${f2(oneT1.coresBusy!)} cores busy), whatever the number of workers.`,
  '',
  `2 workers vs the faster 1-worker configuration: ${f2(speedup.twoWorkersVsBestOneWorker)}x; vs 1 worker (all threads): ${f2(speedup.twoWorkersVsOneWorker)}x; vs 1 worker on 1 thread: ${f2(speedup.twoWorkersVsOneWorkerOneThread)}x; vs cafe predict: ${f2(speedup.twoWorkersVsPredict)}x (steady).`,
  '',
];
writeAtomic(`${OUT}.md`, md.join('\n'));
console.log(md.join('\n'));
