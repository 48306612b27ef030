// Reads a TensorFlow.js graph model (model.json + .bin shards) into plain arrays, without loading tfjs itself: the
// faceres encoder converts it to ONNX (see tfjs-to-onnx.ts) because onnxruntime runs it several times faster on CPU
// than tfjs-wasm or tfjs-cpu does. The files are read by src/runtime/tfjs-files.ts, which tfjs's own loader shares.
import { fileError, missingModel } from '../errors.js';
import { concatBytes } from '../util/bytes.js';
import { readTfjsModelFiles } from '../runtime/tfjs-files.js';
import type { Runtime } from '../runtime/types.js';

export interface TfjsNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface TfjsWeight {
  shape: number[];
  data: Float32Array | Int32Array;
}

export interface TfjsGraph {
  nodes: TfjsNode[];
  weights: Map<string, TfjsWeight>;
  /** Input placeholders with their (possibly -1) shapes. */
  inputs: Array<{ name: string; shape: number[] }>;
}

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  quantization?: { dtype: 'float16' | 'uint8' | 'uint16'; min?: number; scale?: number };
}

/** IEEE half -> float. */
function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function decode(entry: ManifestEntry, bytes: Uint8Array, offset: number): { weight: TfjsWeight; size: number } {
  const n = entry.shape.reduce((a, b) => a * b, 1);
  const q = entry.quantization;
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset);
  if (!q) {
    const data = entry.dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = entry.dtype === 'int32' ? view.getInt32(i * 4, true) : view.getFloat32(i * 4, true);
    return { weight: { shape: entry.shape, data }, size: n * 4 };
  }
  const out = new Float32Array(n);
  if (q.dtype === 'float16') {
    for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
    return { weight: { shape: entry.shape, data: out }, size: n * 2 };
  }
  // Affine-quantized uint8/uint16: value = q * scale + min.
  const width = q.dtype === 'uint8' ? 1 : 2;
  for (let i = 0; i < n; i++) {
    const v = width === 1 ? view.getUint8(i) : view.getUint16(i * 2, true);
    out[i] = v * (q.scale ?? 1) + (q.min ?? 0);
  }
  const data = entry.dtype === 'int32' ? Int32Array.from(out, Math.round) : out;
  return { weight: { shape: entry.shape, data }, size: n * width };
}

/** Loads model.json and its weight shards through the runtime. Throws fileError naming the file on any problem. */
export async function loadTfjsGraph(runtime: Runtime, modelJsonPath: string): Promise<TfjsGraph> {
  const { json, shards } = await readTfjsModelFiles(runtime, modelJsonPath);
  return parseTfjsGraph(json, shards, modelJsonPath);
}

/** A parsed model.json and, per weightsManifest group, its shard bytes -> the graph; `where` names it in errors. */
export function parseTfjsGraph(json: any, shards: Uint8Array[][], where: string): TfjsGraph { // eslint-disable-line @typescript-eslint/no-explicit-any
  const nodes: TfjsNode[] = json?.modelTopology?.node;
  if (!Array.isArray(nodes)) throw fileError(where, 'not a TensorFlow.js graph model (no modelTopology.node)');
  const weights = new Map<string, TfjsWeight>();
  (json.weightsManifest ?? []).forEach((group: { weights: ManifestEntry[] }, g: number) => {
    const bytes = concatBytes(shards[g] ?? []);
    let offset = 0;
    for (const entry of group.weights) {
      const { weight, size } = decode(entry, bytes, offset);
      weights.set(entry.name, weight);
      offset += size;
    }
    if (offset !== bytes.length) throw fileError(where, `weights manifest covers ${offset} bytes but shards hold ${bytes.length}`);
  });
  const inputs = nodes
    .filter((n) => n.op === 'Placeholder')
    .map((n) => ({ name: n.name, shape: (n.attr?.shape?.shape?.dim ?? []).map((d: { size: string }) => Number(d.size)) }));
  return { nodes, weights, inputs };
}

/**
 * One of human's tfjs graphs (`name`.json + `name`.bin) as the encoders load it: both files checked first, with the
 * runtime's hint on where human's models come from, then the graph and the content hash of its two files.
 */
export async function loadHumanGraph(runtime: Runtime, modelPath: string, name: string): Promise<{ graph: TfjsGraph; weightsHash: string }> {
  const binPath = modelPath.replace(/\.json$/, '.bin');
  if (!(await runtime.exists(modelPath))) throw missingModel(`${name} model (${name}.json + ${name}.bin)`, modelPath, runtime.humanModelsHint);
  if (!(await runtime.exists(binPath))) throw missingModel(`${name} weights`, binPath, runtime.humanModelsHint);
  return { graph: await loadTfjsGraph(runtime, modelPath), weightsHash: await runtime.weightsHash([modelPath, binPath]) };
}
