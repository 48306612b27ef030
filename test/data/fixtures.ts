// Helpers for data tests: temp dirs and small generated images in the real dataset layouts.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { datasetsRoot } from '../../src/util/datasets.js';

export function tempDir(prefix = 'cafe-data-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function write(path: string, text: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** A w x h image with a gradient seeded by `seed`, so files differ; `channels` 1 = gray, 3 = rgb, 4 = rgba. */
export function pixels(w: number, h: number, channels: 1 | 3 | 4, seed = 1): Buffer {
  const buf = Buffer.alloc(w * h * channels);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < channels; c++) {
    buf[(y * w + x) * channels + c] = c === 3 ? 255 : (x * 5 + y * 3 + c * 40 + seed * 17) % 256;
  }
  return buf;
}

export async function writeImage(path: string, opts: { w?: number; h?: number; channels?: 1 | 3 | 4; seed?: number; format?: 'png' | 'jpeg' | 'tiff' | 'webp'; black?: boolean } = {}): Promise<void> {
  const w = opts.w ?? 16;
  const h = opts.h ?? 16;
  const channels = opts.channels ?? 1;
  const raw = opts.black ? Buffer.alloc(w * h * channels) : pixels(w, h, channels, opts.seed ?? 1);
  let img = sharp(raw, { raw: { width: w, height: h, channels } });
  const format = opts.format ?? 'png';
  const out = format === 'png' ? img.png() : format === 'jpeg' ? img.jpeg() : format === 'tiff' ? img.tiff() : img.webp({ lossless: true });
  mkdirSync(dirname(path), { recursive: true });
  await out.toFile(path);
}

/** The shared datasets folder: $CAFE_DATASETS, else ../shared/datasets beside the repository (src/util/datasets.ts). */
export const SHARED = datasetsRoot();
