// `cafe serve` under load, loopback only, bounded in time and count, against in-process recognize() on the same
// photos in the same run:
//   in-process   createRecognizer().recognize(bytes) in a sequential loop (what a Node program gets without HTTP),
//                measured before and after the server runs (the mean is the reference: the machine is shared)
//   server on    `cafe serve` (a child process, as a user runs it) with dynamic batching (maxBatch 8, 5 ms);
//                autocannon at fixed concurrency for --duration s: req/s, p50/p95/p99, errors; then an RSS soak
//                of --soak requests after --soak-warm warm-up requests
//   server off   the same with batching off (maxBatch 1) for --compare s
// Photos: the 105 SFEW frames (720x576, photos/sfew-frames) when present, else face-api's six sample photos. The
// soak sends a small face crop (face-api's sample 1, cut in memory) with ?detect=false, to keep 10,000 requests
// bounded in time; the full pipeline's RSS is reported over the load run.
// Run: flock /tmp/cafe-heavy.lock node --import tsx bench/serve.ts [--duration 60] [--compare 30] [--connections 8]
//      [--soak 10000] [--soak-warm 1000] [--inproc 30] [--workers N] [--out bench/results/serve] [--datasets DIR]
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
const COMPARE = Number(opt('compare', '30'));
const CONNECTIONS = Number(opt('connections', '8'));
const SOAK = Number(opt('soak', '10000'));
const SOAK_WARM = Number(opt('soak-warm', '1000'));
const INPROC = Number(opt('inproc', '30'));
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

async function inProcess(seconds: number) {
  const fer = await createRecognizer();
  for (const p of photos.slice(0, 3)) await fer.recognize(p);
  let n = 0;
  let faces = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) faces += (await fer.recognize(photos[n++ % photos.length])).faces.length;
  const s = (performance.now() - t0) / 1000;
  await fer.dispose();
  return { photos: n, faces, seconds: r1(s), photosPerSecond: r3(n / s) };
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

async function serverRun(name: string, extra: string[], seconds: number, soak: boolean) {
  log(`${name}: starting cafe serve ${extra.join(' ')}`);
  const s = await startServer(extra);
  const pid = s.child.pid!;
  log(`${name}: warm-up 5 s`);
  await load(s.url, { seconds: 5, body: 'photos' });
  const m0 = await metrics(s.url);
  const rssLoadStart = rssMb(pid);
  log(`${name}: ${seconds} s at ${CONNECTIONS} connections`);
  const run = await load(s.url, { seconds, body: 'photos' });
  const m1 = await metrics(s.url);
  const rssLoadEnd = rssMb(pid);
  const out: Record<string, unknown> = {
    name, flags: extra.join(' '), load: run,
    meanBatchSize: r3((m1.batchSum - m0.batchSum) / (m1.batchCount - m0.batchCount)),
    eventLoopLagP99Ms: r1(m1.lagP99 * 1000), eventLoopLagMaxMs: r1(m1.lagMax * 1000),
    rssMb: { loadStart: r1(rssLoadStart), loadEnd: r1(rssLoadEnd) },
  };
  if (soak) {
    log(`${name}: soak warm-up ${SOAK_WARM} requests`);
    await load(s.url, { amount: SOAK_WARM, body: 'crop' });
    const before = rssMb(pid);
    const samples: number[] = [];
    log(`${name}: soak ${SOAK} requests (RSS sampled every second)`);
    const soakRun = await load(s.url, { amount: SOAK, body: 'crop' }, () => samples.push(rssMb(pid)));
    const after = rssMb(pid);
    out.soak = { warmup: SOAK_WARM, ...soakRun, rssMb: { before: r1(before), after: r1(after), max: r1(Math.max(before, after, ...samples)), growth: r1(after - before) } };
  }
  const m2 = await metrics(s.url);
  out.workerCrashes = m2.crashes;
  out.exitCode = await s.stop();
  log(`${name}: ${JSON.stringify(out)}`);
  return out;
}

const commit = execSync('git rev-parse HEAD', { encoding: 'utf8' }).trim();
const dirty = execSync('git status --porcelain -- src bench', { encoding: 'utf8' }).trim() !== '';
const load0 = loadavg().map((x) => r1(x * 10) / 10);
log(`in-process recognize(), ${INPROC} s`);
const inBefore = await inProcess(INPROC);
log(JSON.stringify(inBefore));
const on = await serverRun('batching on', ['--max-batch', '8', '--max-wait-ms', '5'], DURATION, true);
const off = await serverRun('batching off', ['--max-batch', '1'], COMPARE, false);
log(`in-process recognize() again, ${INPROC} s`);
const inAfter = await inProcess(INPROC);
log(JSON.stringify(inAfter));

const inRef = (inBefore.photosPerSecond + inAfter.photosPerSecond) / 2;
const onLoad = on.load as Awaited<ReturnType<typeof load>>;
const offLoad = off.load as Awaited<ReturnType<typeof load>>;
const soak = on.soak as Awaited<ReturnType<typeof load>> & { rssMb: { before: number; after: number; max: number; growth: number }; warmup: number };
const command = `flock /tmp/cafe-heavy.lock node --import tsx bench/serve.ts ${args.join(' ')}`.trim();
const result = {
  command, commit, dirty, date: new Date().toISOString(), machine: `${cpus().length} x ${cpus()[0]?.model}`,
  loadAverage: { start: load0, end: loadavg().map((x) => r1(x * 10) / 10) }, photoSet, connections: CONNECTIONS, workers: WORKERS,
  inProcess: { before: inBefore, after: inAfter, photosPerSecond: r3(inRef) },
  batchingOn: on, batchingOff: off,
  ratios: { serverVsInProcess: r3(onLoad.reqPerSec / inRef), batchingOnVsOff: r3(onLoad.reqPerSec / offLoad.reqPerSec) },
};
const bad = (l: typeof onLoad) => l.errors + l.timeouts + l.non2xx;
const md = [
  '# cafe serve under load', '',
  `\`${command}\` at \`${commit}\`${dirty ? ' (uncommitted changes)' : ''}, ${result.date}, ${result.machine}, load average ${load0.join(' ')} at the start, ${result.loadAverage.end.join(' ')} at the end (a shared machine: the ratios, measured in the same run, are the robust figures).`, '',
  `Photos: ${photoSet}, sent as raw image/jpeg bodies, cycled per connection; ${CONNECTIONS} connections (autocannon), ${WORKERS} inference workers; 127.0.0.1 only.`, '',
  '| run | req/s | p50 ms | p95 ms | p99 ms | requests | errors (conn + timeout + non-2xx) | mean batch | event-loop lag p99 / max ms |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  `| in-process recognize(), sequential (mean of before ${inBefore.photosPerSecond} / after ${inAfter.photosPerSecond}) | ${r3(inRef)} | | | | ${inBefore.photos + inAfter.photos} | | | |`,
  ...[on, off].map((r) => {
    const l = r.load as typeof onLoad;
    return `| server, ${r.name} (\`${r.flags}\`), ${l.seconds} s | ${l.reqPerSec} | ${l.latencyMs.p50} | ${l.latencyMs.p95} | ${l.latencyMs.p99} | ${l.requests} | ${bad(l)} | ${r.meanBatchSize} | ${r.eventLoopLagP99Ms} / ${r.eventLoopLagMaxMs} |`;
  }), '',
  `- server (batching on) vs in-process: **${result.ratios.serverVsInProcess}x**; batching on vs off: **${result.ratios.batchingOnVsOff}x**.`,
  `- RSS over the load run (full pipeline): ${(on.rssMb as { loadStart: number }).loadStart} -> ${(on.rssMb as { loadEnd: number }).loadEnd} MB.`,
  `- RSS soak: ${soak.requests} requests (96x96 face crop, ?detect=false) after ${soak.warmup} warm-up requests: ${soak.rssMb.before} -> ${soak.rssMb.after} MB (growth **${soak.rssMb.growth} MB**, max ${soak.rssMb.max}); ${soak.reqPerSec} req/s, p99 ${soak.latencyMs.p99} ms, errors ${bad(soak)}.`,
  `- Worker crashes: ${on.workerCrashes} / ${off.workerCrashes}; exit codes after SIGTERM: ${on.exitCode} / ${off.exitCode}.`, '',
];
for (const [ext, text] of [['json', JSON.stringify(result, null, 2) + '\n'], ['md', md.join('\n')]] as const) writeAtomic(`${OUT}.${ext}`, text);
console.log(md.join('\n'));
