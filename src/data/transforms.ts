// Training augmentations and normalisation on plain typed arrays (uint8 HWC RGB in, float32 CHW out), so the data
// layer needs neither the torch core nor a second image library. Randomness comes from a seeded Rng.
//
// Order, as in CAFE's torchvision pipeline (Resize, RandomHorizontalFlip, ToTensor, Normalize, RandomErasing) with
// the extras CAFE and common FER training add:
//   [random resized crop] -> horizontal flip -> [Gaussian noise, pixel domain] -> normalise -> [random erasing]
import { invalidParameter } from '../errors.js';
import type { RgbImage } from './image.js';
import { Rng } from '../util/rng.js';

export interface AugmentOptions {
  /** Probability of a horizontal flip; default 0.5 (torchvision RandomHorizontalFlip). */
  flip: number;
  /** Probability of a random resized crop; default 0 (off; CAFE itself does not crop). */
  resizedCrop: number;
  /** Area fraction range of that crop; default [0.8, 1] (a mild crop: faces are already aligned). */
  cropScale: [number, number];
  /** Aspect ratio range of that crop; default [3/4, 4/3] (torchvision). */
  cropRatio: [number, number];
  /** Probability of adding Gaussian noise; default 0.5 (as CAFE). */
  noise: number;
  /** Noise std is drawn per image uniformly from [0, noiseMaxStd] on the 0-255 scale; default 10 (~0.04 of range). */
  noiseMaxStd: number;
  /** Probability of random erasing; default 0.5 (torchvision RandomErasing). */
  erase: number;
  /** Erased area fraction range; default [0.02, 0.25] (CAFE's RandomErasing(scale=(0.02, 0.25))). */
  eraseScale: [number, number];
  /** Erased aspect ratio range; default [0.3, 3.3] (torchvision). */
  eraseRatio: [number, number];
}

export const DEFAULT_AUGMENT: AugmentOptions = {
  flip: 0.5,
  resizedCrop: 0,
  cropScale: [0.8, 1],
  cropRatio: [3 / 4, 4 / 3],
  noise: 0.5,
  noiseMaxStd: 10,
  erase: 0.5,
  eraseScale: [0.02, 0.25],
  eraseRatio: [0.3, 3.3],
};

/** Mean/std per RGB channel on the 0-1 scale, from the model's preprocessing config. */
export interface Normalization {
  mean: ArrayLike<number>;
  std: ArrayLike<number>;
}

/** ImageNet statistics: the official code feeds both CLIP and the ResNet ImageNet-normalised input (the trainer and
 *  the evaluator read the mask CNN's images with them). */
export const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

export function checkNormalization(n: Normalization): void {
  if (!n || n.mean?.length !== 3 || n.std?.length !== 3) throw invalidParameter('normalization', '{ mean: [r, g, b], std: [r, g, b] }', n);
  for (let c = 0; c < 3; c++) if (!(n.std[c] > 0)) throw invalidParameter('normalization.std', 'positive values', n.std);
}

/** Mirrors an image left-right in place. */
export function hflip(img: RgbImage): void {
  const { width: w, height: h, data } = img;
  for (let y = 0; y < h; y++) {
    const row = y * w * 3;
    for (let x = 0; x < w >> 1; x++) {
      const a = row + x * 3;
      const b = row + (w - 1 - x) * 3;
      for (let c = 0; c < 3; c++) {
        const t = data[a + c];
        data[a + c] = data[b + c];
        data[b + c] = t;
      }
    }
  }
}

/** torchvision RandomResizedCrop.get_params: a crop box (x, y, w, h) of the given area/aspect ranges. */
export function resizedCropBox(width: number, height: number, scale: [number, number], ratio: [number, number], rng: Rng): [number, number, number, number] {
  const area = width * height;
  const logR = [Math.log(ratio[0]), Math.log(ratio[1])];
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logR[0], logR[1]));
    const w = Math.round(Math.sqrt(target * aspect));
    const h = Math.round(Math.sqrt(target / aspect));
    if (w > 0 && h > 0 && w <= width && h <= height) return [rng.int(width - w + 1), rng.int(height - h + 1), w, h];
  }
  // Fallback, as torchvision: central crop at the nearest allowed aspect ratio.
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < ratio[0]) h = Math.round(w / ratio[0]);
  else if (inRatio > ratio[1]) w = Math.round(h * ratio[1]);
  return [Math.floor((width - w) / 2), Math.floor((height - h) / 2), w, h];
}

/** Bilinear resample of a crop of `img` back to img's size (align_corners=false, like torch). */
export function cropResize(img: RgbImage, box: [number, number, number, number]): RgbImage {
  const [bx, by, bw, bh] = box;
  const { width: W, height: H, data } = img;
  const out = new Uint8Array(W * H * 3);
  const sx = bw / W;
  const sy = bh / H;
  for (let y = 0; y < H; y++) {
    const fy = Math.min(bh - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(bh - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < W; x++) {
      const fx = Math.min(bw - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(bw - 1, x0 + 1);
      const wx = fx - x0;
      const p00 = ((by + y0) * W + bx + x0) * 3;
      const p01 = ((by + y0) * W + bx + x1) * 3;
      const p10 = ((by + y1) * W + bx + x0) * 3;
      const p11 = ((by + y1) * W + bx + x1) * 3;
      const o = (y * W + x) * 3;
      for (let c = 0; c < 3; c++) {
        const top = data[p00 + c] + (data[p01 + c] - data[p00 + c]) * wx;
        const bot = data[p10 + c] + (data[p11 + c] - data[p10 + c]) * wx;
        out[o + c] = Math.round(top + (bot - top) * wy);
      }
    }
  }
  return { width: W, height: H, data: out };
}

let NORMALS: Float32Array | undefined;
/** 2^16 standard normals from a fixed seed, shared by every noise draw. */
function normalTable(): Float32Array {
  if (!NORMALS) {
    const r = new Rng(0x5eed);
    NORMALS = Float32Array.from({ length: 1 << 16 }, () => r.normal());
  }
  return NORMALS;
}

/**
 * Writes `img` normalised into `out` at `offset` as CHW float32: (x/255 + noise - mean) / std. `noiseStd` (0-255
 * scale, 0 = none) adds clipped Gaussian noise on the way, so noise costs no extra pass.
 */
export function writeNormalizedCHW(img: RgbImage, norm: Normalization, out: Float32Array, offset: number, noiseStd = 0, rng?: Rng): void {
  const n = img.width * img.height;
  const d = img.data;
  for (let c = 0; c < 3; c++) {
    const scale = 1 / (255 * norm.std[c]);
    const shift = norm.mean[c] / norm.std[c];
    const base = offset + c * n;
    if (noiseStd > 0 && rng) {
      // Normals come from a fixed table walked from a random start with a random odd stride: one Box-Muller per
      // pixel cost more than the rest of the transform, and augmentation noise needs no better independence.
      const table = normalTable();
      const mask = table.length - 1;
      let k = rng.nextU32() & mask;
      const stride = (rng.nextU32() & mask) | 1;
      for (let i = 0; i < n; i++) {
        const v = Math.min(255, Math.max(0, d[i * 3 + c] + noiseStd * table[k]));
        k = (k + stride) & mask;
        out[base + i] = v * scale - shift;
      }
    } else {
      for (let i = 0; i < n; i++) out[base + i] = d[i * 3 + c] * scale - shift;
    }
  }
}

/** torchvision RandomErasing (value=0) on one CHW image already in `out`; returns whether it erased. */
export function randomErase(out: Float32Array, offset: number, height: number, width: number, scale: [number, number], ratio: [number, number], rng: Rng): boolean {
  const area = height * width;
  const logR = [Math.log(ratio[0]), Math.log(ratio[1])];
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logR[0], logR[1]));
    const h = Math.round(Math.sqrt(target * aspect));
    const w = Math.round(Math.sqrt(target / aspect));
    if (!(h < height && w < width)) continue;
    const i0 = rng.int(height - h + 1);
    const j0 = rng.int(width - w + 1);
    for (let c = 0; c < 3; c++) {
      for (let y = i0; y < i0 + h; y++) out.fill(0, offset + (c * height + y) * width + j0, offset + (c * height + y) * width + j0 + w);
    }
    return true;
  }
  return false;
}

/** The full training transform of one image into `out` (CHW at offset). `img` is not modified. */
export function augmentInto(img: RgbImage, aug: AugmentOptions, norm: Normalization, rng: Rng, out: Float32Array, offset: number): void {
  let cur = img;
  if (aug.resizedCrop > 0 && rng.next() < aug.resizedCrop) {
    cur = cropResize(cur, resizedCropBox(cur.width, cur.height, aug.cropScale, aug.cropRatio, rng));
  }
  if (aug.flip > 0 && rng.next() < aug.flip) {
    if (cur === img) cur = { width: img.width, height: img.height, data: img.data.slice() };
    hflip(cur);
  }
  const noiseStd = aug.noise > 0 && rng.next() < aug.noise ? rng.uniform(0, aug.noiseMaxStd) : 0;
  writeNormalizedCHW(cur, norm, out, offset, noiseStd, rng);
  if (aug.erase > 0 && rng.next() < aug.erase) randomErase(out, offset, cur.height, cur.width, aug.eraseScale, aug.eraseRatio, rng);
}
