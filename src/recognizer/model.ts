// A model folder (model.json + files) -> something that scores aligned face crops. Two kinds: a CAFE head over a
// frozen encoder (onnxruntime), or the stand-in (human's emotion net, used until a trained CAFE model ships). The
// folder is a path in Node and a URL in the browser: everything is read through the Runtime.
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { CafeError, fileError, invalidParameter } from '../errors.js';
import { NUM_CLASSES } from '../labels.js';
import { flipImage, preprocessImage, toGray } from '../encoders/preprocess.js';
import type { Encoder, EncoderFactory, RgbImage } from '../encoders/types.js';
import { loadManifest, TTAS, type CafeManifest, type Tta } from '../export/manifest.js';
import { createHumanEmotion, type CropClassifier } from '../peers/human-emotion.js';
import type { Runtime } from '../runtime/types.js';

export interface ExpressionModel {
  manifest: CafeManifest;
  /** Directory it was loaded from. */
  dir: string;
  /** Probabilities (softmax, EXPRESSIONS order) per crop; `tta` overrides the model's test-time augmentation. */
  predict(crops: RgbImage[], opts?: { tta?: Tta }): Promise<Float32Array[]>;
  /** The test-time augmentation predict() uses when not told (options, else model.json, else 'none'). */
  readonly tta: Tta;
  dispose(): Promise<void>;
}

export function softmaxRows(logits: Float32Array, n: number, k = NUM_CLASSES): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const row = logits.subarray(i * k, i * k + k);
    const m = Math.max(...row);
    const e = Float32Array.from(row, (v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    out.push(e.map((v) => v / s));
  }
  return out;
}

export interface ModelOptions {
  /** onnxruntime intra-op threads; default: onnxruntime's choice (all cores). */
  threads?: number;
  /** Test-time augmentation: 'flip' averages the logits of each crop and its mirror (twice the model time), 'none'
   *  scores the crop alone. Default: the model's own (model.json "tta"), else 'none'. */
  tta?: Tta;
}

/** Averages the logits of rows i and n + i (a crop and its mirror): [2n, K] -> [n, K]. */
export function averageMirrored(logits: Float32Array, n: number, k = NUM_CLASSES): Float32Array {
  const out = new Float32Array(n * k);
  for (let i = 0; i < n * k; i++) out[i] = (logits[i] + logits[n * k + i]) / 2;
  return out;
}

/** One probability row from several views of the same face (rows of predict()): softmax of their mean
 *  log-probabilities, which equals the softmax of their mean logits (each row's log-sum-exp is a constant shift). */
export function combineViews(rows: Float32Array[]): Float32Array {
  if (rows.length === 1) return rows[0];
  const z = new Float64Array(rows[0].length);
  for (const r of rows) for (let c = 0; c < z.length; c++) z[c] += Math.log(Math.max(r[c], 1e-30)) / rows.length;
  const m = Math.max(...z);
  const e = Float32Array.from(z, (v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** Loads a model folder (a path in Node, a URL in the browser); `encoders` creates the frozen encoder a CAFE head
 *  reads (Node: createEncoder from src/encoders; the browser: webEncoders from src/browser/encoder.ts). */
export async function loadExpressionModel(dir: string, opts: ModelOptions, runtime: Runtime, encoders: EncoderFactory): Promise<ExpressionModel> {
  const { ort } = runtime;
  const manifest = await loadManifest(runtime, dir);
  if (opts.tta !== undefined && !TTAS.includes(opts.tta)) throw invalidParameter('tta', TTAS.map((t) => `'${t}'`).join(' or '), opts.tta);
  const tta: Tta = opts.tta ?? manifest.tta ?? 'none';
  if (manifest.kind === 'human-emotion') {
    const net: CropClassifier = await createHumanEmotion(runtime);
    // The stand-in has no logits to average: its crops are scored alone whatever tta says.
    return { manifest, dir, tta: 'none', predict: (crops) => net.predict(crops), dispose: async () => net.dispose() };
  }
  const headPath = runtime.join(dir, manifest.head!);
  const headBytes = await runtime.read(headPath);
  let head: InferenceSession;
  try {
    head = await ort.InferenceSession.create(headBytes, { graphOptimizationLevel: 'all', ...(opts.threads ? { intraOpNumThreads: opts.threads } : {}) });
  } catch (err) {
    throw fileError(headPath, `onnxruntime cannot load the head (${(err as Error).message.split('\n')[0]})`);
  }
  const needsFeatures = head.inputNames.includes('features');
  const needsImage = head.inputNames.includes('image');
  // A 'baseline' export reads no encoder feature: do not pay for an encoder session then.
  const encoder: Encoder | undefined = needsFeatures ? await encoders(manifest.encoderFile ? `onnx:${runtime.join(dir, manifest.encoderFile)}` : manifest.encoder!, { threads: opts.threads }) : undefined;
  if (encoder && encoder.dim !== manifest.featureDim) {
    await head.release();
    await encoder.dispose();
    throw new CafeError(`${dir}: encoder '${manifest.encoder}' gives ${encoder.dim} features, the head reads ${manifest.featureDim}`);
  }
  const pre = manifest.maskPreprocess!;
  const per = 3 * pre.size * pre.size;
  return {
    manifest,
    dir,
    tta,
    async predict(crops, popts = {}) {
      const mode = popts.tta ?? tta;
      if (!TTAS.includes(mode)) throw invalidParameter('tta', TTAS.map((t) => `'${t}'`).join(' or '), mode);
      const n0 = crops.length;
      if (n0 === 0) return [];
      if (manifest.colour === 'gray') crops = crops.map(toGray);
      // Mirrors after the crops: one encoder and one head call over [2n] rows.
      if (mode === 'flip') crops = [...crops, ...crops.map(flipImage)];
      const n = crops.length;
      const feeds: Record<string, Tensor> = {};
      if (encoder) feeds.features = new ort.Tensor('float32', await encoder.encode(crops), [n, encoder.dim]);
      if (needsImage) {
        const image = new Float32Array(n * per);
        crops.forEach((c, i) => preprocessImage(c, pre, image, i * per));
        feeds.image = new ort.Tensor('float32', image, [n, 3, pre.size, pre.size]);
      }
      const out = await head.run(feeds);
      const logits = out.logits.data as Float32Array;
      return softmaxRows(mode === 'flip' ? averageMirrored(logits, n0) : logits, n0);
    },
    async dispose() {
      await head.release();
      await encoder?.dispose();
    },
  };
}
