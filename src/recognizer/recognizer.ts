// The recognizer in Node: inputs are paths, encoded bytes, raw pixels, ImageData or canvases (decoded by sharp);
// the model folder is a path (default: the shipped model); onnxruntime-node runs the models, and the
// encoder registry (src/encoders/registry.ts) creates the model's frozen encoder.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { createEncoder } from '../encoders/registry.js';
import { nodeRuntime } from '../runtime/node.js';
import { assembleRecognizer, type Recognizer, type RecognizerOptions } from './core.js';
import { decodeInput, type RecognizerInput } from './decode.js';
import { defaultModelDir } from './shipped.js';

export { DEFAULT_MAX_SIDE, type FaceExpression, type Recognition, type RecognizeOptions, type RecognizerOptions } from './core.js';
export type { RecognizerInput } from './decode.js';

/** A recognizer for Node inputs (paths, bytes, raw pixels, ImageData, canvases). */
export type NodeRecognizer = Recognizer<RecognizerInput>;
export type { NodeRecognizer as Recognizer };

export async function createRecognizer(options: RecognizerOptions = {}): Promise<NodeRecognizer> {
  return assembleRecognizer(nodeRuntime, createEncoder, decodeInput, resolve(options.model ?? defaultModelDir()), options);
}

/**
 * onnxruntime threads per session for a pipeline over many photos (`cafe predict`): half the cores, at least 1. The
 * pipeline keeps the other cores busy decoding the next photos (sharp) and running the JS stages (detector window,
 * alignment); on the shared 2-core machine 1 thread gave 3.8x the photos/s of 2 (bench/results/predict-stages.md).
 */
export function pipelineThreads(): number {
  return Math.max(1, Math.floor(availableParallelism() / 2));
}

/** Photos per detector run and model call in `cafe predict` (see pipelineThreads for the measurements). */
export const PIPELINE_BATCH = 4;
