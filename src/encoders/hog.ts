// hog (#11 lever 7, other frozen features): a histogram of oriented gradients (Dalal & Triggs 2005) of the gray face,
// as a frozen encoder with no learned weights. Why: every other encoder here was trained on someone's data (faceres
// on identities, the mesh on its own landmarks, CenterNet on COCO), and each carries that data's bias; CK+'s anger
// (lowered brows, a furrow between them, pressed lips) is mostly called neutral by them. A gradient histogram sees
// edges and wrinkles the same way on a 48 px FER+ crop, a lab photo or a movie frame, and learns nothing from FER+.
//
// The whole descriptor is one small ONNX graph built here (no weights file), so every onnxruntime that runs it (Node, workers) computes
// the same numbers in one pass:
//   gray [N, 1, 48, 48] -> edge-padded [-1, 0, 1] derivatives gx, gy                                 [N, 2, 48, 48]
//   -> magnitude m and the double angle (cos 2t, sin 2t) of the unsigned orientation t
//   -> K = 9 orientation bins on [0, pi): m * relu(cos 2(t - t_k))^2, a smooth stand-in for HOG's interpolated vote
//      (its half-maximum width, 22.5 degrees either side, is about the 20 degree bin spacing)          [N, 9, 48, 48]
//   -> 6 x 6 px cells (mean)                                                                          [N, 9, 8, 8]
//   -> 2 x 2-cell blocks, stride one cell: each block's 36 numbers divided by its L2 norm and clipped at 0.2
//      (Dalal & Triggs' L2-Hys without the second normalisation)                                      [N, 4 * 9, 7, 7]
//   -> flattened                                                                                       [N, 1764]
// The gradients are taken on the preprocessed [0, 1] luma, so the block normalisation also removes the crop's
// contrast and brightness.
import type { Runtime } from '../runtime/types.js';
import { encodeOnnxModel, type OnnxGraph, type OnnxNode, type OnnxTensor } from './onnx-writer.js';
import { createOnnxEncoder } from './onnx-encoder.js';
import type { Encoder, EncoderOptions, PreprocessConfig } from './types.js';

/** Input side (FER+ and CK+48 are 48 px; larger crops are downscaled with an antialiased filter). */
export const HOG_SIZE = 48;
/** Cell side in pixels: 8 x 8 cells on the 48 px face. */
export const HOG_CELL = 6;
/** Unsigned orientation bins on [0, pi). */
export const HOG_BINS = 9;
/** Block L2 norms are clipped at this (Dalal & Triggs' L2-Hys threshold). */
export const HOG_CLIP = 0.2;
const CELLS = HOG_SIZE / HOG_CELL; // 8
const BLOCKS = CELLS - 1; // 7
export const HOG_DIM = 4 * HOG_BINS * BLOCKS * BLOCKS; // 1764

/** Gray, [0, 1], stretched to 48 x 48 with PIL-style antialiased bilinear resizing. */
export const HOG_PRESET: PreprocessConfig = {
  size: HOG_SIZE,
  resize: 'bilinear',
  crop: 'none',
  colour: 'gray',
  scale: 255,
  mean: [0, 0, 0],
  std: [1, 1, 1],
};

/** The descriptor as an ONNX graph: input 'pixel_values' [N, 3, 48, 48] (gray repeated), output 'features' [N, 1764]. */
export function hogGraph(): OnnxGraph {
  const nodes: OnnxNode[] = [];
  const inits: OnnxTensor[] = [];
  const f32 = (name: string, dims: number[], v: number[]) => (inits.push({ name, dims, data: Float32Array.from(v) }), name);
  const i64 = (name: string, v: number[]) => (inits.push({ name, dims: [v.length], data: BigInt64Array.from(v.map(BigInt)) }), name);
  const op = (type: string, name: string, inputs: string[], attrs?: OnnxNode['attrs']) => (nodes.push({ op: type, name, inputs, outputs: [name], ...(attrs ? { attrs } : {}) }), name);

  const gray = op('Slice', 'gray', ['pixel_values', i64('c/start', [0]), i64('c/end', [1]), i64('c/axis', [1])]); // [N, 1, S, S]
  // Edge padding keeps the border's gradients those of the image, not of a black frame.
  const padded = op('Pad', 'padded', [gray, i64('pad/pads', [0, 0, 1, 1, 0, 0, 1, 1])], { mode: 'edge' }); // [N, 1, S+2, S+2]
  // Two 3 x 3 kernels: d/dx = [-1, 0, 1] on the middle row, d/dy the same down the middle column.
  const k = new Array<number>(18).fill(0);
  k[3] = -1; k[5] = 1; // channel 0: x
  k[9 + 1] = -1; k[9 + 7] = 1; // channel 1: y
  const grad = op('Conv', 'grad', [padded, f32('grad/kernel', [2, 1, 3, 3], k)], { kernel_shape: [3, 3] }); // [N, 2, S, S]
  const axis1 = i64('axis1', [1]);
  const gx = op('Slice', 'gx', [grad, i64('gx/start', [0]), i64('gx/end', [1]), axis1]); // [N, 1, S, S]
  const gy = op('Slice', 'gy', [grad, i64('gy/start', [1]), i64('gy/end', [2]), axis1]);
  const xx = op('Mul', 'xx', [gx, gx]);
  const yy = op('Mul', 'yy', [gy, gy]);
  const xy = op('Mul', 'xy', [gx, gy]);
  const eps = f32('eps', [], [1e-12]);
  const m2 = op('Add', 'm2', [op('Add', 'xx+yy', [xx, yy]), eps]); // m^2 (+ eps so flat pixels divide cleanly)
  const m = op('Sqrt', 'm', [m2]);
  // m cos 2t = (gx^2 - gy^2) / m and m sin 2t = 2 gx gy / m; stacked as 2 channels.
  const c2 = op('Div', 'c2', [op('Sub', 'xx-yy', [xx, yy]), m]);
  const s2 = op('Div', 's2', [op('Mul', '2xy', [xy, f32('two', [], [2])]), m]);
  const cs = op('Concat', 'cs', [c2, s2], { axis: 1 }); // [N, 2, S, S]
  // Bin k's lobe: a 1 x 1 convolution gives m cos 2(t - t_k) = cos 2t_k (m cos 2t) + sin 2t_k (m sin 2t).
  const w: number[] = [];
  for (let b = 0; b < HOG_BINS; b++) {
    const a = (2 * Math.PI * b) / HOG_BINS; // 2 t_k, t_k = pi k / K
    w.push(Math.cos(a), Math.sin(a));
  }
  const proj = op('Conv', 'proj', [cs, f32('proj/kernel', [HOG_BINS, 2, 1, 1], w)], { kernel_shape: [1, 1] }); // [N, K, S, S] = m cos 2(t - t_k)
  const lobe = op('Relu', 'lobe', [proj]);
  // m relu(cos)^2 = (m relu(cos))^2 / m.
  const votes = op('Div', 'votes', [op('Mul', 'lobe2', [lobe, lobe]), m]); // [N, K, S, S]
  const cells = op('AveragePool', 'cells', [votes], { kernel_shape: [HOG_CELL, HOG_CELL], strides: [HOG_CELL, HOG_CELL] }); // [N, K, 8, 8]
  // Block energy: the sum over 2 x 2 cells and K bins of the squared votes.
  const energy = op('ReduceSum', 'energy', [op('Mul', 'cells2', [cells, cells]), axis1], { keepdims: 1 }) /* opset 13: axes is an input */; // [N, 1, 8, 8]
  const block = op('AveragePool', 'block', [energy], { kernel_shape: [2, 2], strides: [1, 1] }); // [N, 1, 7, 7] = sum / 4
  const norm = op('Sqrt', 'norm', [op('Add', 'block+eps', [op('Mul', 'block*4', [block, f32('four', [], [4])]), f32('eps2', [], [1e-6])])]);
  const axes23 = i64('axes23', [2, 3]);
  const parts: string[] = [];
  for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
    const p = `block${dy}${dx}`;
    const cut = op('Slice', `${p}/cells`, [cells, i64(`${p}/start`, [dy, dx]), i64(`${p}/end`, [dy + BLOCKS, dx + BLOCKS]), axes23]); // [N, K, 7, 7]
    parts.push(op('Min', `${p}/clip`, [op('Div', `${p}/norm`, [cut, norm]), f32(`${p}/max`, [], [HOG_CLIP])]));
  }
  const blocks = op('Concat', 'blocks', parts, { axis: 1 }); // [N, 4K, 7, 7]
  nodes.push({ op: 'Flatten', name: 'features', inputs: [blocks], outputs: ['features'], attrs: { axis: 1 } }); // [N, 1764]
  return {
    name: 'hog',
    nodes,
    initializers: inits,
    inputs: [{ name: 'pixel_values', shape: ['batch', 3, HOG_SIZE, HOG_SIZE] }],
    outputs: [{ name: 'features', shape: ['batch', HOG_DIM] }],
  };
}

export function hogOnnx(): Uint8Array {
  return encodeOnnxModel(hogGraph());
}

export async function createHog(opts: EncoderOptions, runtime: Runtime): Promise<Encoder> {
  return createOnnxEncoder(
    {
      name: 'hog',
      model: hogOnnx(),
      source: 'hog (built in src/encoders/hog.ts)',
      // No weights: the parameters are the feature. A change to any must change this key, or cached rows of the old
      // feature would be reused.
      weightsHash: `hog:v1:${HOG_SIZE}:${HOG_CELL}:${HOG_BINS}:${HOG_CLIP}`,
      preprocess: opts.preprocess ?? { ...HOG_PRESET },
      dim: HOG_DIM,
    },
    opts,
    runtime,
  );
}
