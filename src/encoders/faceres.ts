// faceres (HSE-FaceRes, a MobileNet-v1 face descriptor from @vladmandic/human): the default encoder, offline.
// Feature = node 'global_pooling/Mean', 1024-d, before the age/gender heads. The tfjs graph is converted to ONNX in
// memory (~0.6 s) because onnxruntime runs it ~13x faster than tfjs-wasm here (bench/results/encoders.md).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { encodeOnnxModel } from './onnx-writer.js';
import { createOnnxEncoder } from './onnx-encoder.js';
import { FACERES_PRESET, loadPreprocess } from './preprocess.js';
import { readTfjsGraph } from './tfjs-graph.js';
import { tfjsToOnnx } from './tfjs-to-onnx.js';
import { hashFiles, missingModel } from './weights.js';
import type { Encoder, EncoderOptions } from './types.js';

export const FACERES_DIM = 1024;
export const FACERES_OUTPUT = 'global_pooling/Mean';

/** faceres.json inside the installed @vladmandic/human package. */
export function defaultFaceresPath(): string {
  try {
    const req = createRequire(import.meta.url);
    return join(dirname(req.resolve('@vladmandic/human/package.json')), 'models', 'faceres.json');
  } catch {
    return join('node_modules', '@vladmandic', 'human', 'models', 'faceres.json');
  }
}

export interface FaceresOptions extends EncoderOptions {
  /** model.json of the tfjs graph (default: the one shipped in @vladmandic/human). */
  modelPath?: string;
}

/**
 * Preprocessing: `<model>.preprocess.json` beside the weights when present, else FACERES_PRESET, which is what
 * human does (src/face/faceres.ts: resizeBilinear of a 0..1 crop to 224 x 224, then x 255: the graph reads 0..255,
 * no mean/std; its first Conv reads input_1 directly).
 */
export async function createFaceres(opts: FaceresOptions = {}): Promise<Encoder> {
  const modelPath = opts.modelPath ?? defaultFaceresPath();
  if (!existsSync(modelPath)) {
    throw missingModel('faceres model (faceres.json + faceres.bin)', modelPath, 'npm install @vladmandic/human (it ships models/faceres.json and faceres.bin)');
  }
  const binPath = modelPath.replace(/\.json$/, '.bin');
  if (!existsSync(binPath)) throw missingModel('faceres weights', binPath, 'the faceres.bin shipped beside faceres.json in @vladmandic/human/models');
  const sidecar = modelPath.replace(/\.json$/, '.preprocess.json');
  const preprocess = opts.preprocess ?? (existsSync(sidecar) ? loadPreprocess(sidecar) : { ...FACERES_PRESET });
  const graph = readTfjsGraph(modelPath);
  const onnx = encodeOnnxModel(tfjsToOnnx(graph, { output: FACERES_OUTPUT, inputName: 'pixel_values', outputName: 'features' }));
  return createOnnxEncoder(
    {
      name: 'faceres',
      model: onnx,
      source: modelPath,
      weightsHash: await hashFiles([modelPath, binPath]),
      preprocess,
      dim: FACERES_DIM,
    },
    opts,
  );
}
