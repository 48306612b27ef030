// A TensorFlow.js model's files (model.json + its .bin shards) read through a Runtime, without loading tfjs itself.
// Both consumers of tfjs models read them here: tfjs's own loader (loadGraphModel in tfjs.ts) and the ONNX
// conversion of the faceres encoder (src/encoders/tfjs-graph.ts).
import { fileError } from '../errors.js';
import type { Runtime } from './types.js';

/** A tfjs model's files as read: its model.json, and per weightsManifest group the bytes of that group's shards. */
export interface TfjsModelFiles {
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  shards: Uint8Array[][];
}

/** Reads model.json and its weight shards through the runtime (a path or URL); the error names the file. */
export async function readTfjsModelFiles(runtime: Runtime, modelJsonPath: string): Promise<TfjsModelFiles> {
  let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    json = JSON.parse(new TextDecoder().decode(await runtime.read(modelJsonPath)));
  } catch (err) {
    throw fileError(modelJsonPath, `cannot read TensorFlow.js model (${(err as Error).message}); reinstall the package that ships it`);
  }
  const shards: Uint8Array[][] = [];
  for (const group of json?.weightsManifest ?? []) {
    const paths: string[] = group.paths ?? [];
    shards.push(await Promise.all(paths.map((p) => runtime.read(runtime.join(runtime.dirname(modelJsonPath), p)))));
  }
  return { json, shards };
}
