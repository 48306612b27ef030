// facemesh (MediaPipe Face Mesh, Apache-2.0, as shipped in @vladmandic/human, MIT): 468 3-D landmarks of a face
// crop, turned into a geometry feature F. Why a second frozen encoder: faceres describes identity-oriented
// appearance and transfers poorly to posed and in-the-wild faces (a linear probe on it reaches 57 % on CK+48);
// expressions are largely geometry (mouth opening, brow raise, eye aperture), which a mesh measures the same way on
// a 48 px gray FER crop, a lab photo or a movie frame. Used alone ('facemesh') or beside faceres
// ('faceres+facemesh', see concat.ts).
//
// The tfjs graph is converted to ONNX at load time like faceres (tfjs-to-onnx.ts). Each crop gets some context
// (FACEMESH_CONTEXT), then the mesh is normalised for position, scale and in-plane rotation (the eye line made
// horizontal): x/y/z per landmark, [N, 1404].
import type { Runtime } from '../runtime/types.js';
import { encodeOnnxModel } from './onnx-writer.js';
import { createOnnxEncoder } from './onnx-encoder.js';
import type { PreprocessConfig, RgbImage } from './types.js';
import { loadHumanGraph, type TfjsGraph } from './tfjs-graph.js';
import { tfjsToOnnx } from './tfjs-to-onnx.js';
import type { Encoder, EncoderInput, EncoderOptions } from './types.js';

export const FACEMESH_POINTS = 468;
export const FACEMESH_DIM = FACEMESH_POINTS * 3;
/** The graph's mesh output (tfjs name), [N, 1404] in input pixels (x, y, z per landmark). */
export const FACEMESH_OUTPUT = 'Identity_2';

/** Eye corners of the canonical MediaPipe mesh: right eye 33 (outer) / 133 (inner), left eye 362 / 263. */
const RIGHT_EYE = [33, 133];
const LEFT_EYE = [362, 263];

/**
 * As human feeds it (src/face/facemesh.ts): the face crop resized bilinearly (tf.image.resizeBilinear) to 192 x 192,
 * values in [0, 1]. `crop: 'none'` stretches the crop, as human's cutAndResize does with its square boxes.
 */
export const FACEMESH_PRESET: PreprocessConfig = {
  size: 192,
  resize: 'bilinear-tf',
  crop: 'none',
  colour: 'rgb',
  scale: 255,
  mean: [0, 0, 0],
  std: [1, 1, 1],
};

export function defaultFacemeshPath(runtime: Runtime): string {
  return runtime.join(runtime.humanModels, 'facemesh.json');
}

export interface FacemeshOptions extends EncoderOptions {
  /** model.json of the tfjs graph (default: the one shipped in @vladmandic/human). */
  facemeshPath?: string;
}

/** The facemesh tfjs graph as ONNX: input 'pixel_values' [N, 3, 192, 192], output 'mesh' [N, 1404]. */
export function facemeshOnnx(graph: TfjsGraph): Uint8Array {
  return encodeOnnxModel(tfjsToOnnx(graph, { output: FACEMESH_OUTPUT, inputName: 'pixel_values', outputName: 'mesh' }));
}

/**
 * Normalises meshes in place: [N, 468 * 3] -> centred on the landmarks' mean, eye line rotated to horizontal, divided
 * by the RMS distance of the landmarks from the centre in the image plane (z by the same factor). Invariant to where
 * the face sits in the crop, its size and its roll: what remains is shape.
 */
export function normaliseMesh(mesh: Float32Array, n: number): Float32Array {
  const P = FACEMESH_POINTS;
  for (let i = 0; i < n; i++) {
    const m = mesh.subarray(i * P * 3, (i + 1) * P * 3);
    let cx = 0, cy = 0, cz = 0;
    for (let p = 0; p < P; p++) {
      cx += m[p * 3];
      cy += m[p * 3 + 1];
      cz += m[p * 3 + 2];
    }
    cx /= P;
    cy /= P;
    cz /= P;
    const mean = (idx: number[], k: number) => idx.reduce((a, p) => a + m[p * 3 + k], 0) / idx.length;
    // Subject's right eye is on the image's left: the vector points from image-left to image-right.
    const dx = mean(LEFT_EYE, 0) - mean(RIGHT_EYE, 0);
    const dy = mean(LEFT_EYE, 1) - mean(RIGHT_EYE, 1);
    const a = Math.atan2(dy, dx);
    const c = Math.cos(-a), s = Math.sin(-a);
    let ss = 0;
    for (let p = 0; p < P; p++) {
      const x = m[p * 3] - cx, y = m[p * 3 + 1] - cy;
      m[p * 3] = c * x - s * y;
      m[p * 3 + 1] = s * x + c * y;
      m[p * 3 + 2] -= cz;
      ss += m[p * 3] ** 2 + m[p * 3 + 1] ** 2;
    }
    const scale = Math.sqrt(ss / P) || 1;
    for (let j = 0; j < P * 3; j++) m[j] /= scale;
  }
  return mesh;
}

/**
 * Context around the face: the crop is put in the middle of a canvas `factor` times its size, the border filled by
 * repeating the edge pixels. Face crops of FER datasets are tight (brows to chin), while human feeds the mesh
 * BlazeFace's box enlarged; on 145 FER+ valid / 139 SFEW Val crops the mesh's own face confidence (faceflag) rose
 * from 0.90 / 0.86 (no context) to 0.95 / 0.97 at 1.5 (1.8: no further gain; CK+48: 1.00 at every factor).
 */
export const FACEMESH_CONTEXT = 1.5;

export function padWithEdges(img: RgbImage, factor: number): RgbImage {
  if (factor === 1) return img;
  const { width: w, height: h, channels: C, data } = img;
  const W = Math.round(w * factor), H = Math.round(h * factor);
  const out = new Uint8Array(W * H * C);
  const x0 = Math.floor((W - w) / 2), y0 = Math.floor((H - h) / 2);
  const left = Math.max(0, x0), right = Math.max(0, W - x0 - w);
  // Row by row: the image row copied whole (clipped when factor < 1), its first / last pixel repeated into the
  // border; rows above and below repeat the first / last image row. Runs on every face of every webcam frame.
  for (let y = 0; y < H; y++) {
    const sy = Math.min(h - 1, Math.max(0, y - y0));
    const row = y * W * C;
    const src = sy * w * C;
    const sx0 = Math.max(0, -x0);
    const span = Math.min(w - sx0, W - left);
    out.set(data.subarray(src + sx0 * C, src + (sx0 + span) * C), row + left * C);
    for (let x = 0; x < left; x++) for (let c = 0; c < C; c++) out[row + x * C + c] = data[src + c];
    const last = src + (w - 1) * C;
    for (let x = W - right; x < W; x++) for (let c = 0; c < C; c++) out[row + x * C + c] = data[last + c];
  }
  return { width: W, height: H, channels: C, data: out };
}

/** The mesh network alone: its raw output [N, 1404], x / y / z per landmark in the pixels of its 192 px input (no
 *  context padding, no normalisation). createFacemesh wraps it; bench/helpers/facs-warp.ts reads landmarks from it. */
export async function createFacemeshNet(opts: FacemeshOptions, runtime: Runtime): Promise<Encoder> {
  const modelPath = opts.facemeshPath ?? defaultFacemeshPath(runtime);
  const { graph, weightsHash } = await loadHumanGraph(runtime, modelPath, 'facemesh');
  return createOnnxEncoder(
    {
      name: 'facemesh',
      model: facemeshOnnx(graph),
      source: modelPath,
      weightsHash,
      preprocess: opts.preprocess ?? { ...FACEMESH_PRESET },
      dim: FACEMESH_DIM,
    },
    opts,
    runtime,
  );
}

export async function createFacemesh(opts: FacemeshOptions, runtime: Runtime): Promise<Encoder> {
  const inner = await createFacemeshNet(opts, runtime);
  return {
    name: inner.name,
    dim: inner.dim,
    preprocess: inner.preprocess,
    // The normalisation is part of the feature: a change to it must not reuse cached rows.
    weightsHash: `${inner.weightsHash}:context${FACEMESH_CONTEXT}:norm1`,
    weightsPath: inner.weightsPath,
    async encode(batch: EncoderInput): Promise<Float32Array> {
      if (!Array.isArray(batch)) return normaliseMesh(await inner.encode(batch), batch.n); // already preprocessed
      return normaliseMesh(await inner.encode(batch.map((im) => padWithEdges(im, FACEMESH_CONTEXT))), batch.length); // [N, 1404]
    },
    dispose: () => inner.dispose(),
  };
}
