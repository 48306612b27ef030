// Decodes a dataset item to 8-bit RGB for an encoder, with the data layer's decoder (src/data/image.ts: EXIF,
// alpha, palette and 16-bit PNGs handled). A face box is cropped with the data layer's default margin. All-black
// images (broken files, e.g. 12 of SFEW's Val) are errors here, so extraction reports and skips them.
import { cropPadded, cropRegion, decodeRgb, DEFAULT_IMAGE_OPTIONS, isBlank } from '../data/image.js';
import { fileError } from '../errors.js';
import type { DatasetItem } from '../data/types.js';
import type { RgbImage } from '../encoders/types.js';

/** Pixels of `item`, cropped to its face box (+ margin) when it has one. Throws fileError on bad images. */
export async function decodeItem(item: DatasetItem): Promise<RgbImage> {
  const full = await decodeRgb(item.source);
  const img = item.box ? cropPadded(full, cropRegion(item.box, DEFAULT_IMAGE_OPTIONS.margin)) : full;
  if (isBlank(img.data)) throw fileError(item.source.kind === 'file' ? item.source.path : item.id, 'all-black image');
  return { width: img.width, height: img.height, channels: 3, data: img.data };
}
