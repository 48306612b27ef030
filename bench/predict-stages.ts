// Where a photo's time goes in `cafe predict`, and what overlapping the stages across photos buys, on the raw SFEW
// frames (photos/sfew-frames, 720x576, one face each), in one run:
//   stages      decode (sharp) -> detect (window + network + decoding; the network on onnxruntime, and the previous
//               tfjs-wasm network and per-tap window on the same windows, for comparison) -> align -> faceres + CAFE
//               head (onnxruntime), each timed alone per frame, warm (one untimed frame first)
//   pipelines   photos/s through recognize() one photo at a time, and through recognizeMany (what `cafe predict`
//               runs) with decode-ahead (prefetch) and photo batches (one detector run + one model call per batch);
//               two rounds, configurations alternating, so the machine's load hits each alike
//   cli         `cafe predict <frames>` end to end in a child process (bin/cafe.js: needs `npm run build`; its own
//               photos/s, which excludes start-up, and the wall time including start-up and model load)
// Run: node --import tsx bench/predict-stages.ts [--model DIR] [--out bench/results/predict-stages] [--datasets DIR] [--no-cli] [--limit N] [--rounds N] [--threads N]
// (datasets: --datasets, else $CAFE_DATASETS, else ../shared/datasets beside the repository)
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { createBlazefaceNet, createFaceDetector, defaultBlazefacePath } from '../src/detect/blazeface.js';
import { createTfjsBlazefaceNet } from '../src/detect/blazeface-tfjs.js';
import { alignFace, DEFAULT_ALIGN_OPTIONS } from '../src/detect/align.js';
import { scaleMap, warpAffine, warpGeneral } from '../src/detect/warp.js';
import { createEncoder } from '../src/encoders/registry.js';
import { createRecognizer, PIPELINE_BATCH, pipelineThreads } from '../src/recognizer/recognizer.js';
import { decodeInput } from '../src/recognizer/decode.js';
import { loadExpressionModel } from '../src/recognizer/model.js';
import { defaultModelDir } from '../src/recognizer/shipped.js';
import { nodeRuntime } from '../src/runtime/node.js';
import { packageRoot } from '../src/util/package-root.js';
import { writeAtomic } from '../src/util/atomic.js';
import { args, opt, sfewFramesOrSkip } from './helpers/args.js';

const { root: ROOT, frames: FRAMES } = sfewFramesOrSkip();
const OUT = opt('out') ?? 'bench/results/predict-stages';
const frames = readdirSync(FRAMES).sort().flatMap((c) => readdirSync(join(FRAMES, c)).sort().filter((f) => f.endsWith('.jpg')).map((f) => join(FRAMES, c, f))).slice(0, Number(opt('limit') ?? Infinity));
const modelDir = resolve(opt('model') ?? defaultModelDir());
// Stages run with the threads `cafe predict` uses (half the cores) unless --threads says otherwise.
const THREADS = Number(opt('threads') ?? pipelineThreads());
const now = () => performance.now();

// ---- stages, each alone, per frame ----
const model = await loadExpressionModel(modelDir, { threads: THREADS }, nodeRuntime, createEncoder);
const align = { ...DEFAULT_ALIGN_OPTIONS, ...model.manifest.align };
const det = await createFaceDetector({}, nodeRuntime, THREADS);
const ortNet = await createBlazefaceNet(defaultBlazefacePath(nodeRuntime), nodeRuntime, THREADS);
const tfNet = await createTfjsBlazefaceNet(defaultBlazefacePath(nodeRuntime), nodeRuntime);
const stageNames = ['decode (sharp)', 'detect: window (axis-aligned warp)', 'detect: network (onnxruntime)', 'detect: whole (window + network + decoding, retry)', 'align', 'faceres + CAFE head (onnxruntime)', 'previous detect: window (per-tap warp)', 'previous detect: network (tfjs-wasm)'] as const;
const ms: Record<string, number> = Object.fromEntries(stageNames.map((s) => [s, 0]));
let faces = 0;
for (let k = -1; k < frames.length; k++) {
  const file = frames[Math.max(k, 0)];
  const add = (stage: (typeof stageNames)[number], t0: number) => k >= 0 && (ms[stage] += now() - t0);
  let t = now();
  const { image } = await decodeInput(file, 1920);
  add('decode (sharp)', t);
  const side = Math.max(image.width, image.height);
  const m = scaleMap(side / 256);
  t = now();
  const win = warpAffine(image, m, 256, 256, 'black');
  add('detect: window (axis-aligned warp)', t);
  t = now();
  await ortNet.run([win]);
  add('detect: network (onnxruntime)', t);
  t = now();
  warpGeneral(image, m, 256, 256, 'black', Math.min(3, Math.max(1, Math.ceil(side / 256 - 1e-6))));
  add('previous detect: window (per-tap warp)', t);
  t = now();
  await tfNet.run([win]);
  add('previous detect: network (tfjs-wasm)', t);
  t = now();
  const found = await det.detect(image);
  add('detect: whole (window + network + decoding, retry)', t);
  t = now();
  const crops = found.map((f) => alignFace(image, f, align).image);
  add('align', t);
  t = now();
  await model.predict(crops);
  add('faceres + CAFE head (onnxruntime)', t);
  if (k >= 0) faces += found.length;
}
await Promise.all([det.dispose(), ortNet.dispose(), tfNet.dispose(), model.dispose()]);
const per = (s: string) => ms[s] / frames.length;
const stages = stageNames.map((s) => ({ stage: s, msPerFrame: per(s) }));
const newTotal = per('decode (sharp)') + per('detect: whole (window + network + decoding, retry)') + per('align') + per('faceres + CAFE head (onnxruntime)');
const prevDetect = per('previous detect: window (per-tap warp)') + per('previous detect: network (tfjs-wasm)') + (per('detect: whole (window + network + decoding, retry)') - per('detect: window (axis-aligned warp)') - per('detect: network (onnxruntime)'));
const prevTotal = newTotal - per('detect: whole (window + network + decoding, retry)') + prevDetect;

// ---- pipelines ----
// All cores per onnxruntime session (createRecognizer's default) and the pipeline's half (cafe predict's default):
// on 2 cores, decoding (sharp's threads) and the JS stages then have a core of their own.
const ALL = availableParallelism();
const fer = await createRecognizer({ model: modelDir, threads: ALL });
await fer.recognize(frames[0]);
const fer1 = await createRecognizer({ model: modelDir, threads: pipelineThreads() });
await fer1.recognize(frames[0]);
const configs: Array<{ name: string; run: () => Promise<number> }> = [
  ...([false, true] as const).map((half) => ({
    name: `recognize() one photo at a time (no overlap), ${half ? pipelineThreads() : ALL} onnxruntime thread(s)`,
    run: async () => {
      let n = 0;
      for (const f of frames) n += (await (half ? fer1 : fer).recognize(f)).faces.length;
      return n;
    },
  })),
  ...([[1, 0, false], [1, 2, false], [4, 4, false], [1, 0, true], [1, 2, true], [2, 2, true], [4, 4, true], [8, 8, true]] as const).map(([batch, prefetch, half]) => ({
    name: `recognizeMany batch ${batch}, prefetch ${prefetch}, ${half ? pipelineThreads() : ALL} onnxruntime thread(s)${half && batch === PIPELINE_BATCH && prefetch === PIPELINE_BATCH ? ' (cafe predict)' : ''}`,
    run: async () => {
      let n = 0;
      for await (const o of (half ? fer1 : fer).recognizeMany(frames, { batch, prefetch })) n += o.result!.faces.length;
      return n;
    },
  })),
];
const ROUNDS = Number(opt('rounds') ?? 2);
const seconds = configs.map(() => 0);
const found = configs.map(() => 0);
for (let r = 0; r < ROUNDS; r++) {
  for (let i = 0; i < configs.length; i++) {
    const c = configs[(i + r) % configs.length];
    const j = configs.indexOf(c);
    const t0 = now();
    found[j] = await c.run();
    seconds[j] += (now() - t0) / 1000;
  }
}
await fer.dispose();
await fer1.dispose();
const pipelines = configs.map((c, i) => ({ name: c.name, photosPerSecond: (ROUNDS * frames.length) / seconds[i], faces: found[i] }));

// ---- the CLI, end to end ----
let cli: { photosPerSecond: number; wallSeconds: number; faces: number; command: string } | undefined;
const bin = join(packageRoot(), 'bin', 'cafe.js');
if (!args.includes('--no-cli') && existsSync(join(packageRoot(), 'dist', 'src', 'cli', 'main.js'))) {
  const cliArgs = ['predict', FRAMES, '--model', modelDir, '--quiet'];
  const t0 = now();
  const p = spawnSync(process.execPath, [bin, ...cliArgs], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const wall = (now() - t0) / 1000;
  const m = /(\d+) faces, .*\(([\d.]+) photos\/s\)/.exec(p.stderr);
  if (p.status !== 0 || !m) throw new Error(`cafe predict failed (${p.status}): ${p.stderr.slice(-2000)}`);
  cli = { photosPerSecond: Number(m[2]), wallSeconds: wall, faces: Number(m[1]), command: `cafe ${cliArgs.join(' ').replace(FRAMES, 'photos/sfew-frames').replace(modelDir, relativeModel())}` };
}
function relativeModel(): string {
  return modelDir.startsWith(packageRoot()) ? modelDir.slice(packageRoot().length + 1) : modelDir;
}

const command = `node --import tsx bench/predict-stages.ts${args.length ? ' ' + args.join(' ') : ''}`;
const commit = execSync('git rev-parse HEAD', { encoding: 'utf8' }).trim();
const dirty = execSync('git status --porcelain -- src bench/predict-stages.ts models', { encoding: 'utf8' }).trim() !== '';
const result = {
  command, commit, dirty, date: new Date().toISOString(), model: model.manifest.name, machine: `${cpus().length} x ${cpus()[0]?.model}`,
  loadAverage: loadavg().map((x) => Math.round(x * 100) / 100), frames: frames.length, faces, threads: THREADS, stages, totals: { msPerFrame: newTotal, previousMsPerFrame: prevTotal, previousDetectMsPerFrame: prevDetect }, pipelines, cli,
};
const f1 = (x: number) => x.toFixed(1);
const md = [
  '# cafe predict, stage by stage, on raw SFEW frames', '',
  `\`${command}\` at \`${commit}\`${dirty ? ' (uncommitted changes)' : ''}, ${result.date}, ${result.machine}, load average ${result.loadAverage.join(' ')} (a shared machine: absolute speeds are pessimistic; ratios within this run are the robust figures).`, '',
  `Model: **${result.model}**. ${frames.length} frames (720x576) from photos/sfew-frames, ${faces} faces found. Each stage timed alone per frame, warm, onnxruntime on ${THREADS} thread(s) per session; "previous" rows time the tfjs-wasm network and the per-tap window the detector used before, on the same windows.`, '',
  '| stage | ms per frame |', '|---|---:|',
  ...stages.map((s) => `| ${s.stage} | ${f1(s.msPerFrame)} |`),
  `| **total, one photo at a time** (decode + detect + align + faceres/head) | **${f1(newTotal)}** (${(1000 / newTotal).toFixed(1)} frames/s) |`,
  `| previous total (same, with the previous detect: ${f1(prevDetect)} ms) | ${f1(prevTotal)} (${(1000 / prevTotal).toFixed(1)} frames/s) |`, '',
  `Pipelines over the ${frames.length} frames, ${ROUNDS} rounds alternating (photos/s over both rounds):`, '',
  '| pipeline | photos/s | faces |', '|---|---:|---:|',
  ...pipelines.map((p) => `| ${p.name} | ${p.photosPerSecond.toFixed(2)} | ${p.faces} |`), '',
  ...(cli ? [`\`${cli.command}\` in a child process: **${cli.photosPerSecond.toFixed(2)} photos/s** as it reports (after start-up), ${cli.faces} faces; ${f1(cli.wallSeconds)} s wall including start-up and model load (${(frames.length / cli.wallSeconds).toFixed(2)} photos/s).`, ''] : []),
].join('\n');
for (const [ext, text] of [['json', JSON.stringify(result, null, 2) + '\n'], ['md', md]] as const) writeAtomic(`${OUT}.${ext}`, text);
console.log(md);
