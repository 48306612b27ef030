// Any recognizer input -> 8-bit RGB pixels, bounded in size. sharp normalises what photos come as (EXIF rotation,
// CMYK, 16-bit, palette, gray, alpha) and shrinks huge images before detection: BlazeFace reads 256 x 256 anyway,
// and a 50-megapixel decode at full size would cost ~150 MB per image for nothing.
import sharp from 'sharp';
import { fileError, invalidParameter } from '../errors.js';
import type { RgbImage } from '../encoders/types.js';

/** Raw pixels: row-major, channels interleaved (1 gray, 3 RGB, 4 RGBA: alpha ignored). */
export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Uint8Array | Uint8ClampedArray;
}

/** A browser ImageData ({width, height, data: RGBA}) or a canvas-like object with getContext('2d'). */
export interface ImageDataLike {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}
export interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): ImageDataLike } | null;
}

/** A file path, encoded image bytes, raw pixels, or (in a browser) ImageData / a canvas. */
export type RecognizerInput = string | Uint8Array | RawImage | ImageDataLike | CanvasLike;

export interface Decoded {
  /** Pixels the models see (possibly downscaled). */
  image: RgbImage;
  /** Size of the input as given (after EXIF rotation). */
  width: number;
  height: number;
  /** input pixels per decoded pixel (>= 1): results are scaled back by this. */
  scale: number;
}

export function describeInput(input: RecognizerInput): string {
  if (typeof input === 'string') return input;
  if (input instanceof Uint8Array) return `<${input.length}-byte buffer>`;
  return `<${input.width}x${input.height} pixels>`;
}

async function viaSharp(img: sharp.Sharp, name: string, maxSide: number): Promise<Decoded> {
  try {
    const norm = img.rotate().flatten({ background: { r: 0, g: 0, b: 0 } }).toColourspace('srgb');
    // Size after rotation: orientation 5-8 swaps width and height.
    const meta = await img.metadata();
    const swap = (meta.orientation ?? 1) >= 5;
    const width = (swap ? meta.height : meta.width) ?? 0;
    const height = (swap ? meta.width : meta.height) ?? 0;
    if (width < 1 || height < 1) throw new Error('no image size in the header');
    const big = Math.max(width, height) > maxSide;
    const out = big ? norm.resize({ width: maxSide, height: maxSide, fit: 'inside', kernel: 'lanczos3' }) : norm;
    const { data, info } = await out.removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const image: RgbImage = { width: info.width, height: info.height, channels: info.channels as 1 | 3, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
    if (info.channels !== 3 && info.channels !== 1) throw new Error(`${info.channels} channels after conversion`);
    return { image, width, height, scale: width / info.width };
  } catch (err) {
    throw fileError(name, `cannot decode image (${(err as Error).message.split('\n')[0]})`);
  }
}

/** Decodes and bounds an input; throws a CafeError naming the file for anything that is not a readable image. */
export async function decodeInput(input: RecognizerInput, maxSide: number): Promise<Decoded> {
  const name = describeInput(input);
  if (typeof input === 'string' || input instanceof Uint8Array) {
    if (input instanceof Uint8Array && input.length === 0) throw fileError(name, 'empty buffer');
    // limitInputPixels: 50-megapixel photos are legitimate; the default cap (268 MP) stays as a decompression-bomb guard.
    return viaSharp(sharp(input, { failOn: 'error' }), name, maxSide);
  }
  let raw: RawImage;
  if ('getContext' in input && typeof input.getContext === 'function') {
    const ctx = input.getContext('2d');
    if (!ctx) throw invalidParameter('input', 'a canvas with a 2d context', input);
    const d = ctx.getImageData(0, 0, input.width, input.height);
    raw = { width: d.width, height: d.height, channels: 4, data: d.data };
  } else {
    const r = input as RawImage | ImageDataLike;
    const channels = 'channels' in r ? r.channels : 4;
    raw = { width: r.width, height: r.height, channels, data: r.data };
  }
  if (![1, 3, 4].includes(raw.channels) || !(raw.width >= 1) || !(raw.height >= 1) || raw.data.length !== raw.width * raw.height * raw.channels) {
    throw invalidParameter('raw image', 'width x height x channels (1, 3 or 4) bytes', `${raw.width}x${raw.height}x${raw.channels} with ${raw.data.length} bytes`);
  }
  const data = raw.data instanceof Uint8Array ? raw.data : new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.length);
  if (raw.channels === 3 && Math.max(raw.width, raw.height) <= maxSide) {
    return { image: { width: raw.width, height: raw.height, channels: 3, data }, width: raw.width, height: raw.height, scale: 1 };
  }
  return viaSharp(sharp(data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } }), name, maxSide);
}
