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
 * Resamples one float plane [H, W] to the window [y0, y0 + outH) x [x0, x0 + outW) of a virtual resize to
 * fullH x fullW (resize-then-crop without computing cropped-away pixels), writing [outH, outW] into `out` at
 * `offset` as value * mul + add (the normalisation, fused to save a pass).
 */
export function resamplePlane(
  src: Float32Array,
  H: number,
  W: number,
  geom: { fullH: number; fullW: number; y0: number; x0: number; outH: number; outW: number },
  method: ResizeMethod,
  out: Float32Array,
  offset: number,
  mul = 1,
  add = 0,
): void {
  const { fullH, fullW, y0, x0, outH, outW } = geom;
  const wx = cachedAxisWeights(W, fullW, method);
  const wy = cachedAxisWeights(H, fullH, method);
  // Horizontal pass first (as PIL): [H, outW].
  const tmp = new Float32Array(H * outW);
  for (let y = 0; y < H; y++) {
    const row = y * W;
    const dst = y * outW;
    for (let ox = 0; ox < outW; ox++) {
      const s = row + wx.start[x0 + ox];
      const ws = wx.weights[x0 + ox];
      let acc = 0;
      for (let k = 0; k < ws.length; k++) acc += ws[k] * src[s + k];
      tmp[dst + ox] = acc;
    }
  }
  // Vertical pass, accumulated row by row into the output, then the affine map.
  for (let oy = 0; oy < outH; oy++) {
    const s = wy.start[y0 + oy];
    const ws = wy.weights[y0 + oy];
    const dst = offset + oy * outW;
    out.fill(0, dst, dst + outW);
    for (let k = 0; k < ws.length; k++) {
      const w = ws[k];
      const srcRow = (s + k) * outW;
      for (let i = 0; i < outW; i++) out[dst + i] += w * tmp[srcRow + i];
    }
    if (mul !== 1 || add !== 0) for (let i = 0; i < outW; i++) out[dst + i] = out[dst + i] * mul + add;
  }
}
