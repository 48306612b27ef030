// `cafe serve` under load, loopback only, bounded in time and count, against in-process recognize() on the same
// photos in the same run. Two servers run side by side (`cafe serve` child processes, as a user runs them), one with
// dynamic batching (maxBatch 8, 5 ms) and one without (maxBatch 1):
//   load run     the batching server under autocannon at fixed concurrency for --duration s: sustained req/s,
//                p50/p95/p99, errors, event-loop lag, RSS
//   comparison   --rounds rounds of --slice s each of: in-process recognize() (sequential loop, what a Node program
//                gets without HTTP), server with batching, server without, and both servers on face crops with
//                ?detect=false (where the model call is the whole cost); order rotated per round. Interleaving keeps
//                the machine's load drift (it is shared) out of the ratios.
//   soak         --soak requests after --soak-warm warm-up requests on the batching server, RSS sampled each second
// Photos: the 105 SFEW frames (720x576, photos/sfew-frames) when present, else face-api's six sample photos. The
// soak sends a small face crop (face-api's sample 1, cut in memory) with ?detect=false, to keep 10,000 requests
// bounded in time; the full pipeline's RSS is reported over the load run.
// Run: node --import tsx bench/serve.ts [--duration 60] [--rounds 3] [--slice 10]
//      [--connections 8] [--soak 10000] [--soak-warm 1000] [--workers N] [--out bench/results/serve] [--datasets DIR]
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import sharp from 'sharp';
import { createRecognizer } from '../src/recognizer/recognizer.js';
import { packageDir } from '../src/runtime/node-packages.js';
import { writeAtomic } from '../src/util/atomic.js';
import { datasetsRoot } from '../src/util/datasets.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const DURATION = Number(opt('duration', '60'));
const ROUNDS = Number(opt('rounds', '3'));
const SLICE = Number(opt('slice', '10'));
const CONNECTIONS = Number(opt('connections', '8'));
const SOAK = Number(opt('soak', '10000'));
const SOAK_WARM = Number(opt('soak-warm', '1000'));
const WORKERS = Number(opt('workers', String(availableParallelism())));
const OUT = opt('out', 'bench/results/serve');
const FRAMES = join(datasetsRoot(opt('datasets', '') || undefined), 'photos', 'sfew-frames');

const photoFiles = existsSync(FRAMES)
  ? readdirSync(FRAMES).sort().flatMap((c) => readdirSync(join(FRAMES, c)).sort().filter((f) => f.endsWith('.jpg')).map((f) => join(FRAMES, c, f)))
  : [1, 2, 3, 4, 5, 6].map((n) => join(packageDir('@vladmandic/face-api'), 'demo', `sample${n}.jpg`));
const photoSet = existsSync(FRAMES) ? `${photoFiles.length} SFEW frames (photos/sfew-frames, 720x576 JPEG)` : `face-api's ${photoFiles.length} sample photos`;
const photos = photoFiles.map((f) => readFileSync(f));
const crop = await sharp(readFileSync(join(packageDir('@vladmandic/face-api'), 'demo', 'sample1.jpg'))).extract({ left: 410, top: 400, width: 210, height: 210 }).resize(96, 96).png().toBuffer();
const r1 = (x: number) => Math.round(x * 10) / 10;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const log = (s: string) => console.error(`[serve bench] ${s}`);

type Fer = Awaited<ReturnType<typeof createRecognizer>>;
let next = 0;
async function inProcess(fer: Fer, seconds: number) {
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await fer.recognize(photos[next++ % photos.length]);
    n++;
  }
  return { requests: n, seconds: (performance.now() - t0) / 1000 };
}

interface Child { url: string; child: ChildProcess; stop(): Promise<number | null> }

async function startServer(extra: string[]): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'helpers', 'run-cli.ts'), 'serve', '--port', '0', '--workers', String(WORKERS), ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`server did not start in 120 s: ${err}`)), 120_000);
    child.stderr!.on('data', (d) => {
      err += d;
      const m = /on (http:\/\/127\.0\.0\.1:\d+) /.exec(err);
      if (m) {
        clearTimeout(t);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${err}`)));
  });
  return {
    url, child,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function metrics(url: string) {
  const t = await (await fetch(`${url}/metrics`)).text();
  const v = (re: RegExp) => Number(re.exec(t)?.[1] ?? NaN);
  return {
    batchSum: v(/^cafe_batch_size_sum (\S+)$/m), batchCount: v(/^cafe_batch_size_count (\S+)$/m),
    lagP99: v(/^cafe_nodejs_eventloop_lag_p99_seconds (\S+)$/m), lagMax: v(/^cafe_nodejs_eventloop_lag_max_seconds (\S+)$/m),
    crashes: v(/^cafe_errors_total\{code="CAFE_WORKER_CRASHED"\} (\S+)$/m) || 0,
  };
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function load(url: string, opts: { seconds?: number; amount?: number; body: 'photos' | 'crop' }, onTick?: () => void) {
  const requests = opts.body === 'photos'
    ? photos.map((b) => ({ method: 'POST', path: '/v1/recognize', headers: { 'content-type': 'image/jpeg' }, body: b }))
    : [{ method: 'POST', path: '/v1/recognize?detect=false', headers: { 'content-type': 'image/png' }, body: crop }];
  const lat: number[] = [];
  const status: Record<string, number> = {};
  const inst = autocannon({ url, connections: CONNECTIONS, ...(opts.amount ? { amount: opts.amount } : { duration: opts.seconds }), timeout: 60, requests });
  inst.on('response', (_c: unknown, code: number, _b: number, ms: number) => {
    lat.push(ms);
    status[code] = (status[code] ?? 0) + 1;
  });
  const tick = onTick ? setInterval(onTick, 1000) : undefined;
  const r = await inst;
  clearInterval(tick);
  lat.sort((a, b) => a - b);
  const ok = status['200'] ?? 0;
  return {
    seconds: r1(r.duration), requests: lat.length, ok, reqPerSec: r3(ok / r.duration), status,
    errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx,
    latencyMs: { p50: r1(pct(lat, 50)), p95: r1(pct(lat, 95)), p99: r1(pct(lat, 99)), max: r1(lat[lat.length - 1] ?? NaN) },
  };
}

const commit = execSync('git rev-parse HEAD', { encoding: 'utf8' }).trim();
const dirty = execSync('git status --porcelain -- src bench', { encoding: 'utf8' }).trim() !== '';
const la = () => loadavg().map((x) => Math.round(x * 100) / 100);
const load0 = la();

log('starting both servers');
const srvOn = await startServer(['--max-batch', '8', '--max-wait-ms', '5']);
const srvOff = await startServer(['--max-batch', '1']);
const fer = await createRecognizer();
log('warm-up: 5 s per server, 3 photos in process');
for (const p of photos.slice(0, 3)) await fer.recognize(p);
await load(srvOn.url, { seconds: 5, body: 'photos' });
await load(srvOff.url, { seconds: 5, body: 'photos' });

log(`load run: ${DURATION} s at ${CONNECTIONS} connections (batching on)`);
const m0 = await metrics(srvOn.url);
const rssLoadStart = rssMb(srvOn.child.pid!);
const run = await load(srvOn.url, { seconds: DURATION, body: 'photos' });
const m1 = await metrics(srvOn.url);
const loadRun = {
  ...run, meanBatchSize: r3((m1.batchSum - m0.batchSum) / (m1.batchCount - m0.batchCount)),
  eventLoopLagP99Ms: r1(m1.lagP99 * 1000), eventLoopLagMaxMs: r1(m1.lagMax * 1000),
  rssMb: { start: r1(rssLoadStart), end: r1(rssMb(srvOn.child.pid!)) },
};
log(JSON.stringify(loadRun));

log(`comparison: ${ROUNDS} rounds x ${SLICE} s of in-process / batching on / batching off`);
type Arm = { requests: number; seconds: number; batchSum: number; batchCount: number; bad: number };
const arm0 = (): Arm => ({ requests: 0, seconds: 0, batchSum: 0, batchCount: 0, bad: 0 });
const arms = { inProcess: arm0(), on: arm0(), off: arm0(), onCrop: arm0(), offCrop: arm0() };
const order = ['inProcess', 'on', 'off', 'onCrop', 'offCrop'] as const;
for (let r = 0; r < ROUNDS; r++) {
  for (let k = 0; k < order.length; k++) {
    const name = order[(k + r) % order.length];
    const a = arms[name];
    if (name === 'inProcess') {
      const x = await inProcess(fer, SLICE);
      a.requests += x.requests;
      a.seconds += x.seconds;
    } else {
      const srv = name.startsWith('on') ? srvOn : srvOff;
      const b0 = await metrics(srv.url);
      const x = await load(srv.url, { seconds: SLICE, body: name.endsWith('Crop') ? 'crop' : 'photos' });
      const b1 = await metrics(srv.url);
      a.requests += x.ok;
      a.seconds += x.seconds;
      a.bad += x.errors + x.timeouts + x.non2xx;
      a.batchSum += b1.batchSum - b0.batchSum;
      a.batchCount += b1.batchCount - b0.batchCount;
    }
    log(`round ${r + 1} ${name} done`);
  }
}
await fer.dispose();
const rate = (a: { requests: number; seconds: number }) => r3(a.requests / a.seconds);
const comparison = {
  inProcessPhotosPerSecond: rate(arms.inProcess), batchingOnReqPerSecond: rate(arms.on), batchingOffReqPerSecond: rate(arms.off),
  meanBatchSizeOn: r3(arms.on.batchSum / arms.on.batchCount), errorsOn: arms.on.bad, errorsOff: arms.off.bad,
  crops: { batchingOnReqPerSecond: rate(arms.onCrop), batchingOffReqPerSecond: rate(arms.offCrop), meanBatchSizeOn: r3(arms.onCrop.batchSum / arms.onCrop.batchCount), errors: arms.onCrop.bad + arms.offCrop.bad },
  arms,
};
log(JSON.stringify(comparison));

log(`soak: ${SOAK_WARM} warm-up requests, then ${SOAK} (RSS sampled every second)`);
const pid = srvOn.child.pid!;
await load(srvOn.url, { amount: SOAK_WARM, body: 'crop' });
const before = rssMb(pid);
const samples: number[] = [];
const soakRun = await load(srvOn.url, { amount: SOAK, body: 'crop' }, () => samples.push(rssMb(pid)));
const after = rssMb(pid);
const soak = { warmup: SOAK_WARM, ...soakRun, rssMb: { before: r1(before), after: r1(after), max: r1(Math.max(before, after, ...samples)), min: r1(Math.min(before, after, ...samples)), growth: r1(after - before) } };
log(JSON.stringify(soak));
const crashes = (await metrics(srvOn.url)).crashes + (await metrics(srvOff.url)).crashes;
const exitCodes = [await srvOn.stop(), await srvOff.stop()];

const command = `node --import tsx bench/serve.ts ${args.join(' ')}`.trim();
const result = {
  command, commit, dirty, date: new Date().toISOString(), machine: `${cpus().length} x ${cpus()[0]?.model}`,
  loadAverage: { start: load0, end: la() }, photoSet, connections: CONNECTIONS, workers: WORKERS,
  loadRun, comparison, soak, workerCrashes: crashes, exitCodesAfterSigterm: exitCodes,
  ratios: {
    serverVsInProcess: r3(comparison.batchingOnReqPerSecond / comparison.inProcessPhotosPerSecond),
    serverOffVsInProcess: r3(comparison.batchingOffReqPerSecond / comparison.inProcessPhotosPerSecond),
    batchingOnVsOff: r3(comparison.batchingOnReqPerSecond / comparison.batchingOffReqPerSecond),
    batchingOnVsOffCrops: r3(comparison.crops.batchingOnReqPerSecond / comparison.crops.batchingOffReqPerSecond),
  },
};
const bad = (l: { errors: number; timeouts: number; non2xx: number }) => l.errors + l.timeouts + l.non2xx;
const md = [
  '# cafe serve under load', '',
  `\`${command}\` at \`${commit}\`${dirty ? ' (uncommitted changes)' : ''}, ${result.date}, ${result.machine}, load average ${load0.join(' ')} at the start, ${result.loadAverage.end.join(' ')} at the end (a shared machine: absolute speeds are pessimistic; the ratios come from interleaved slices of the same run).`, '',
  `Photos: ${photoSet}, sent as raw image/jpeg bodies, cycled per connection; ${CONNECTIONS} connections (autocannon), ${WORKERS} inference workers per server; 127.0.0.1 only.`, '',
  `## Load run: batching on, ${loadRun.seconds} s`, '',
  '| req/s | p50 ms | p95 ms | p99 ms | max ms | requests | errors (conn + timeout + non-2xx) | mean batch | event-loop lag p99 / max ms | RSS start -> end MB |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  `| ${loadRun.reqPerSec} | ${loadRun.latencyMs.p50} | ${loadRun.latencyMs.p95} | ${loadRun.latencyMs.p99} | ${loadRun.latencyMs.max} | ${loadRun.requests} | ${bad(loadRun)} | ${loadRun.meanBatchSize} | ${loadRun.eventLoopLagP99Ms} / ${loadRun.eventLoopLagMaxMs} | ${loadRun.rssMb.start} -> ${loadRun.rssMb.end} |`, '',
  `## Throughput, interleaved (${ROUNDS} rounds x ${SLICE} s per arm, order rotated)`, '',
  '| arm | photos/s | photos | seconds | errors |', '|---|---:|---:|---:|---:|',
  `| in-process \`recognize()\`, sequential | ${comparison.inProcessPhotosPerSecond} | ${arms.inProcess.requests} | ${r1(arms.inProcess.seconds)} | |`,
  `| server, batching on (\`--max-batch 8 --max-wait-ms 5\`; mean batch ${comparison.meanBatchSizeOn}) | ${comparison.batchingOnReqPerSecond} | ${arms.on.requests} | ${r1(arms.on.seconds)} | ${arms.on.bad} |`,
  `| server, batching off (\`--max-batch 1\`) | ${comparison.batchingOffReqPerSecond} | ${arms.off.requests} | ${r1(arms.off.seconds)} | ${arms.off.bad} |`,
  `| server, batching on, 96x96 face crops ?detect=false (mean batch ${comparison.crops.meanBatchSizeOn}) | ${comparison.crops.batchingOnReqPerSecond} | ${arms.onCrop.requests} | ${r1(arms.onCrop.seconds)} | ${arms.onCrop.bad} |`,
  `| server, batching off, 96x96 face crops ?detect=false | ${comparison.crops.batchingOffReqPerSecond} | ${arms.offCrop.requests} | ${r1(arms.offCrop.seconds)} | ${arms.offCrop.bad} |`, '',
  `Server vs in-process on the frames: **${result.ratios.serverVsInProcess}x** with batching, ${result.ratios.serverOffVsInProcess}x without. Batching on vs off: **${result.ratios.batchingOnVsOff}x** on full frames (decode + detection per image dominate; only the model call is batched), **${result.ratios.batchingOnVsOffCrops}x** on face crops (the model call is the whole cost).`, '',
  '## RSS soak', '',
  `${soak.requests} requests (96x96 face crop, ?detect=false, ${CONNECTIONS} connections) after ${soak.warmup} warm-up requests: RSS ${soak.rssMb.before} -> ${soak.rssMb.after} MB (growth **${soak.rssMb.growth} MB**; min ${soak.rssMb.min}, max ${soak.rssMb.max} over the soak); ${soak.reqPerSec} req/s, p50 ${soak.latencyMs.p50} / p99 ${soak.latencyMs.p99} ms, errors ${bad(soak)}.`, '',
  `Worker crashes: ${crashes}; exit codes after SIGTERM: ${exitCodes.join(', ')}.`, '',
];
for (const [ext, text] of [['json', JSON.stringify(result, null, 2) + '\n'], ['md', md.join('\n')]] as const) writeAtomic(`${OUT}.${ext}`, text);
console.log(md.join('\n'));
