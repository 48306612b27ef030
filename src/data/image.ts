// Decoding with sharp into plain uint8 HWC RGB: every format FER datasets ship (PNG incl. palette and 16-bit, JPEG,
// TIFF incl. palette, WebP, BMP via sharp's loaders), gray -> RGB, alpha flattened onto black, EXIF orientation
// applied. Then an optional face-box crop with margin and a resize to the model's input size.
import sharp from 'sharp';
import { fileError, invalidParameter } from '../errors.js';
import type { Box, ImageSource } from './types.js';

/** 8-bit RGB, row-major, channels interleaved (HWC). */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface ImageOptions {
  /** Output side in pixels (square); default 112 (CAFE's ResNet-18 input on the FER benchmarks is 112 or 224). */
  size: number;
  /** Margin added around a dataset's face box on every side, as a fraction of the box side; default 0.1. */
  margin: number;
  /** 'fill' stretches to size x size like torchvision Resize((s, s)) (CAFE's choice); 'cover' center-crops. */
  fit: 'fill' | 'cover';
  /** Treat an image whose every pixel is <= blankThreshold as broken ('all-black') and skip it; default true. */
  skipBlank: boolean;
}

export const DEFAULT_IMAGE_OPTIONS: ImageOptions = { size: 112, margin: 0.1, fit: 'fill', skipBlank: true };

/** Largest value still counted as black: a little above 0 so JPEG noise in a black frame still counts. */
export const BLANK_THRESHOLD = 4;

export function checkImageOptions(o: ImageOptions): void {
  if (!Number.isInteger(o.size) || o.size < 8 || o.size > 1024) throw invalidParameter('image size', 'an integer in [8, 1024]', o.size);
  if (!(o.margin >= 0 && o.margin <= 1)) throw invalidParameter('image margin', 'a fraction in [0, 1]', o.margin);
  if (o.fit !== 'fill' && o.fit !== 'cover') throw invalidParameter('image fit', "'fill' or 'cover'", o.fit);
}

function sourceName(src: ImageSource): string {
  return src.kind === 'file' ? src.path : `<${src.width}x${src.height} pixels>`;
}

function toRgb(data: Buffer, width: number, height: number, channels: number): RgbImage {
  if (channels === 3) return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  const out = new Uint8Array(width * height * 3);
  const n = width * height;
  for (let i = 0; i < n; i++) {
    const g = data[i * channels];
    if (channels >= 3) {
      out[i * 3] = g;
      out[i * 3 + 1] = data[i * channels + 1];
      out[i * 3 + 2] = data[i * channels + 2];
    } else out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = g;
  }
  return { width, height, data: out };
}

function open(src: ImageSource): sharp.Sharp {
  if (src.kind === 'file') return sharp(src.path, { failOn: 'error' });
  return sharp(src.data, { raw: { width: src.width, height: src.height, channels: src.channels } });
}

/** Normalises any decoded input: orientation, 8-bit sRGB, no alpha. */
function normalise(img: sharp.Sharp): sharp.Sharp {
  return img.rotate().flatten({ background: { r: 0, g: 0, b: 0 } }).toColourspace('srgb');
}

async function rawRgb(img: sharp.Sharp): Promise<RgbImage> {
  const { data, info } = await img.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  return toRgb(data, info.width, info.height, info.channels);
}

/** Decodes a whole image to RGB, or throws naming the file. */
export async function decodeRgb(src: ImageSource): Promise<RgbImage> {
  try {
    return await rawRgb(normalise(open(src)));
  } catch (err) {
    throw fileError(sourceName(src), `cannot decode image (${(err as Error).message.split('\n')[0]})`);
  }
}

/** The square region a face box with margin covers (may extend past the image; the outside is black). */
export function cropRegion(box: Box, margin: number): Box {
  const side = Math.max(box.width, box.height) * (1 + 2 * margin);
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const s = Math.max(1, Math.round(side));
  return { x: Math.round(cx - s / 2), y: Math.round(cy - s / 2), width: s, height: s };
}

/** Copies `region` out of `img`, black where the region leaves the image. */
export function cropPadded(img: RgbImage, region: Box): RgbImage {
  const { width: w, height: h } = region;
  const out = new Uint8Array(w * h * 3);
  const x0 = Math.max(0, region.x);
  const x1 = Math.min(img.width, region.x + w);
  if (x1 <= x0) return { width: w, height: h, data: out };
  for (let y = 0; y < h; y++) {
    const sy = region.y + y;
    if (sy < 0 || sy >= img.height) continue;
    const src = (sy * img.width + x0) * 3;
    out.set(img.data.subarray(src, src + (x1 - x0) * 3), (y * w + (x0 - region.x)) * 3);
  }
  return { width: w, height: h, data: out };
}

/** Decode + crop (when a box is given) + resize to opts.size: the cached form of every item. */
export async function loadFace(src: ImageSource, box: Box | undefined, opts: ImageOptions): Promise<RgbImage> {
  const resize = { width: opts.size, height: opts.size, fit: opts.fit, kernel: 'linear' as const };
  try {
    if (!box) return await rawRgb(normalise(open(src)).resize(resize));
    const full = await rawRgb(normalise(open(src)));
    const face = cropPadded(full, cropRegion(box, opts.margin));
    return await rawRgb(sharp(face.data, { raw: { width: face.width, height: face.height, channels: 3 } }).resize(resize));
  } catch (err) {
    throw fileError(sourceName(src), `cannot decode image (${(err as Error).message.split('\n')[0]})`);
  }
}

/** True when every byte is <= BLANK_THRESHOLD (an all-black image). */
export function isBlank(data: Uint8Array): boolean {
  for (let i = 0; i < data.length; i++) if (data[i] > BLANK_THRESHOLD) return false;
  return true;
}
