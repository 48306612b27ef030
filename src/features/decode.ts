// Decodes a dataset item to 8-bit pixels for an encoder. Private stop-gap over sharp until src/data ships its
// decoder; kept tiny so switching is a one-line change in extract.ts.
import sharp from 'sharp';
import { fileError } from '../errors.js';
import type { DatasetItem } from '../data/types.js';
import type { RgbImage } from '../encoders/types.js';

/** Pixels of `item`, cropped to its face box when it has one (clamped to the image). Throws fileError on bad files. */
export async function decodeItem(item: DatasetItem): Promise<RgbImage> {
  let img: RgbImage;
  if (item.source.kind === 'pixels') {
    const s = item.source;
    img = { width: s.width, height: s.height, channels: s.channels, data: s.data };
  } else {
    const path = item.source.path;
    try {
      const { data, info } = await sharp(path, { failOn: 'error' }).raw().toBuffer({ resolveWithObject: true });
      const u8 = new Uint8Array(data.buffer, data.byteOffset, data.length);
      if (info.channels === 2) {
        // gray + alpha: keep the gray band
        const g = new Uint8Array(info.width * info.height);
        for (let i = 0; i < g.length; i++) g[i] = u8[i * 2];
        img = { width: info.width, height: info.height, channels: 1, data: g };
      } else {
        img = { width: info.width, height: info.height, channels: info.channels as 1 | 3 | 4, data: u8 };
      }
    } catch (err) {
      throw fileError(path, `cannot decode image: ${(err as Error).message}`);
    }
  }
  return item.box ? cropBox(img, item.box) : img;
}

function cropBox(img: RgbImage, box: NonNullable<DatasetItem['box']>): RgbImage {
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(img.width, Math.ceil(box.x + box.width));
  const y1 = Math.min(img.height, Math.ceil(box.y + box.height));
  if (x1 <= x0 || y1 <= y0) return img; // degenerate box: the whole image is the better guess
  const W = x1 - x0;
  const H = y1 - y0;
  const C = img.channels;
  const out = new Uint8Array(W * H * C);
  for (let y = 0; y < H; y++) out.set(img.data.subarray(((y0 + y) * img.width + x0) * C, ((y0 + y) * img.width + x1) * C), y * W * C);
  return { width: W, height: H, channels: C, data: out };
}
