// faceres (HSE-FaceRes, a MobileNet-v1 face descriptor from @vladmandic/human): the default encoder, offline.
// Feature = node 'global_pooling/Mean', 1024-d, before the age/gender heads. The tfjs graph is converted to ONNX in
// memory (~0.6 s) because onnxruntime runs it ~13x faster than tfjs-wasm here (bench/results/encoders.md). Works in
// Node and the browser alike: files come through the Runtime.
import { readJson, type Runtime } from '../runtime/types.js';
import { encodeOnnxModel } from './onnx-writer.js';
import { createOnnxEncoder } from './onnx-encoder.js';
import { FACERES_PRESET, validatePreprocess } from './preprocess.js';
import { loadHumanGraph, type TfjsGraph } from './tfjs-graph.js';
import { tfjsToOnnx } from './tfjs-to-onnx.js';
import { appendBandPooling, BAND_EDGES_14 } from './bands.js';
import type { Encoder, EncoderOptions } from './types.js';

export const FACERES_DIM = 1024;
export const FACERES_OUTPUT = 'global_pooling/Mean';
/** The last 14 x 14 map of the MobileNet (after conv_pw_11's relu6), [N, 512, 14, 14]: what faceres-bands pools. */
export const FACERES_MID = 'conv_pw_11_relu/clip_by_value';
export const FACERES_MID_CHANNELS = 512;
/** faceres-bands: the descriptor, then the mid map's three bands (bands.ts). */
export const FACERES_BANDS_DIM = FACERES_DIM + (BAND_EDGES_14.length - 1) * FACERES_MID_CHANNELS;

/** faceres.json among the runtime's human models (the installed @vladmandic/human in Node). */
export function defaultFaceresPath(runtime: Runtime): string {
  return runtime.join(runtime.humanModels, 'faceres.json');
}

export interface FaceresOptions extends EncoderOptions {
  /** model.json of the tfjs graph (default: the one shipped in @vladmandic/human). */
  modelPath?: string;
}

/** The faceres tfjs graph as an ONNX model whose output 'features' is the pooled 1024-d descriptor. */
export function faceresOnnx(graph: TfjsGraph): Uint8Array {
  return encodeOnnxModel(tfjsToOnnx(graph, { output: FACERES_OUTPUT, inputName: 'pixel_values', outputName: 'features' }));
}

/** The faceres graph with the band pooling of its mid map (bands.ts): output 'features' [N, 2560]. */
export function faceresBandsOnnx(graph: TfjsGraph): Uint8Array {
  const g = tfjsToOnnx(graph, { output: [FACERES_OUTPUT, FACERES_MID], outputName: ['descriptor', 'mid'] });
  return encodeOnnxModel(appendBandPooling(g, { global: 'descriptor', map: 'mid', height: 14, edges: BAND_EDGES_14, output: 'features' }));
}

export interface FaceresCreateOptions extends FaceresOptions {
  /** Also pool the mid map by bands (the 'faceres-bands' encoder). Default false. */
  bands?: boolean;
}

/**
 * Preprocessing: `<model>.preprocess.json` beside the weights when present, else FACERES_PRESET, which is what
 * human does (src/face/faceres.ts: resizeBilinear of a 0..1 crop to 224 x 224, then x 255: the graph reads 0..255,
 * no mean/std; its first Conv reads input_1 directly).
 */
export async function createFaceres(opts: FaceresCreateOptions, runtime: Runtime): Promise<Encoder> {
  const modelPath = opts.modelPath ?? defaultFaceresPath(runtime);
  const { graph, weightsHash } = await loadHumanGraph(runtime, modelPath, 'faceres');
  const sidecarPath = modelPath.replace(/\.json$/, '.preprocess.json');
  const preprocess = opts.preprocess ?? ((await runtime.exists(sidecarPath)) ? validatePreprocess(await readJson(runtime, sidecarPath, 'preprocessing'), sidecarPath) : { ...FACERES_PRESET });
  const bands = opts.bands ?? false;
  return createOnnxEncoder(
    {
      name: bands ? 'faceres-bands' : 'faceres',
      model: bands ? faceresBandsOnnx(graph) : faceresOnnx(graph),
      source: modelPath,
      // The pooling is part of the feature: its own cache entries (a change to the bands must bump this).
      weightsHash: bands ? `${weightsHash}:bands${BAND_EDGES_14.join('-')}` : weightsHash,
      preprocess,
      dim: bands ? FACERES_BANDS_DIM : FACERES_DIM,
    },
    opts,
    runtime,
  );
}
