// What the service lets through to a decoder: a format allow-list by magic bytes (never by the client's
// Content-Type or file name), then the header's dimensions against maxPixels BEFORE anything is decoded, so a
// decompression bomb (a small file declaring a huge image) costs a header read. SVG, PDF and other formats that
// can reference files or URLs never reach libvips' loaders. sharp's metadata() reads the header only, off the event
// loop (libuv's thread pool).
import sharp from 'sharp';
import { HttpError } from './http-error.js';

/** The allowed formats and how each begins. */
export const ALLOWED_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif'] as const;
export type AllowedFormat = (typeof ALLOWED_FORMATS)[number];

const ascii = (b: Uint8Array, at: number, s: string) => b.length >= at + s.length && s.split('').every((c, i) => b[at + i] === c.charCodeAt(0));

/** The allowed format the bytes begin with, or null. */
export function sniffFormat(b: Uint8Array): AllowedFormat | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, 'PNG\r\n\x1a\n')) return 'png';
  if (ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP')) return 'webp';
  if (ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a')) return 'gif';
  if (ascii(b, 0, 'II*\0') || ascii(b, 0, 'MM\0*')) return 'tiff';
  if (ascii(b, 4, 'ftyp') && (ascii(b, 8, 'avif') || ascii(b, 8, 'avis'))) return 'avif';
  return null;
}

/** A short, safe description of what unrecognised bytes look like, for the 415 message. */
function lookOf(b: Uint8Array): string {
  const head = Buffer.from(b.subarray(0, 256)).toString('latin1').trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'SVG';
  if (head.startsWith('<')) return 'XML/HTML';
  if (head.startsWith('%pdf')) return 'PDF';
  if (head.startsWith('{') || head.startsWith('[')) return 'JSON';
  if (/^https?:\/\//.test(head)) return 'a URL (URLs are not fetched: send the image bytes)';
  if (b.subarray(0, 64).every((c) => c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127))) return 'text';
  return 'unknown bytes';
}

export interface ImageHeader {
  format: AllowedFormat;
  width: number;
  height: number;
}

/** Checks one image's bytes; throws an HttpError (4xx) naming `what` and the problem. */
export async function checkImage(bytes: Uint8Array, what: string, maxPixels: number): Promise<ImageHeader> {
  if (bytes.length === 0) throw new HttpError(400, 'CAFE_IMAGE_EMPTY', `${what}: empty (0 bytes)`);
  const format = sniffFormat(bytes);
  if (!format) {
    throw new HttpError(415, 'CAFE_IMAGE_FORMAT', `${what}: not an allowed image format (${ALLOWED_FORMATS.join(', ')}); it looks like ${lookOf(bytes)}`);
  }
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new HttpError(400, 'CAFE_IMAGE_CORRUPT', `${what}: unreadable ${format} header (${(err as Error).message.split('\n')[0]})`);
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (!(width >= 1 && height >= 1)) throw new HttpError(400, 'CAFE_IMAGE_CORRUPT', `${what}: no image size in the ${format} header`);
  if (width * height > maxPixels) {
    throw new HttpError(413, 'CAFE_IMAGE_TOO_LARGE', `${what}: ${width}x${height} = ${((width * height) / 1e6).toFixed(1)} megapixels, above the limit of ${(maxPixels / 1e6).toFixed(1)} (maxPixels)`);
  }
  return { format, width, height };
}
