// Encoder throughput: cafe's encoders next to the bare runtime doing the same inference, in the same process,
// interleaved round by round so that load from other processes hits both alike. Also: end-to-end from uint8
// images (preprocessing included) and the tfjs-wasm backend on the original faceres graph (why we convert to ONNX).
// Run: node --import tsx bench/encoders.ts [--rounds N] [--batch N] [--no-tfjs]
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { createFaceres, defaultFaceresPath, faceresOnnx, FACERES_OUTPUT } from '../src/encoders/faceres.js';
import { createClip } from '../src/encoders/clip.js';
import { preprocessImage } from '../src/encoders/preprocess.js';
import { loadTfjsGraph } from '../src/encoders/tfjs-graph.js';
import { nodeRuntime } from '../src/runtime/node.js';
import type { Encoder, RgbImage } from '../src/encoders/types.js';
import { writeTinyClip } from '../test/encoders/tiny-clip.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const ROUNDS = opt('rounds', 5);
const BATCH = opt('batch', 32);
const N = BATCH * 2; // images per timed call: two runtime batches
const threads = availableParallelism();

/** Synthetic 48 x 48 gray faces (FER-sized); pixel content does not change the cost of these models. */
function images(n: number): RgbImage[] {
  return Array.from({ length: n }, (_, k) => ({
    width: 48,
    height: 48,
    channels: 1 as const,
    data: Uint8Array.from({ length: 48 * 48 }, (_, i) => (i * 7 + k * 31 + ((i / 48) | 0) * 5) % 256),
  }));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Row {
  model: string;
  what: string;
  imagesPerSecond: number;
  rounds: number[];
}

/** Same options as createOnnxEncoder's session. */
const sessionOptions: ort.InferenceSession.SessionOptions = { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential' };

async function compare(model: string, enc: Encoder, bare: ort.InferenceSession, inputName: string, outputName: string): Promise<Row[]> {
  const S = enc.preprocess.size;
  const per = 3 * S * S;
  const imgs = images(N);
  const pre = new Float32Array(N * per); // [N, 3, S, S]
  imgs.forEach((im, i) => preprocessImage(im, enc.preprocess, pre, i * per));
  const bareRun = async () => {
    for (let s = 0; s < N; s += BATCH) {
      const r = await bare.run({ [inputName]: new ort.Tensor('float32', pre.subarray(s * per, (s + BATCH) * per), [BATCH, 3, S, S]) }, [outputName]);
      r[outputName].dispose();
    }
  };
  const wrapped = async () => void (await enc.encode({ kind: 'preprocessed', n: N, data: pre }));
  const endToEnd = async () => void (await enc.encode(imgs));
  await bareRun(); // warm-up (first runs allocate arenas)
  await wrapped();
  const times: Record<string, number[]> = { bare: [], wrapped: [], e2e: [] };
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate which of the pair goes first, so a load spike does not always hit the same one.
    const order = r % 2 ? ([['wrapped', wrapped], ['bare', bareRun], ['e2e', endToEnd]] as const) : ([['bare', bareRun], ['wrapped', wrapped], ['e2e', endToEnd]] as const);
    for (const [k, fn] of order) {
      const t = performance.now();
      await fn();
      times[k].push(N / ((performance.now() - t) / 1000));
    }
  }
  return [
    { model, what: 'bare onnxruntime session.run, preprocessed [N,3,S,S]', imagesPerSecond: median(times.bare), rounds: times.bare },
    { model, what: 'cafe encoder.encode(preprocessed batch)', imagesPerSecond: median(times.wrapped), rounds: times.wrapped },
    { model, what: 'cafe encoder.encode(uint8 48x48 images), preprocessing included', imagesPerSecond: median(times.e2e), rounds: times.e2e },
  ];
}

async function tfjsWasm(): Promise<Row | undefined> {
  const tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) return undefined;
  await tf.ready();
  const path = defaultFaceresPath(nodeRuntime);
  const json = JSON.parse(readFileSync(path, 'utf8'));
  const bin = readFileSync(path.replace(/\.json$/, '.bin'));
  const model = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length) }));
  const n = 8;
  const x = tf.randomUniform([n, 224, 224, 3], 0, 255);
  const run = async () => {
    const y = model.execute(x, FACERES_OUTPUT) as import('@tensorflow/tfjs').Tensor;
    await y.data();
    y.dispose();
  };
  await run();
  const rounds: number[] = [];
  for (let r = 0; r < Math.min(ROUNDS, 3); r++) {
    const t = performance.now();
    await run();
    rounds.push(n / ((performance.now() - t) / 1000));
  }
  return { model: 'faceres', what: `tfjs ${tf.version.tfjs} wasm backend, original graph (reference)`, imagesPerSecond: median(rounds), rounds };
}

async function main() {
  const rows: Row[] = [];
  const commit = execSync('git rev-parse HEAD', { encoding: 'utf8' }).trim();
  const command = `node --import tsx bench/encoders.ts ${args.join(' ')}`.trim();

  // faceres: the bare session gets the same converted model bytes the encoder builds.
  const faceres = await createFaceres({ batchSize: BATCH }, nodeRuntime);
  const onnx = faceresOnnx(await loadTfjsGraph(nodeRuntime, defaultFaceresPath(nodeRuntime)));
  const bareFaceres = await ort.InferenceSession.create(onnx, sessionOptions);
  rows.push(...(await compare('faceres', faceres, bareFaceres, 'pixel_values', 'features')));
  await faceres.dispose();
  await bareFaceres.release();

  // Tiny CLIP stand-in (generated, same names as the HF export), loaded through the real clip-vit-b32 loader.
  const dir = mkdtempSync(join(tmpdir(), 'cafe-bench-clip-'));
  try {
    writeTinyClip(dir, { width: 64 });
    const clip = await createClip({ dir, batchSize: BATCH });
    const bareClip = await ort.InferenceSession.create(join(dir, 'onnx', 'vision_model.onnx'), sessionOptions);
    rows.push(...(await compare('tiny CLIP stand-in', clip, bareClip, 'pixel_values', 'image_embeds')));
    await clip.dispose();
    await bareClip.release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  if (!args.includes('--no-tfjs')) {
    const r = await tfjsWasm().catch((err) => (console.error(`tfjs-wasm skipped: ${err.message}`), undefined));
    if (r) rows.push(r);
  }

  // Median of the per-round ratios: each round's pair ran back to back, under the same outside load.
  const ratio = (model: string) => {
    const bare = rows.find((r) => r.model === model && r.what.startsWith('bare'))!.rounds;
    const wrapped = rows.find((r) => r.model === model && r.what.startsWith('cafe encoder.encode(preprocessed'))!.rounds;
    return median(wrapped.map((w, i) => w / bare[i]));
  };
  const result = {
    command,
    commit,
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model, cores: threads, node: process.version, onnxruntime: ort.env.versions?.common ?? 'unknown' },
    batch: BATCH,
    imagesPerCall: N,
    rounds: ROUNDS,
    rows,
    ratios: { faceres: ratio('faceres'), tinyClip: ratio('tiny CLIP stand-in') },
  };
  const md = [
    '# Encoder throughput',
    '',
    `${result.machine.cpu}, ${threads} cores, Node ${process.version}. Batch ${BATCH}, ${N} images per timed call, median of ${ROUNDS} interleaved rounds.`,
    'Other processes share this machine, so absolute numbers move between runs; the bare/wrapped pairs are interleaved, so their ratio holds.',
    '',
    '| model | what | images/s |',
    '|---|---|---:|',
    ...rows.map((r) => `| ${r.model} | ${r.what} | ${r.imagesPerSecond.toFixed(1)} |`),
    '',
    `cafe encoder / bare runtime (median of per-round ratios): faceres ${result.ratios.faceres.toFixed(3)}x, tiny CLIP ${result.ratios.tinyClip.toFixed(3)}x (target >= 0.9x).`,
    '',
    `Command: \`${command}\`  `,
    `Commit: \`${commit}\`, ${result.date}`,
    '',
  ].join('\n');
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/encoders.json', JSON.stringify(result, null, 2) + '\n');
  writeFileSync('bench/results/encoders.md', md);
  console.log(md);
}

await main();
