// A model folder (model.json + files) -> something that scores aligned face crops. Two kinds: a CAFE head over a
// frozen encoder (onnxruntime), or the stand-in (human's emotion net, used until a trained CAFE model ships).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { CafeError, fileError } from '../errors.js';
import { NUM_CLASSES } from '../labels.js';
import { createEncoder } from '../encoders/registry.js';
import { preprocessImage } from '../encoders/preprocess.js';
import type { Encoder, RgbImage } from '../encoders/types.js';
import { readManifest, type CafeManifest } from '../export/manifest.js';
import { createHumanEmotion, type CropClassifier } from '../peers/human-emotion.js';

export interface ExpressionModel {
  manifest: CafeManifest;
  /** Directory it was loaded from. */
  dir: string;
  /** Probabilities (softmax, EXPRESSIONS order) per crop. */
  predict(crops: RgbImage[]): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}

/** The package root (where package.json is), from src/recognizer or dist/src/recognizer. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Shipped models, best first: the trained CAFE model when present, else the clearly-labelled stand-in. */
export const SHIPPED_MODELS = ['cafe-ferplus', 'standin-human-emotion'];

export function defaultModelDir(): string {
  const root = join(packageRoot(), 'models');
  for (const m of SHIPPED_MODELS) if (existsSync(join(root, m, 'model.json'))) return join(root, m);
  throw fileError(root, `no shipped model (${SHIPPED_MODELS.join(', ')}); reinstall cafe-fer or pass --model DIR`);
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

/** Luma (ITU-R 601) repeated on 3 channels: what a grayscale training set (FER+) looked like to the model. */
export function toGray(img: RgbImage): RgbImage {
  const n = img.width * img.height;
  const C = img.channels;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const g = C >= 3 ? Math.round(0.299 * img.data[i * C] + 0.587 * img.data[i * C + 1] + 0.114 * img.data[i * C + 2]) : img.data[i * C];
    out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = g;
  }
  return { width: img.width, height: img.height, channels: 3, data: out };
}

export interface ModelOptions {
  /** onnxruntime intra-op threads; default: onnxruntime's choice (all cores). */
  threads?: number;
}

export async function loadExpressionModel(dir: string = defaultModelDir(), opts: ModelOptions = {}): Promise<ExpressionModel> {
  dir = resolve(dir);
  const manifest = readManifest(dir);
  if (manifest.kind === 'human-emotion') {
    const net: CropClassifier = await createHumanEmotion();
    return { manifest, dir, predict: (crops) => net.predict(crops), dispose: async () => net.dispose() };
  }
  const headPath = join(dir, manifest.head!);
  let head: ort.InferenceSession;
  try {
    head = await ort.InferenceSession.create(readFileSync(headPath), { graphOptimizationLevel: 'all', ...(opts.threads ? { intraOpNumThreads: opts.threads } : {}) });
  } catch (err) {
    throw fileError(headPath, `onnxruntime cannot load the head (${(err as Error).message.split('\n')[0]})`);
  }
  const needsFeatures = head.inputNames.includes('features');
  const needsImage = head.inputNames.includes('image');
  // A 'baseline' export reads no encoder feature: do not pay for an encoder session then.
  const encoder: Encoder | undefined = needsFeatures ? await createEncoder(manifest.encoderFile ? `onnx:${join(dir, manifest.encoderFile)}` : manifest.encoder!, { threads: opts.threads }) : undefined;
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
    async predict(crops) {
      const n = crops.length;
      if (n === 0) return [];
      if (manifest.colour === 'gray') crops = crops.map(toGray);
      const feeds: Record<string, ort.Tensor> = {};
      if (encoder) feeds.features = new ort.Tensor('float32', await encoder.encode(crops), [n, encoder.dim]);
      if (needsImage) {
        const image = new Float32Array(n * per);
        crops.forEach((c, i) => preprocessImage(c, pre, image, i * per));
        feeds.image = new ort.Tensor('float32', image, [n, 3, pre.size, pre.size]);
      }
      const out = await head.run(feeds);
      const logits = out.logits.data as Float32Array;
      return softmaxRows(logits, n);
    },
    async dispose() {
      await head.release();
      await encoder?.dispose();
    },
  };
}
