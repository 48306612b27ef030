// One TensorFlow.js runtime for the tfjs models that have no other path (human's emotion net: the stand-in model and
// its peer; face-api's nets; the tfjs BlazeFace reference of the detector's parity checks), shared by Node and the
// browser. Backend: tfjs-backend-wasm (tfjs-node cannot be installed everywhere, the pure-JS 'cpu' backend is ~10x
// slower, and WebGL is not everywhere either). tfjs is imported on first use only: a recognizer whose models all
// run on onnxruntime (detector, faceres, CAFE head) never loads it. Graph models are read through the Runtime into
// memory (tf.io.fromMemory): Node's fetch has no file:// support, and the browser reads them with fetch all the same.
import type * as Tfjs from '@tensorflow/tfjs';
import { readTfjsModelFiles } from './tfjs-files.js';
import { concatBytes } from '../util/bytes.js';
import type { Runtime, Tf } from './types.js';

let ready: Promise<Tf> | undefined;

/**
 * Initialises tfjs once per process/page on the wasm backend, with its .wasm files under `wasmDir` (a folder path or
 * URL ending in '/'); falls back to 'cpu' if wasm cannot start. Later calls return the first initialisation.
 */
export function initTfjs(wasmDir: string | undefined, isNode: boolean): Promise<Tf> {
  ready ??= (async () => {
    const [tf, { setWasmPaths }] = await Promise.all([import('@tensorflow/tfjs'), import('@tensorflow/tfjs-backend-wasm')]);
    // Quiet the "Hi there, looks like you are running TensorFlow.js in Node.js" banner about tfjs-node.
    tf.env().set('IS_NODE', isNode);
    tf.env().set('PROD', true);
    try {
      if (wasmDir) setWasmPaths(wasmDir);
      if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend refused');
    } catch {
      await tf.setBackend('cpu');
    }
    await tf.ready();
    return tf as Tf;
  })();
  return ready;
}

/** Loads a tfjs graph model (model.json + its .bin shards) through the runtime (a file path or a URL). */
export async function loadGraphModel(runtime: Runtime, modelJson: string): Promise<Tfjs.GraphModel> {
  const tf = await runtime.tf();
  const { json, shards } = await readTfjsModelFiles(runtime, modelJson);
  const groups = (json.weightsManifest ?? []) as Array<{ weights: Tfjs.io.WeightsManifestEntry[] }>;
  return tf.loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology as object, weightSpecs: groups.flatMap((g) => g.weights), weightData: concatBytes(shards.flat()).buffer as ArrayBuffer }));
}
