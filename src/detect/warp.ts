// Affine resampling in plain TypeScript: the aligned face crop and the detector's input are both "sample the image
// through a 2x3 matrix". Bilinear taps, supersampled when the map shrinks the image (a k x k grid per output pixel),
// so a 1000-pixel face reduced to 112 does not alias the way plain bilinear would.
import type { RgbImage } from '../encoders/types.js';

/** Maps output pixel centre (u, v) to input coordinates: x = a*u + b*v + c, y = d*u + e*v + f. */
export interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

export type Border = 'black' | 'replicate';

/**
 * Output: width x height RGB (3 channels) sampled from `img` (1, 3 or 4 channels; alpha ignored).
 * Coordinates follow the pixel-centre convention: output pixel (i, j) sits at (i + 0.5, j + 0.5).
 */
export function warpAffine(img: RgbImage, m: Affine, width: number, height: number, border: Border = 'replicate'): RgbImage {
  const out = new Uint8Array(width * height * 3);
  const { width: W, height: H, channels: C, data } = img;
  // Input pixels covered by one output pixel along each axis; > 1 means shrinking.
  const step = Math.max(Math.hypot(m.a, m.d), Math.hypot(m.b, m.e));
  const k = Math.min(3, Math.max(1, Math.ceil(step - 1e-6)));
  const acc = [0, 0, 0];
  const tap = (x: number, y: number): boolean => {
    // Bilinear at continuous (x, y) with pixel centres at integer + 0.5.
    let fx = x - 0.5;
    let fy = y - 0.5;
    if (border === 'black' && (fx < -1 || fy < -1 || fx > W || fy > H)) return false;
    fx = Math.min(Math.max(fx, 0), W - 1);
    fy = Math.min(Math.max(fy, 0), H - 1);
    const x0 = Math.floor(fx);
    const y0 = Math.floor(fy);
    const x1 = Math.min(x0 + 1, W - 1);
    const y1 = Math.min(y0 + 1, H - 1);
    const wx = fx - x0;
    const wy = fy - y0;
    const i00 = (y0 * W + x0) * C;
    const i01 = (y0 * W + x1) * C;
    const i10 = (y1 * W + x0) * C;
    const i11 = (y1 * W + x1) * C;
    for (let c = 0; c < 3; c++) {
      const cc = C >= 3 ? c : 0;
      const top = data[i00 + cc] * (1 - wx) + data[i01 + cc] * wx;
      const bot = data[i10 + cc] * (1 - wx) + data[i11 + cc] * wx;
      acc[c] += top * (1 - wy) + bot * wy;
    }
    return true;
  };
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      acc[0] = acc[1] = acc[2] = 0;
      let n = 0;
      for (let sj = 0; sj < k; sj++) {
        const v = j + (sj + 0.5) / k;
        for (let si = 0; si < k; si++) {
          const u = i + (si + 0.5) / k;
          if (tap(m.a * u + m.b * v + m.c, m.d * u + m.e * v + m.f)) n++;
        }
      }
      const o = (j * width + i) * 3;
      // Black border: the missing taps count as 0, so edge pixels fade to black rather than stretching.
      const div = border === 'black' ? k * k : Math.max(n, 1);
      out[o] = Math.round(acc[0] / div);
      out[o + 1] = Math.round(acc[1] / div);
      out[o + 2] = Math.round(acc[2] / div);
    }
  }
  return { width, height, channels: 3, data: out };
}

/** Scale-only map: output (u, v) -> input (u * s, v * s). */
export function scaleMap(s: number): Affine {
  return { a: s, b: 0, c: 0, d: 0, e: s, f: 0 };
}
