// One Encoder implementation over an onnxruntime session (onnxruntime-node, or onnxruntime-web in the browser);
// clip-vit-b32, faceres (converted) and onnx:PATH differ only in where the model and its preprocessing come from.
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import type { Runtime } from '../runtime/types.js';
import { CafeError, invalidParameter } from '../errors.js';
import { preprocessImage } from './preprocess.js';
import type { Encoder, EncoderInput, EncoderOptions, PreprocessConfig } from './types.js';

export interface OnnxEncoderSpec {
  name: string;
  /** File path or serialized model bytes. */
  model: string | Uint8Array;
  /** For error messages: where the model came from and how to get a good one. */
  source: string;
  weightsHash: string;
  preprocess: PreprocessConfig;
  /** Input to feed (default: the model's only input, else 'pixel_values'). */
  inputName?: string;
  /** Output to read (default: the model's only output). */
  outputName?: string;
  /** Expected feature size; checked on load. Undefined = whatever the model gives (onnx:PATH). */
  dim?: number;
}

/** Picks an input/output name: the requested one if present, else the only one. */
function pickName(names: readonly string[], wanted: string | undefined, what: string, source: string): string {
  if (wanted !== undefined) {
    if (!names.includes(wanted)) throw invalidParameter(`${what} of ${source}`, `a tensor named '${wanted}'`, [...names]);
    return wanted;
  }
  if (names.length === 1) return names[0];
  throw invalidParameter(`${what} of ${source}`, 'exactly one tensor (or name it)', [...names]);
}

/** Creates the session and runs one probe image to check the model's shapes; the error names the file. */
export async function createOnnxEncoder(spec: OnnxEncoderSpec, opts: EncoderOptions, runtime: Runtime): Promise<Encoder> {
  const { ort } = runtime;
  const threads = opts.threads ?? runtime.threads;
  const batchSize = opts.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw invalidParameter('batchSize', 'a positive integer', batchSize);
  const sessionOptions: InferenceSession.SessionOptions = {
    ...(threads ? { intraOpNumThreads: threads } : {}),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  };
  let session: InferenceSession;
  try {
    session = typeof spec.model === 'string'
      ? await ort.InferenceSession.create(spec.model, sessionOptions)
      : await ort.InferenceSession.create(spec.model, sessionOptions);
  } catch (err) {
    throw new CafeError(`${spec.source}: onnxruntime cannot load the model: ${(err as Error).message}`);
  }
  const inputName = pickName(session.inputNames, spec.inputName, 'input', spec.source);
  const outputName = pickName(session.outputNames, spec.outputName, 'output', spec.source);
  const p = spec.preprocess;
  const S = p.size;
  const per = 3 * S * S;

  const run = async (data: Float32Array, n: number): Promise<Tensor> => {
    const feeds = { [inputName]: new ort.Tensor('float32', data, [n, 3, S, S]) };
    const out = await session.run(feeds, [outputName]);
    return out[outputName];
  };

  // Probe with two images: catches a wrong input size, a fixed batch of 1, and a wrong feature size here rather
  // than half-way through an extraction.
  let dim: number;
  try {
    const t = await run(new Float32Array(2 * per), 2);
    if (t.type !== 'float32') throw new Error(`output '${outputName}' is ${t.type}, expected float32`);
    const flat = t.dims.length === 2 ? t.dims[1] : t.dims.slice(1).reduce((a, b) => a * b, 1);
    if (t.dims[0] !== 2) throw new Error(`output '${outputName}' has shape [${t.dims.join(', ')}] for a batch of 2; expected [2, D]`);
    dim = flat;
  } catch (err) {
    await session.release();
    throw new CafeError(`${spec.source}: the model does not take [N, 3, ${S}, ${S}] float32 '${inputName}' and return [N, D] '${outputName}': ${(err as Error).message}`);
  }
  if (spec.dim !== undefined && dim !== spec.dim) {
    await session.release();
    throw new CafeError(`${spec.source}: output '${outputName}' has ${dim} features per image, expected ${spec.dim} (wrong model?)`);
  }

  const encoder: Encoder = {
    name: spec.name,
    dim,
    preprocess: p,
    weightsHash: spec.weightsHash,
    weightsPath: typeof spec.model === 'string' ? spec.model : spec.source,
    async encode(batch: EncoderInput): Promise<Float32Array> {
      const n = Array.isArray(batch) ? batch.length : batch.n;
      if (!Array.isArray(batch) && batch.data.length !== n * per) throw invalidParameter('batch.data', `${n} x 3 x ${S} x ${S} = ${n * per} floats`, batch.data.length);
      const out = new Float32Array(n * dim); // [N, D]
      // Preprocess chunk k+1 while onnxruntime runs chunk k on its own threads.
      const chunk = (start: number): Float32Array => {
        const m = Math.min(batchSize, n - start);
        if (!Array.isArray(batch)) return batch.data.subarray(start * per, (start + m) * per);
        const buf = new Float32Array(m * per); // [m, 3, S, S]
        for (let i = 0; i < m; i++) preprocessImage(batch[start + i], p, buf, i * per);
        return buf;
      };
      let next = n > 0 ? chunk(0) : undefined;
      for (let start = 0; start < n; start += batchSize) {
        const m = Math.min(batchSize, n - start);
        const pending = run(next!, m);
        next = start + batchSize < n ? chunk(start + batchSize) : undefined;
        const t = await pending;
        out.set((t.data as Float32Array).subarray(0, m * dim), start * dim);
        t.dispose();
      }
      return out;
    },
    async dispose() {
      await session.release();
    },
  };
  return encoder;
}
