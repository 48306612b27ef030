// The recognizer in Node: inputs are paths, encoded bytes, raw pixels, ImageData or canvases (decoded by sharp);
// the model folder is a path (default: the shipped model); onnxruntime-node and tfjs-wasm run the models, and the
// encoder registry (src/encoders/registry.ts) creates the model's frozen encoder.
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
