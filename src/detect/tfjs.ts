// One TensorFlow.js runtime for the shipped tfjs models (blazeface, human's emotion net, face-api's nets).
// Backend: tfjs-backend-wasm, because tfjs-node cannot be installed everywhere and the pure-JS 'cpu' backend is
// ~10x slower. Models are read from disk into memory (tf.io.fromMemory): Node's fetch has no file:// support.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { fileError } from '../errors.js';

let ready: Promise<typeof tf> | undefined;

/** Directory of an installed package (the one holding its package.json). */
export function packageDir(name: string): string {
  // Not require.resolve(`${name}/package.json`): packages with an "exports" map (human) do not export it.
  const req = createRequire(import.meta.url);
  for (const base of req.resolve.paths(name) ?? []) {
    if (existsSync(join(base, name, 'package.json'))) return join(base, name);
  }
  throw fileError(name, 'package not installed; run npm install');
}

/**
 * Initialises tfjs once per process on the wasm backend (falls back to 'cpu' if wasm cannot start, e.g. in an
 * environment without WebAssembly SIMD) and returns the tf namespace.
 */
export function tfReady(): Promise<typeof tf> {
  ready ??= (async () => {
    // Quiet the "Hi there, looks like you are running TensorFlow.js in Node.js" banner about tfjs-node.
    tf.env().set('IS_NODE', typeof process !== 'undefined');
    tf.env().set('PROD', true);
    try {
      setWasmPaths(join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist') + '/');
      if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend refused');
    } catch {
      await tf.setBackend('cpu');
    }
    await tf.ready();
    return tf;
  })();
  return ready;
}

/** Loads a tfjs graph model (model.json + its .bin shards) from disk. */
export async function loadGraphModelFromDisk(modelJson: string): Promise<tf.GraphModel> {
  await tfReady();
  let json: { modelTopology: unknown; weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }> };
  try {
    json = JSON.parse(readFileSync(modelJson, 'utf8'));
  } catch (err) {
    throw fileError(modelJson, `cannot read tfjs model (${(err as Error).message}); reinstall the package that ships it`);
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const shards: Buffer[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) shards.push(readFileSync(join(dirname(modelJson), p)));
  }
  const all = Buffer.concat(shards);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  return tf.loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology as object, weightSpecs: specs, weightData }));
}
