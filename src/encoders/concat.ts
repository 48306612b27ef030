// Several frozen encoders as one: F = [F_a, F_b, ...] (e.g. 'faceres+facemesh': appearance + face-mesh geometry, the
// paper's open question of other or fused foundation features). Platform-free: the parts come from whichever
// factory the platform has. The feature cache never stores the concatenation: getFeatures() reads and fills each
// part's own entry and joins the columns, so adding a part does not re-encode the others.
import { invalidParameter } from '../errors.js';
import type { Encoder, EncoderFactory, EncoderInput, EncoderOptions } from './types.js';

/** Joins part names: 'faceres+facemesh'. */
export const CONCAT_SEP = '+';

/**
 * The part specs of an encoder spec: 'faceres+facemesh' -> ['faceres', 'facemesh']. A spec is split only when every
 * part starts with a known encoder name, so 'onnx:/models/a+b.onnx' stays one encoder.
 */
export function encoderParts(spec: string, known: readonly string[]): string[] {
  const parts = spec.split(CONCAT_SEP).map((p) => p.trim());
  const isKnown = (p: string) => known.includes(p.split(':')[0]);
  return parts.length > 1 && parts.every(isKnown) ? parts : [spec];
}

export interface ConcatEncoder extends Encoder {
  readonly parts: readonly Encoder[];
}

export function isConcatEncoder(e: Encoder): e is ConcatEncoder {
  return Array.isArray((e as ConcatEncoder).parts);
}

/** Rows [N, sum D] from rows [N, D_k] of each part. */
export function concatRows(rows: Float32Array[], dims: number[], n: number): Float32Array {
  const D = dims.reduce((a, b) => a + b, 0);
  const out = new Float32Array(n * D);
  for (let i = 0; i < n; i++) {
    let off = i * D;
    rows.forEach((r, k) => {
      out.set(r.subarray(i * dims[k], (i + 1) * dims[k]), off);
      off += dims[k];
    });
  }
  return out;
}

export function concatEncoder(parts: Encoder[]): ConcatEncoder {
  if (parts.length < 2) throw invalidParameter('concat encoder parts', 'two or more encoders', parts.length);
  const dims = parts.map((p) => p.dim);
  // Only a report / key field here: the cache keys each part by its own hash (getFeatures).
  const weightsHash = parts.map((p) => p.weightsHash).join(CONCAT_SEP);
  return {
    name: parts.map((p) => p.name).join(CONCAT_SEP),
    dim: dims.reduce((a, b) => a + b, 0),
    // Each part preprocesses raw images its own way; this one is only what a caller that preprocesses sees.
    preprocess: parts[0].preprocess,
    weightsHash,
    weightsPath: parts.map((p) => p.weightsPath).join(CONCAT_SEP),
    parts,
    async encode(batch: EncoderInput): Promise<Float32Array> {
      if (!Array.isArray(batch)) throw invalidParameter('concat encoder input', 'raw images (each part preprocesses its own way)', 'a preprocessed batch');
      const rows = await Promise.all(parts.map((p) => p.encode(batch)));
      return concatRows(rows, dims, batch.length);
    },
    async dispose(): Promise<void> {
      for (const p of parts) await p.dispose();
    },
  };
}

/** A factory that also builds 'a+b' specs from a factory of single encoders named `known`. */
export function withConcat(factory: EncoderFactory, known: readonly string[]): EncoderFactory {
  return async (spec: string, opts: EncoderOptions) => {
    const names = encoderParts(spec, known);
    if (names.length === 1) return factory(spec, opts);
    const parts: Encoder[] = [];
    for (const n of names) parts.push(await factory(n, opts));
    return concatEncoder(parts);
  };
}
