// Turns uint8 images into the float NCHW tensors an encoder reads, from a PreprocessConfig stored as data.
import { invalidParameter } from '../errors.js';
import { resamplePlane } from './resize.js';
import type { PreprocessConfig, RgbImage } from './types.js';

/** CLIP's own preprocessing (CLIPImageProcessor): bicubic short side to 224, centre crop, OpenAI mean/std. */
export const CLIP_PRESET: PreprocessConfig = {
  size: 224,
  resize: 'bicubic',
  crop: 'center',
  colour: 'rgb',
  scale: 255,
  mean: [0.48145466, 0.4578275, 0.40821073],
  std: [0.26862954, 0.26130258, 0.27577711],
};

/** The official CAFE code's preprocessing: transforms.Resize((224, 224)) (PIL bilinear) + ImageNet mean/std. */
export const CAFE_PRESET: PreprocessConfig = {
  size: 224,
  resize: 'bilinear',
  crop: 'none',
  colour: 'rgb',
  scale: 255,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};

/** faceres as @vladmandic/human feeds it: tf.image.resizeBilinear to 224 x 224, values 0..255, no normalisation. */
export const FACERES_PRESET: PreprocessConfig = {
  size: 224,
  resize: 'bilinear-tf',
  crop: 'none',
  colour: 'rgb',
  scale: 1,
  mean: [0, 0, 0],
  std: [1, 1, 1],
};

export const PRESETS: Record<string, PreprocessConfig> = { clip: CLIP_PRESET, cafe: CAFE_PRESET, faceres: FACERES_PRESET };

/** Checks a parsed JSON object is a complete PreprocessConfig; `where` names the source in errors. */
export function validatePreprocess(raw: unknown, where: string): PreprocessConfig {
  const o = raw as Partial<PreprocessConfig>;
  const bad = (field: string, expected: string, actual: unknown) => invalidParameter(`${where}: ${field}`, expected, actual);
  if (typeof o !== 'object' || o === null) throw bad('preprocessing', 'an object', raw);
  if (!Number.isInteger(o.size) || o.size! < 1) throw bad('size', 'a positive integer', o.size);
  if (!['bilinear', 'bicubic', 'bilinear-tf'].includes(o.resize as string)) throw bad('resize', "'bilinear', 'bicubic' or 'bilinear-tf'", o.resize);
  if (!['center', 'none'].includes(o.crop as string)) throw bad('crop', "'center' or 'none'", o.crop);
  if (!['rgb', 'gray'].includes(o.colour as string)) throw bad('colour', "'rgb' or 'gray'", o.colour);
  if (typeof o.scale !== 'number' || !(o.scale > 0)) throw bad('scale', 'a positive number', o.scale);
  for (const k of ['mean', 'std'] as const) {
    const v = o[k];
    if (!Array.isArray(v) || v.length !== 3 || v.some((x) => typeof x !== 'number')) throw bad(k, 'an array of 3 numbers', v);
  }
  if (o.std!.some((x) => x === 0)) throw bad('std', 'non-zero values', o.std);
  return { size: o.size!, resize: o.resize!, crop: o.crop!, colour: o.colour!, scale: o.scale!, mean: [...o.mean!] as PreprocessConfig['mean'], std: [...o.std!] as PreprocessConfig['std'] };
}

/**
 * Maps a Hugging Face preprocessor_config.json (CLIPImageProcessor and the like) to a PreprocessConfig. Only the
 * fields that change the pixels matter: resample (2 = bilinear, 3 = bicubic), size, crop, mean/std.
 */
export function fromHfPreprocessor(raw: any, where: string): PreprocessConfig { // eslint-disable-line @typescript-eslint/no-explicit-any
  const size = raw?.crop_size?.height ?? raw?.crop_size ?? raw?.size?.shortest_edge ?? raw?.size?.height ?? raw?.size;
  const resize = raw?.resample === 2 ? 'bilinear' : raw?.resample === 3 || raw?.resample === undefined ? 'bicubic' : undefined;
  if (!resize) throw invalidParameter(`${where}: resample`, '2 (bilinear) or 3 (bicubic)', raw?.resample);
  return validatePreprocess(
    {
      size: typeof size === 'number' ? size : Number(size),
      resize,
      crop: raw?.do_center_crop === false ? 'none' : 'center',
      colour: 'rgb',
      scale: raw?.do_rescale === false ? 1 : 1 / (raw?.rescale_factor ?? 1 / 255),
      mean: raw?.do_normalize === false ? [0, 0, 0] : raw?.image_mean,
      std: raw?.do_normalize === false ? [1, 1, 1] : raw?.image_std,
    },
    where,
  );
}

/** Mirror image left-right (CAFE's flip augmentation, applied to the source before preprocessing). */
export function flipImage(img: RgbImage): RgbImage {
  const { width: W, height: H, channels: C } = img;
  const out = new Uint8Array(img.data.length);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const s = (y * W + x) * C;
      const d = (y * W + (W - 1 - x)) * C;
      for (let c = 0; c < C; c++) out[d + c] = img.data[s + c];
    }
  return { ...img, data: out };
}

/**
 * Channel planes [C][H * W] as floats 0..255, alpha dropped. Colour images whose channels are all equal (gray
 * PNGs stored as RGB, as in CK+48) collapse to one plane: same result, a third of the resampling work.
 */
function toPlanes(img: RgbImage, colour: PreprocessConfig['colour']): Float32Array[] {
  const { width: W, height: H, channels: C, data } = img;
  if (data.length !== W * H * C) throw invalidParameter('image data', `${W * H * C} bytes (${W}x${H}x${C})`, data.length);
  const n = W * H;
  let grayValued = C === 1;
  if (!grayValued) {
    grayValued = true;
    for (let i = 0; i < n && grayValued; i++) {
      const r = data[i * C];
      grayValued = data[i * C + 1] === r && data[i * C + 2] === r;
    }
  }
  if (grayValued) {
    const g = new Float32Array(n);
    for (let i = 0; i < n; i++) g[i] = data[i * C];
    return [g];
  }
  if (colour === 'gray') {
    const g = new Float32Array(n);
    for (let i = 0; i < n; i++) g[i] = 0.299 * data[i * C] + 0.587 * data[i * C + 1] + 0.114 * data[i * C + 2];
    return [g];
  }
  const planes = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  for (let i = 0; i < n; i++) {
    planes[0][i] = data[i * C];
    planes[1][i] = data[i * C + 1];
    planes[2][i] = data[i * C + 2];
  }
  return planes;
}

/** Output geometry for an input of W x H: the virtual resize size and the crop window in it. */
export function resizeGeometry(W: number, H: number, p: PreprocessConfig): { fullW: number; fullH: number; x0: number; y0: number } {
  if (p.crop === 'none') return { fullW: p.size, fullH: p.size, x0: 0, y0: 0 };
  // As CLIPImageProcessor: short side to size, long side int(size * long / short), then crop at floor((full - size) / 2).
  const fullW = W <= H ? p.size : Math.max(p.size, Math.trunc((p.size * W) / H));
  const fullH = H <= W ? p.size : Math.max(p.size, Math.trunc((p.size * H) / W));
  return { fullW, fullH, x0: Math.floor((fullW - p.size) / 2), y0: Math.floor((fullH - p.size) / 2) };
}

/**
 * Preprocesses one image into `out` at `offset` (or a new array): [3, size, size] float32, channel-planar,
 * value = (pixel / scale - mean[c]) / std[c].
 */
export function preprocessImage(img: RgbImage, p: PreprocessConfig, out?: Float32Array, offset = 0): Float32Array {
  const S = p.size;
  const target = out ?? new Float32Array(3 * S * S);
  if (target.length < offset + 3 * S * S) throw invalidParameter('out', `room for ${3 * S * S} floats at ${offset}`, target.length);
  const planes = toPlanes(img, p.colour);
  const g = resizeGeometry(img.width, img.height, p);
  const geom = { ...g, outH: S, outW: S };
  const plane = S * S;
  if (planes.length === 1) {
    // Gray: resample once (into the last channel's slot), then normalise per channel from it.
    const last = offset + 2 * plane;
    resamplePlane(planes[0], img.height, img.width, geom, p.resize, target, last);
    for (let c = 0; c < 3; c++) {
      const mul = 1 / (p.scale * p.std[c]);
      const add = -p.mean[c] / p.std[c];
      const base = offset + c * plane;
      for (let i = 0; i < plane; i++) target[base + i] = target[last + i] * mul + add;
    }
    return target;
  }
  for (let c = 0; c < 3; c++) {
    const mul = 1 / (p.scale * p.std[c]);
    const add = -p.mean[c] / p.std[c];
    resamplePlane(planes[c], img.height, img.width, geom, p.resize, target, offset + c * plane, mul, add);
  }
  return target;
}

/** Luma (ITU-R 601) repeated on 3 channels: what a grayscale training set (FER+) looked like to the model. */
export function toGray(img: RgbImage): RgbImage {
  const n = img.width * img.height;
  const C = img.channels;
  const d = img.data;
  const out = new Uint8Array(n * 3);
  // One branch per image, not per pixel: this runs on every face of every webcam frame. (x + 0.5) | 0 is
  // Math.round for these non-negative values.
  if (C >= 3) {
    for (let i = 0, j = 0; i < n; i++, j += C) {
      const g = (0.299 * d[j] + 0.587 * d[j + 1] + 0.114 * d[j + 2] + 0.5) | 0;
      out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = g;
    }
  } else {
    for (let i = 0; i < n; i++) out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = d[i];
  }
  return { width: img.width, height: img.height, channels: 3, data: out };
}
