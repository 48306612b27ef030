// `cafe export`: a training run folder (resolved config + safetensors weights) -> a model folder (model.json +
// head.onnx) that onnxruntime-node/web load without libtorch. Parity of what was written is measured here: fp16
// against fp32 on random inputs always, and ONNX against the training core in test/export/parity.test.ts.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import * as ort from 'onnxruntime-node';
import { fileError, invalidParameter } from '../errors.js';
import { EXPRESSIONS } from '../labels.js';
import { encodeOnnxModel } from '../encoders/onnx-writer.js';
import { CAFE_PRESET, FACERES_PRESET } from '../encoders/preprocess.js';
import { defaultFaceresPath, FACERES_BANDS_DIM, FACERES_DIM, faceresOnnx } from '../encoders/faceres.js';
import { FACEMESH_DIM } from '../encoders/facemesh.js';
import { CENTERNET_BANDS_DIM } from '../encoders/centernet.js';
import { HOG_DIM } from '../encoders/hog.js';
import { CLIP_DIM } from '../encoders/clip.js';
import { loadTfjsGraph } from '../encoders/tfjs-graph.js';
import { nodeRuntime } from '../runtime/node.js';
import type { PreprocessConfig } from '../encoders/types.js';
import { GRAY_DATASETS, grayDataset } from '../data/gray.js';
import { ALIGN_FRAMES, alignFrameName, DEFAULT_ALIGN_OPTIONS, isAlignSize, type AlignFrameName } from '../detect/align.js';
import { buildHeadGraph, DEFAULT_HEAD_MODEL, type HeadModelConfig } from './cafe-onnx.js';
import { MANIFEST_FILE, MANIFEST_FORMAT, parityInputs, type CafeManifest, type Tta } from './manifest.js';
import { readSafetensorsPlain, type PlainTensor } from './safetensors-read.js';
import { writeAtomic } from '../util/atomic.js';

export interface ExportOptions {
  /** Store weights as float16. Default: only when the float32 file would exceed FP16_ABOVE_BYTES (a ResNet-18 head
   *  is ~45 MB in fp32, ~22 MB in fp16; a probe is a few KB and gains nothing from rounding). */
  fp16?: boolean;
  /** Model name in model.json; default 'cafe-<encoder>' + the run folder's name. */
  name?: string;
  /** Also write the encoder as encoder.onnx (+ encoder.preprocess.json), so the folder is self-contained (e.g. for
   *  onnxruntime-web, which cannot read human's tfjs files). Only for encoders converted in memory ('faceres').
   *  Default false: faceres adds 13 MB, over the repo's 25 MB budget next to an fp16 ResNet-18 head. */
  withEncoder?: boolean;
  /** Test-time augmentation recorded in model.json as the model's default (what its measured numbers use). */
  tta?: Tta;
  /** Weights file inside the run; default: best*.safetensors, else model*.safetensors, else the last one by name. */
  weights?: string;
  /** Side of the aligned crop cut from photos (model.json align.size); default the gray source's size (FER+: 48), else
   *  DEFAULT_ALIGN_OPTIONS.size. */
  alignSize?: number;
  /** Canonical face frame for photos (model.json align: eye height, inter-ocular distance, aspect), a name of
   *  ALIGN_FRAMES; default 'ferplus' (square). 'sfew' frames faces as SFEW's official 143 x 181 crops. */
  alignFrame?: AlignFrameName;
  /** Further frames (names of ALIGN_FRAMES, other than alignFrame) each detected face is also cut in at test time,
   *  its logits averaged over all (model.json ttaFrames). Default none. */
  ttaFrames?: AlignFrameName[];
}


function pickWeights(run: string, wanted?: string): string {
  if (wanted) return resolve(run, wanted);
  // Never checkpoint.safetensors: it holds optimizer state under 'model.' prefixes.
  const all = existsSync(run) ? readdirSync(run).filter((f) => f.endsWith('.safetensors') && !f.startsWith('checkpoint')).sort() : [];
  const pick = all.find((f) => f.startsWith('best')) ?? all.find((f) => f.startsWith('final')) ?? all[all.length - 1];
  if (!pick) throw fileError(run, 'no .safetensors weights in this run folder');
  return join(run, pick);
}

function readConfig(run: string): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  for (const f of ['config.json', 'resolved-config.json', 'run.json']) {
    const p = join(run, f);
    if (existsSync(p)) {
      try {
        return JSON.parse(readFileSync(p, 'utf8'));
      } catch (err) {
        throw fileError(p, `invalid JSON (${(err as Error).message})`);
      }
    }
  }
  return {};
}

/** First defined value among dotted paths of the config (training configs name things differently over time). */
function lookup<T>(cfg: Record<string, unknown>, paths: string[], fallback: T): T {
  for (const p of paths) {
    let v: unknown = cfg;
    for (const k of p.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    if (v !== undefined && v !== null) return v as T;
  }
  return fallback;
}

/** Runs an exported head on one batch: feeds whichever of image [n, 3, S, S] and features [n, D] the graph declares
 *  (buildHeadGraph declares exactly what the model kind reads); returns logits [n, classes]. */
export async function runHead(session: ort.InferenceSession, image: Float32Array, features: Float32Array, n: number, S: number, D: number): Promise<Float32Array> {
  const feeds: Record<string, ort.Tensor> = {};
  if (session.inputNames.includes('image')) feeds.image = new ort.Tensor('float32', image, [n, 3, S, S]);
  if (session.inputNames.includes('features')) feeds.features = new ort.Tensor('float32', features, [n, D]);
  return (await session.run(feeds)).logits.data as Float32Array;
}

/** Largest |a[i] - b[i]|: the parity measure of every export check. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function logits(onnx: Uint8Array, image: Float32Array, features: Float32Array, n: number, S: number, D: number): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(onnx);
  try {
    return await runHead(s, image, features, n, S, D);
  } finally {
    await s.release();
  }
}

function gitHead(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** Logits of the run's weights in the training core (libtorch) on parityInputs(seed); undefined without libtorch. */
async function trainingCoreReference(cfg: Record<string, any>, weightsPath: string, m: HeadModelConfig, S: number, D: number): Promise<CafeManifest['reference']> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const torch = await import('../torch/index.js');
  if (!torch.nativeAvailable() || !cfg.model) return undefined;
  const { CafeModel } = await import('../cafe/model.js');
  const seed = 20241114;
  const n = 2;
  const model = new CafeModel({ ...cfg.model, ...m }, D);
  try {
    const st = torch.loadSafetensors(weightsPath);
    model.loadStateDict(st.tensors, { source: weightsPath });
    for (const t of st.tensors.values()) t.dispose();
    model.eval();
    const { image, features } = parityInputs(seed, n, S, D);
    const out = torch.tidy(() => torch.noGrad(() => {
      const x = model.usesImage ? torch.tensor(image, [n, 3, S, S]) : undefined;
      const f = model.usesFeature ? torch.tensor(features, [n, D]) : undefined;
      return Array.from(model.forward(x, f).logits.data<'float32'>() as Float32Array);
    }));
    return { seed, n, logits: out };
  } finally {
    model.dispose();
  }
}

export interface ExportResult {
  manifest: CafeManifest;
  outDir: string;
  bytes: number;
}

/** Encoder feature width without opening a session (needed when no weight reveals it, e.g. dimMatch 'pool'). */
const ENCODER_DIMS: Record<string, number> = { faceres: FACERES_DIM, 'faceres-bands': FACERES_BANDS_DIM, facemesh: FACEMESH_DIM, 'centernet-bands': CENTERNET_BANDS_DIM, hog: HOG_DIM, 'clip-vit-b32': CLIP_DIM };

/** Width of a registry spec, fused ones ('faceres+facemesh') included; undefined when a part's width is unknown. */
function knownDim(encoder: string): number | undefined {
  const parts = encoder.split('+').map((p) => ENCODER_DIMS[p.split(':')[0]]);
  return parts.every((d) => d !== undefined) ? parts.reduce((a, b) => a + b, 0) : undefined;
}

function featureDim(w: Map<string, PlainTensor>, m: HeadModelConfig, encoder: string): number {
  const proj = w.get('proj.weight');
  const fcIn = w.get('fc.weight')?.shape[1];
  const hiddenIn = w.get('hidden.weight')?.shape[1];
  if (m.kind === 'probe' && hiddenIn) return hiddenIn;
  if (m.kind === 'probe' && fcIn) return fcIn;
  if (m.kind === 'cafe' && proj) return m.dimMatch === 'projectF' ? proj.shape[1] : proj.shape[0];
  const known = knownDim(encoder);
  if (known) return known;
  if (m.kind === 'cafe' && m.dimMatch !== 'pool' && fcIn) return fcIn; // D === d: no projection
  throw invalidParameter('encoder', `one of ${Object.keys(ENCODER_DIMS).join(', ')} (cannot tell the feature width of '${encoder}')`, encoder);
}

/** Above this size (the repo's 25 MB budget for shipped models, with room for model.json) fp16 is the default. */
export const FP16_ABOVE_BYTES = 20e6;

export async function exportRun(run: string, outDir: string, opts: ExportOptions = {}): Promise<ExportResult> {
  const frame = alignFrameName(opts.alignFrame ?? 'ferplus', 'alignFrame');
  if (opts.alignSize !== undefined && !isAlignSize(opts.alignSize)) throw invalidParameter('alignSize', 'an integer from 16 to 1024 (px)', opts.alignSize);
  const ttaFrames = (opts.ttaFrames ?? []).map((f) => alignFrameName(f, 'ttaFrames'));
  // The model's own frame is always scored: listing it again (or twice) would only weight it more.
  if (ttaFrames.includes(frame) || new Set(ttaFrames).size !== ttaFrames.length) throw invalidParameter('ttaFrames', `frames other than the align frame '${frame}', each once`, ttaFrames.join(','));
  const cfg = readConfig(run);
  const weightsPath = pickWeights(run, opts.weights);
  const { tensors, metadata } = readSafetensorsPlain(weightsPath);
  const model: HeadModelConfig = { ...DEFAULT_HEAD_MODEL, ...(cfg.model ?? {}) };
  const encoder = lookup<string>(cfg, ['encoder.name', 'encoder'], 'faceres');
  const size = lookup<number>(cfg, ['data.imageSize'], 224);
  const D = featureDim(tensors, model, encoder);
  // Several sources (data.train as a list): gray when any source is gray (FER+ is most of what the mask CNN saw).
  const trainSpecs = [lookup<string | string[]>(cfg, ['data.train'], '')].flat();
  const gray = trainSpecs.map(grayDataset).find((g) => g !== undefined);
  // The trainer feeds the mask CNN dataset images resized (sharp, linear) to imageSize, ImageNet-normalised.
  const pre: PreprocessConfig = { ...CAFE_PRESET, size };
  const graph = (half: boolean) => encodeOnnxModel(buildHeadGraph(tensors, model, { imageSize: size, featureDim: D, fp16: half }));
  const full = graph(false);
  const fp16 = opts.fp16 ?? full.byteLength > FP16_ABOVE_BYTES;
  const onnx = fp16 ? graph(true) : full;

  // fp16 vs fp32 on seeded inputs in the value ranges the models see.
  const n = 4;
  const { image, features } = parityInputs(7, n, size, D);
  const parity: Record<string, number> = {};
  const a = await logits(full, image, features, n, size, D);
  if (fp16) {
    const b = await logits(onnx, image, features, n, size, D);
    parity.fp16VsFp32 = maxAbsDiff(a, b);
  }

  // Training core vs the exported file on seeded inputs, when libtorch is here; the reference logits are kept in the
  // manifest so the shipped head can be checked anywhere (test/export/shipped.test.ts).
  const reference = await trainingCoreReference(cfg, weightsPath, model, size, D);
  if (reference) {
    const { image: ri, features: rf } = parityInputs(reference.seed, reference.n, size, D);
    parity.trainingCoreVsExported = maxAbsDiff(await logits(onnx, ri, rf, reference.n, size, D), reference.logits);
  }

  mkdirSync(outDir, { recursive: true });
  const name = opts.name ?? `cafe-${encoder}-${resolve(run).split(/[\\/]/).pop()}`;
  const manifest: CafeManifest = {
    format: MANIFEST_FORMAT,
    kind: 'cafe',
    name,
    classes: [...EXPRESSIONS],
    encoder,
    featureDim: D,
    head: 'head.onnx',
    maskPreprocess: pre,
    precision: fp16 ? 'fp16' : 'fp32',
    align: { ...DEFAULT_ALIGN_OPTIONS, ...(gray ? { size: GRAY_DATASETS[gray] } : {}), ...(opts.alignSize ? { size: opts.alignSize } : {}), ...ALIGN_FRAMES[frame] },
    // Gray when a source was gray, or when the probe read its colour sources as gray (cafe probe --gray).
    colour: gray || metadata.colour === 'gray' ? 'gray' : 'rgb',
    ...(opts.tta && opts.tta !== 'none' ? { tta: opts.tta } : {}),
    ...(ttaFrames.length ? { ttaFrames: ttaFrames.map((f) => ({ ...ALIGN_FRAMES[f] })) } : {}),
    parity,
    ...(reference ? { reference } : {}),
    source: { run, weights: weightsPath, model, commit: gitHead(), exportedAt: new Date().toISOString(), trainingConfig: cfg, metadata },
  };
  if (opts.withEncoder) {
    if (encoder !== 'faceres') throw invalidParameter('withEncoder', "the 'faceres' encoder (others already are ONNX files)", encoder);
    const enc = faceresOnnx(await loadTfjsGraph(nodeRuntime, defaultFaceresPath(nodeRuntime)));
    writeAtomic(join(outDir, 'encoder.onnx'), enc);
    writeAtomic(join(outDir, 'encoder.preprocess.json'), JSON.stringify(FACERES_PRESET, null, 2) + '\n');
    manifest.encoderFile = 'encoder.onnx';
  }
  writeAtomic(join(outDir, 'head.onnx'), onnx);
  writeAtomic(join(outDir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  return { manifest, outDir, bytes: onnx.byteLength };
}
