// Any recognizer input in Node -> 8-bit RGB pixels, bounded in size. sharp normalises what photos come as (EXIF
// rotation, CMYK, 16-bit, palette, gray, alpha) and shrinks huge images before detection: BlazeFace reads 256 x 256
// anyway, and a 50-megapixel decode at full size would cost ~150 MB per image for nothing.
import sharp from 'sharp';
import { fileError } from '../errors.js';
import type { RgbImage } from '../encoders/types.js';
import { toRawImage, type CanvasLike, type Decoded, type ImageDataLike, type RawImage } from './pixels.js';

export type { CanvasLike, Decoded, ImageDataLike, RawImage } from './pixels.js';

/** A file path, encoded image bytes, raw pixels, ImageData or a canvas. */
export type RecognizerInput = string | Uint8Array | RawImage | ImageDataLike | CanvasLike;

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
  const raw = toRawImage(input);
  const data = raw.data instanceof Uint8Array ? raw.data : new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.length);
  if (raw.channels === 3 && Math.max(raw.width, raw.height) <= maxSide) {
    return { image: { width: raw.width, height: raw.height, channels: 3, data }, width: raw.width, height: raw.height, scale: 1 };
  }
  return viaSharp(sharp(data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } }), name, maxSide);
}
