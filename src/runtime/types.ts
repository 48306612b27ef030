// What differs between Node and the browser at inference time: where bytes come from (files vs URLs), which
// onnxruntime build runs the ONNX graphs, how tfjs finds its wasm, and where the models that ship in
// @vladmandic/human live. Everything from model.json to the recognizer takes a Runtime, so Node (src/runtime/node.ts)
// and the browser (src/browser/runtime.ts) share one code path; nothing reachable from src/browser may import a
// Node built-in, sharp or onnxruntime-node (test/browser checks it by bundling for the browser). A Runtime knows no
// encoder: whoever assembles a recognizer passes an EncoderFactory (src/encoders/types.ts) beside it.
import type * as OrtCommon from 'onnxruntime-common';
import type * as Tfjs from '@tensorflow/tfjs';
import { fileError } from '../errors.js';

/** The onnxruntime API both onnxruntime-node and onnxruntime-web implement. */
export type Ort = typeof OrtCommon;
export type Tf = typeof Tfjs;

export interface Runtime {
  readonly name: 'node' | 'web';
  readonly ort: Ort;
  /** Bytes of a file (Node) or URL (browser); the error names the location and says what went wrong. */
  read(location: string): Promise<Uint8Array>;
  /** Whether the location exists (optional sidecar files; clearer errors for missing models). */
  exists(location: string): Promise<boolean>;
  /** `rel` inside folder `dir` (a path or URL). */
  join(dir: string, rel: string): string;
  /** The folder holding `location`. */
  dirname(location: string): string;
  /** tfjs, initialised once on the backend this runtime uses. */
  tf(): Promise<Tf>;
  /** Folder (path or URL) of @vladmandic/human's models: the detector, the faceres encoder, the stand-in emotion net. */
  readonly humanModels: string;
  /** What to do when a file is missing from humanModels (for missingModel errors). */
  readonly humanModelsHint: string;
  /** onnxruntime intra-op threads when the caller sets none (undefined: onnxruntime's own choice). */
  readonly threads?: number;
  /** Identity of weight files for feature-cache keys (Node hashes them; the browser caches nothing). */
  weightsHash(locations: string[]): Promise<string>;
}

/** Reads a JSON file through a runtime; the error names the location. */
export async function readJson<T = unknown>(runtime: Runtime, location: string, what: string): Promise<T> {
  const bytes = await runtime.read(location);
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch (err) {
    throw fileError(location, `${what}: invalid JSON (${(err as Error).message})`);
  }
}
