// Any recognizer input in a browser -> 8-bit RGB pixels, bounded in size. Encoded images (URL, Blob, bytes) are
// decoded by the browser itself (createImageBitmap: EXIF orientation applied, every format the browser reads) and
// shrunk while decoding when larger than maxSide; drawables (img, video, canvas, ImageBitmap) are drawn onto a
// canvas; ImageData and raw pixels go through the same plain-TypeScript path as in Node (recognizer/pixels.ts).
import { CafeError, fileError, invalidParameter } from '../errors.js';
import { boundPixels, isCanvasLike, toRawImage, type CanvasLike, type Decoded, type ImageDataLike, type RawImage } from '../recognizer/pixels.js';

/** Anything the browser can draw: HTMLImageElement, HTMLVideoElement, HTMLCanvasElement, ImageBitmap, OffscreenCanvas... */
export type Drawable = CanvasImageSource;

/** A URL, a Blob/File, encoded bytes, a drawable element, ImageData or raw pixels. */
export type BrowserInput = string | Blob | ArrayBuffer | Uint8Array | Drawable | ImageDataLike | RawImage | CanvasLike;

export function describeBrowserInput(input: BrowserInput): string {
  if (typeof input === 'string') return input;
  if (typeof Blob !== 'undefined' && input instanceof Blob) return (input as File).name ?? `<${input.size}-byte ${input.type || 'blob'}>`;
  if (input instanceof ArrayBuffer || input instanceof Uint8Array) return `<${input.byteLength}-byte buffer>`;
  const d = input as { width?: number; height?: number; constructor?: { name?: string } };
  return `<${d.constructor?.name ?? 'image'} ${d.width ?? '?'}x${d.height ?? '?'}>`;
}

// One canvas for every draw, resized when the size changes: a webcam loop draws a frame 15-30 times a second, and a
// fresh 640x480 canvas per frame cost 6 ms of its 11 (bench/results/webcam.md).
let shared: { canvas: OffscreenCanvas | HTMLCanvasElement; ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D } | undefined;

function sharedContext(w: number, h: number): CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D {
  if (!shared) {
    const c = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(w, h) : document.createElement('canvas');
    const ctx = c.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
    if (!ctx) throw new CafeError('this browser gives no 2d canvas context: pass ImageData or raw pixels instead');
    shared = { canvas: c, ctx };
  }
  if (shared.canvas.width !== w || shared.canvas.height !== h) {
    shared.canvas.width = w; // resets the context's state too
    shared.canvas.height = h;
  }
  return shared.ctx;
}

/**
 * Draws `src` (natural size w x h) scaled to fit maxSide and reads its pixels back. The image stays RGBA (4 channels,
 * alpha ignored downstream): the detector's and the aligner's warps read any channel count, so dropping alpha here
 * would be one more pass over every frame for nothing.
 */
function drawBounded(src: Drawable, w: number, h: number, maxSide: number, name: string): Decoded {
  if (!(w >= 1 && h >= 1)) throw fileError(name, 'image has no size (not loaded yet, or broken)');
  const s = Math.max(1, Math.max(w, h) / maxSide);
  const cw = Math.max(1, Math.round(w / s));
  const ch = Math.max(1, Math.round(h / s));
  const ctx = sharedContext(cw, ch);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  // Transparent pixels are read as black, as sharp's flatten does in Node.
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, cw, ch);
  ctx.drawImage(src, 0, 0, cw, ch);
  const d = ctx.getImageData(0, 0, cw, ch);
  return { image: { width: cw, height: ch, channels: 4, data: new Uint8Array(d.data.buffer, d.data.byteOffset, d.data.length) }, width: w, height: h, scale: w / cw };
}

type VideoFrameLike = { visibleRect: { width: number; height: number } | null; rotation?: number; flip?: boolean; copyTo(dest: Uint8Array, opts: { format: string }): Promise<unknown>; close(): void };
type VideoFrameCtor = new (src: unknown, init?: { timestamp?: number }) => VideoFrameLike;

/**
 * A <video> or VideoFrame that needs no shrinking, read with WebCodecs: VideoFrame.copyTo converts to RGBA in one
 * native pass (0.2 ms for 640x480 in Chromium, against 4.5 ms for drawImage + getImageData). undefined where the
 * browser lacks it (no VideoFrame, or copyTo without pixel-format conversion): the caller falls back to the canvas.
 */
async function copyVideoFrame(src: Drawable, w: number, h: number): Promise<Decoded | undefined> {
  const VF = (globalThis as { VideoFrame?: VideoFrameCtor }).VideoFrame;
  if (typeof VF !== 'function') return undefined;
  const own = !(src instanceof (VF as unknown as new () => unknown));
  let frame: VideoFrameLike;
  try {
    frame = own ? new VF(src, { timestamp: 0 }) : (src as unknown as VideoFrameLike);
  } catch {
    return undefined;
  }
  try {
    // Rotated or flipped frames (camera metadata) and frames whose pixels differ in size from what the page shows
    // are the canvas' job: drawImage applies what copyTo does not.
    const r = frame.visibleRect;
    if (!r || r.width !== w || r.height !== h || (frame.rotation ?? 0) !== 0 || frame.flip) return undefined;
    const data = new Uint8Array(w * h * 4);
    await frame.copyTo(data, { format: 'RGBA' });
    return { image: { width: w, height: h, channels: 4, data }, width: w, height: h, scale: 1 };
  } catch {
    return undefined;
  } finally {
    if (own) frame.close();
  }
}

/** Natural size of a drawable. */
function sizeOf(src: Drawable): { w: number; h: number } {
  const e = src as { naturalWidth?: number; naturalHeight?: number; videoWidth?: number; videoHeight?: number; displayWidth?: number; displayHeight?: number; width?: number | SVGAnimatedLength; height?: number | SVGAnimatedLength };
  if (e.naturalWidth) return { w: e.naturalWidth, h: e.naturalHeight! };
  if (e.videoWidth) return { w: e.videoWidth, h: e.videoHeight! };
  if (e.displayWidth) return { w: e.displayWidth, h: e.displayHeight! }; // VideoFrame
  return { w: Number(e.width), h: Number(e.height) };
}

async function fromBlob(blob: Blob, name: string, maxSide: number): Promise<Decoded> {
  if (blob.size === 0) throw fileError(name, 'empty file');
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  } catch (err) {
    throw fileError(name, `cannot decode image (${(err as Error).message})`);
  }
  try {
    return drawBounded(bitmap, bitmap.width, bitmap.height, maxSide, name);
  } finally {
    bitmap.close();
  }
}

function isDrawable(input: unknown): input is Drawable {
  const names = ['HTMLImageElement', 'HTMLVideoElement', 'HTMLCanvasElement', 'ImageBitmap', 'OffscreenCanvas', 'SVGImageElement', 'VideoFrame'];
  return names.some((n) => typeof (globalThis as Record<string, unknown>)[n] === 'function' && input instanceof ((globalThis as Record<string, unknown>)[n] as new () => unknown));
}

/**
 * Decodes and bounds a browser input; throws a CafeError naming the input for anything that is not a readable image.
 * URLs are fetched with `read` (the Runtime's: its fetch, its errors), like every other file the recognizer reads.
 */
export async function decodeBrowserInput(input: BrowserInput, maxSide: number, read: (url: string) => Promise<Uint8Array>): Promise<Decoded> {
  const name = describeBrowserInput(input);
  if (typeof input === 'string') return fromBlob(new Blob([(await read(input)) as BlobPart]), name, maxSide);
  if (typeof Blob !== 'undefined' && input instanceof Blob) return fromBlob(input, name, maxSide);
  if (input instanceof ArrayBuffer || input instanceof Uint8Array) return fromBlob(new Blob([input as BlobPart]), name, maxSide);
  if (isDrawable(input)) {
    const { w, h } = sizeOf(input);
    const isVideo = ['HTMLVideoElement', 'VideoFrame'].some((n) => typeof (globalThis as Record<string, unknown>)[n] === 'function' && input instanceof ((globalThis as Record<string, unknown>)[n] as new () => unknown));
    if (isVideo && w >= 1 && h >= 1 && Math.max(w, h) <= maxSide) {
      const frame = await copyVideoFrame(input, w, h);
      if (frame) return frame;
    }
    return drawBounded(input, w, h, maxSide, name);
  }
  if (isCanvasLike(input) || (typeof input === 'object' && input !== null && 'data' in input)) return boundPixels(toRawImage(input as RawImage), maxSide);
  throw invalidParameter('input', 'a URL, Blob, bytes, an image/video/canvas element, ImageBitmap, ImageData or raw pixels', input);
}
