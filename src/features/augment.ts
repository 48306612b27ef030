// Augmented encoder views (#11 lever 3): K deterministic variants of each training face, encoded once and cached like
// the mirrored view, so a head trained on frozen features sees F under the nuisances it meets off its training set
// (movie frames: other framing, blur, low resolution, harsh light; lab photos: other framing and contrast). The
// official CAFE code re-encodes an augmented image every step; with a frozen encoder on 2 cores we cache K views per
// image instead and let the trainer draw among them (the full-batch probe takes them all as extra rows).
//
// Platform-free, plain TypeScript over RgbImage (warp.ts does the geometry). Deterministic: view k of an item depends
// only on (item id, k, AUGMENT_VERSION), so a cached view is valid as long as those are.
import { warpAffine } from '../detect/warp.js';
import type { RgbImage } from '../encoders/types.js';
import { invalidParameter } from '../errors.js';
import { mulberry32 } from '../util/rng.js';

/** Bump when augmentFace changes: cached views under the old version are then simply not read. */
export const AUGMENT_VERSION = 1;

/** The feature-cache view name of augmented view k (0-based). */
export const augmentView = (k: number): `aug${number}x${number}` => `aug${AUGMENT_VERSION}x${k}`;

/** The ranges one view is drawn from (uniform unless said). */
export interface AugmentConfig {
  /** Max in-plane rotation, degrees (±). */
  rotateDeg: number;
  /** Scale range of the face in the frame (1 = as given; > 1 zooms in). */
  scale: [number, number];
  /** Max shift of the frame as a fraction of its size (±, each axis). */
  shift: number;
  /** Probability of a mirrored view. */
  flip: number;
  /** Brightness offset range (± fraction of 255), contrast factor range, gamma range. */
  brightness: number;
  contrast: [number, number];
  gamma: [number, number];
  /** Probability and range of a low-resolution pass (shrink to this fraction of the size, then back). */
  downscaleP: number;
  downscale: [number, number];
  /** Probability and sigma range (pixels of the source) of a Gaussian blur. */
  blurP: number;
  blur: [number, number];
}

export const DEFAULT_AUGMENT: AugmentConfig = {
  rotateDeg: 12, // head roll of in-the-wild faces beyond what eye alignment removes
  scale: [0.88, 1.12], // tighter or looser crops than the dataset's framing (FER+ is tight, SFEW/CK+ crops differ)
  shift: 0.06,
  flip: 0.5,
  brightness: 0.15,
  contrast: [0.7, 1.3],
  gamma: [0.7, 1.5], // dark movie frames
  downscaleP: 0.3,
  downscale: [0.5, 0.8], // small faces in wide frames (of the source size: FER+ is 48 px already)
  blurP: 0.25,
  blur: [0.3, 0.8], // motion / focus blur, in source pixels
};

/** A seeded uniform [0, 1) generator (mulberry32) for one view of one item. */
export function viewRandom(id: string, k: number): () => number {
  // FNV-1a over the key, then mulberry32 (the stream the cached views were made with: keep it).
  let s = 0x811c9dc5;
  for (const ch of `${AUGMENT_VERSION}|${k}|${id}`) s = Math.imul(s ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return mulberry32(s);
}

/** Separable Gaussian blur of an interleaved image (edges replicated). */
function gaussianBlur(img: RgbImage, sigma: number): RgbImage {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const kernel = Float64Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = kernel.reduce((a, b) => a + b, 0);
  for (let i = 0; i < kernel.length; i++) kernel[i] /= sum;
  const { width: W, height: H, channels: C, data } = img;
  const tmp = new Float32Array(W * H * C);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      for (let c = 0; c < C; c++) {
        let acc = 0;
        for (let k = -r; k <= r; k++) acc += kernel[k + r] * data[(y * W + Math.min(W - 1, Math.max(0, x + k))) * C + c];
        tmp[(y * W + x) * C + c] = acc;
      }
  const out = new Uint8Array(W * H * C);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      for (let c = 0; c < C; c++) {
        let acc = 0;
        for (let k = -r; k <= r; k++) acc += kernel[k + r] * tmp[(Math.min(H - 1, Math.max(0, y + k)) * W + x) * C + c];
        out[(y * W + x) * C + c] = Math.round(acc);
      }
  return { width: W, height: H, channels: C, data: out };
}

/**
 * View k (k >= 0) of a face image: same size, RGB. Geometry first (rotation, scale, shift, mirror in one affine warp
 * with replicated borders), then resolution loss and blur, then brightness / contrast / gamma.
 */
export function augmentFace(img: RgbImage, id: string, k: number, cfg: AugmentConfig = DEFAULT_AUGMENT): RgbImage {
  if (!Number.isInteger(k) || k < 0) throw invalidParameter('augmented view index', 'an integer >= 0', k);
  const rnd = viewRandom(id, k);
  const u = (lo: number, hi: number) => lo + (hi - lo) * rnd();
  const { width: W, height: H } = img;
  // Output pixel (u, v) -> source: centre, undo shift, rotate, scale, mirror, back to the source centre.
  const theta = (u(-cfg.rotateDeg, cfg.rotateDeg) * Math.PI) / 180;
  const s = u(cfg.scale[0], cfg.scale[1]);
  const tx = u(-cfg.shift, cfg.shift) * W, ty = u(-cfg.shift, cfg.shift) * H;
  const mirror = rnd() < cfg.flip ? -1 : 1;
  const cos = Math.cos(theta) / s, sin = Math.sin(theta) / s;
  const cx = W / 2, cy = H / 2;
  // x = cx + mirror * (cos * (u - cx - tx) - sin * (v - cy - ty)); y = cy + sin * (u - cx - tx) + cos * (v - cy - ty)
  const a = mirror * cos, b = -mirror * sin, d = sin, e = cos;
  const m = { a, b, c: cx - a * (cx + tx) - b * (cy + ty), d, e, f: cy - d * (cx + tx) - e * (cy + ty) };
  let out = warpAffine(img, m, W, H, 'replicate');
  if (rnd() < cfg.downscaleP) {
    const f = u(cfg.downscale[0], cfg.downscale[1]);
    const w = Math.max(8, Math.round(W * f)), h = Math.max(8, Math.round(H * f));
    const small = warpAffine(out, { a: W / w, b: 0, c: 0, d: 0, e: H / h, f: 0 }, w, h, 'replicate');
    out = warpAffine(small, { a: w / W, b: 0, c: 0, d: 0, e: h / H, f: 0 }, W, H, 'replicate');
  } else rnd();
  if (rnd() < cfg.blurP) out = gaussianBlur(out, u(cfg.blur[0], cfg.blur[1]));
  else rnd();
  const bright = u(-cfg.brightness, cfg.brightness) * 255;
  const contrast = u(cfg.contrast[0], cfg.contrast[1]);
  const gamma = u(cfg.gamma[0], cfg.gamma[1]);
  const lut = new Uint8Array(256);
  for (let v = 0; v < 256; v++) {
    const c = (v - 128) * contrast + 128 + bright;
    lut[v] = Math.round(255 * Math.pow(Math.min(1, Math.max(0, c / 255)), gamma));
  }
  const data = out.data;
  for (let i = 0; i < data.length; i++) data[i] = lut[data[i]];
  return out;
}
