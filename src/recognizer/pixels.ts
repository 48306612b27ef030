// Pixels already in memory -> the bounded RGB image the detector reads. Platform-free: Node's decoder (decode.ts,
// sharp) and the browser's (src/browser/decode.ts, canvas) both end here for raw pixels, ImageData and canvases.
import { invalidParameter } from '../errors.js';
import type { RgbImage } from '../encoders/types.js';
import { scaleMap, warpAffine } from '../detect/warp.js';

/** Raw pixels: row-major, channels interleaved (1 gray, 3 RGB, 4 RGBA: alpha ignored). */
export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Uint8Array | Uint8ClampedArray;
}

/** A browser ImageData ({width, height, data: RGBA}). */
export interface ImageDataLike {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** A canvas-like object (HTMLCanvasElement, OffscreenCanvas, node-canvas) with getContext('2d'). */
export interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): ImageDataLike } | null;
}

export interface Decoded {
  /** Pixels the models see (possibly downscaled). */
  image: RgbImage;
  /** Size of the input as given (after EXIF rotation). */
  width: number;
  height: number;
  /** input pixels per decoded pixel (>= 1): results are scaled back by this. */
  scale: number;
}

export function isCanvasLike(input: unknown): input is CanvasLike {
  return typeof input === 'object' && input !== null && typeof (input as CanvasLike).getContext === 'function';
}

/** Raw pixels, ImageData or a canvas -> RawImage, checked; anything else is an invalidParameter error. */
export function toRawImage(input: RawImage | ImageDataLike | CanvasLike): RawImage {
  let raw: RawImage;
  if (isCanvasLike(input)) {
    const ctx = input.getContext('2d');
    if (!ctx) throw invalidParameter('input', 'a canvas with a 2d context', input);
    const d = ctx.getImageData(0, 0, input.width, input.height);
    raw = { width: d.width, height: d.height, channels: 4, data: d.data };
  } else {
    const r = input as RawImage | ImageDataLike;
    raw = { width: r.width, height: r.height, channels: 'channels' in r ? r.channels : 4, data: r.data };
  }
  if (![1, 3, 4].includes(raw.channels) || !(raw.width >= 1) || !(raw.height >= 1) || !raw.data || raw.data.length !== raw.width * raw.height * raw.channels) {
    throw invalidParameter('raw image', 'width x height x channels (1, 3 or 4) bytes', `${raw.width}x${raw.height}x${raw.channels} with ${raw.data?.length} bytes`);
  }
  return raw;
}

/**
 * RawImage -> 3-channel RGB no larger than maxSide, in plain TypeScript (supersampled area-like shrink, see
 * warp.ts). RGB input that already fits is used as is, without a copy.
 */
export function boundPixels(raw: RawImage, maxSide: number): Decoded {
  const data = raw.data instanceof Uint8Array ? raw.data : new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.length);
  const img: RgbImage = { width: raw.width, height: raw.height, channels: raw.channels, data };
  const side = Math.max(raw.width, raw.height);
  if (raw.channels === 3 && side <= maxSide) return { image: img, width: raw.width, height: raw.height, scale: 1 };
  if (side <= maxSide) {
    // No resize: drop alpha / spread gray with a plain copy (what a scale-1 warp gives, pixel for pixel, 10x faster:
    // a 640x480 webcam frame's RGBA every frame).
    const n = raw.width * raw.height;
    const c = raw.channels;
    const out = new Uint8Array(n * 3);
    for (let i = 0, j = 0; i < n; i++, j += c) {
      out[3 * i] = data[j];
      out[3 * i + 1] = data[c >= 3 ? j + 1 : j];
      out[3 * i + 2] = data[c >= 3 ? j + 2 : j];
    }
    return { image: { width: raw.width, height: raw.height, channels: 3, data: out }, width: raw.width, height: raw.height, scale: 1 };
  }
  const s = Math.max(1, side / maxSide);
  const w = Math.max(1, Math.round(raw.width / s));
  const h = Math.max(1, Math.round(raw.height / s));
  return { image: warpAffine(img, scaleMap(raw.width / w), w, h), width: raw.width, height: raw.height, scale: raw.width / w };
}
