// Reads a TensorFlow.js graph model (model.json + .bin shards) into plain arrays, without loading tfjs itself: the
// faceres encoder converts it to ONNX (see tfjs-to-onnx.ts) because onnxruntime runs it several times faster on CPU
// than tfjs-wasm or tfjs-cpu does.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileError } from '../errors.js';

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

function decode(entry: ManifestEntry, bytes: Buffer, offset: number): { weight: TfjsWeight; size: number } {
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

/** Loads model.json and its weight shards. Throws fileError naming the file on any problem. */
export function readTfjsGraph(modelJsonPath: string): TfjsGraph {
  let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    json = JSON.parse(readFileSync(modelJsonPath, 'utf8'));
  } catch (err) {
    throw fileError(modelJsonPath, `cannot read TensorFlow.js model: ${(err as Error).message}`);
  }
  const nodes: TfjsNode[] = json?.modelTopology?.node;
  if (!Array.isArray(nodes)) throw fileError(modelJsonPath, 'not a TensorFlow.js graph model (no modelTopology.node)');
  const weights = new Map<string, TfjsWeight>();
  for (const group of json.weightsManifest ?? []) {
    const bytes = Buffer.concat((group.paths as string[]).map((p) => readFileSync(join(dirname(modelJsonPath), p))));
    let offset = 0;
    for (const entry of group.weights as ManifestEntry[]) {
      const { weight, size } = decode(entry, bytes, offset);
      weights.set(entry.name, weight);
      offset += size;
    }
    if (offset !== bytes.length) throw fileError(modelJsonPath, `weights manifest covers ${offset} bytes but shards hold ${bytes.length}`);
  }
  const inputs = nodes
    .filter((n) => n.op === 'Placeholder')
    .map((n) => ({ name: n.name, shape: (n.attr?.shape?.shape?.dim ?? []).map((d: { size: string }) => Number(d.size)) }));
  return { nodes, weights, inputs };
}
