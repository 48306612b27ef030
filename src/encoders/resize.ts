// Image resampling in plain TypeScript, so that preprocessing is exact, testable against hand-computed pixels, and
// identical on every platform (sharp/libvips rounds differently from PIL, which CLIP and the CAFE code use).
import type { ResizeMethod } from './types.js';

/** For one axis: output index -> (first source index, weights). Weights sum to 1. */
export interface AxisWeights {
  start: Int32Array; // [out]
  count: Int32Array; // [out]
  weights: Float32Array[]; // [out][count]
}

function bicubic(x: number): number {
  // PIL's bicubic kernel, a = -0.5.
  const a = -0.5;
  x = Math.abs(x);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

function triangle(x: number): number {
  x = Math.abs(x);
  return x < 1 ? 1 - x : 0;
}

/**
 * Weights to resample `inSize` pixels to `outSize`, following PIL's ImagingResample (precompute_coeffs): pixel
 * centres at i + 0.5, filter support widened by the scale when downscaling (antialiasing), weights normalised.
 * 'bilinear-tf' is TensorFlow's legacy bilinear: source = out * in / out, two taps, no antialias.
 */
export function axisWeights(inSize: number, outSize: number, method: ResizeMethod): AxisWeights {
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights: Float32Array[] = [];
  const scale = inSize / outSize;
  if (method === 'bilinear-tf') {
    for (let o = 0; o < outSize; o++) {
      const src = o * scale;
      const i0 = Math.min(Math.floor(src), inSize - 1);
      const i1 = Math.min(i0 + 1, inSize - 1);
      const f = src - i0;
      start[o] = i0;
      count[o] = i1 > i0 ? 2 : 1;
      weights.push(i1 > i0 ? Float32Array.of(1 - f, f) : Float32Array.of(1));
    }
    return { start, count, weights };
  }
  const filter = method === 'bicubic' ? bicubic : triangle;
  const support0 = method === 'bicubic' ? 2 : 1;
  const filterScale = Math.max(scale, 1);
  const support = support0 * filterScale;
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    // PIL truncates (int) these bounds; center - support + 0.5 may be negative, hence the clamp first.
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    const w = new Float32Array(hi - lo);
    let sum = 0;
    for (let i = lo; i < hi; i++) {
      const v = filter((i - center + 0.5) / filterScale);
      w[i - lo] = v;
      sum += v;
    }
    if (sum !== 0) for (let k = 0; k < w.length; k++) w[k] /= sum;
    start[o] = lo;
    count[o] = w.length;
    weights.push(w);
  }
  return { start, count, weights };
}

/** Caches axis weights: a dataset has few distinct image sizes, and recomputing per image costs more than resampling. */
const weightCache = new Map<string, AxisWeights>();
export function cachedAxisWeights(inSize: number, outSize: number, method: ResizeMethod): AxisWeights {
  const key = `${inSize}:${outSize}:${method}`;
  let w = weightCache.get(key);
  if (!w) {
    if (weightCache.size > 256) weightCache.clear();
    w = axisWeights(inSize, outSize, method);
    weightCache.set(key, w);
  }
  return w;
}

/**
 * Resamples a float image [H, W, C] (interleaved) to the window [y0, y0 + outH) x [x0, x0 + outW) of a virtual
 * resize to fullH x fullW, i.e. resize-then-crop without computing the cropped-away pixels. Returns [outH, outW, C].
 */
export function resampleWindow(
  src: Float32Array,
  H: number,
  W: number,
  C: number,
  fullH: number,
  fullW: number,
  y0: number,
  x0: number,
  outH: number,
  outW: number,
  method: ResizeMethod,
): Float32Array {
  const wx = cachedAxisWeights(W, fullW, method);
  const wy = cachedAxisWeights(H, fullH, method);
  // Horizontal pass first (as PIL): [H, outW, C].
  const tmp = new Float32Array(H * outW * C);
  for (let y = 0; y < H; y++) {
    const row = y * W * C;
    for (let ox = 0; ox < outW; ox++) {
      const s = wx.start[x0 + ox];
      const ws = wx.weights[x0 + ox];
      const dst = (y * outW + ox) * C;
      for (let c = 0; c < C; c++) {
        let acc = 0;
        for (let k = 0; k < ws.length; k++) acc += ws[k] * src[row + (s + k) * C + c];
        tmp[dst + c] = acc;
      }
    }
  }
  // Vertical pass: [outH, outW, C].
  const out = new Float32Array(outH * outW * C);
  const rowLen = outW * C;
  for (let oy = 0; oy < outH; oy++) {
    const s = wy.start[y0 + oy];
    const ws = wy.weights[y0 + oy];
    const dst = oy * rowLen;
    for (let k = 0; k < ws.length; k++) {
      const w = ws[k];
      const srcRow = (s + k) * rowLen;
      for (let i = 0; i < rowLen; i++) out[dst + i] += w * tmp[srcRow + i];
    }
  }
  return out;
}
