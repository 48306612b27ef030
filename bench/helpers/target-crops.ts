// The labelled crops of a target set, decoded to RGB as the datasets ship them, for the benches that score models
// outside `cafe eval` (peers, deployed model folders). Blank images (SFEW Val ships 12 all-black ones) and unreadable
// files are left out and listed, as `cafe eval` leaves them out.
import { openDataset } from '../../src/data/index.js';
import { decodeRgb, isBlank } from '../../src/data/image.js';
import { EXPRESSIONS } from '../../src/labels.js';
import type { RgbImage } from '../../src/encoders/types.js';

export interface TargetCrops {
  spec: string;
  crops: RgbImage[];
  /** Class index (EXPRESSIONS order) per crop. */
  truth: number[];
  skipped: string[];
}

/** limit > 0 keeps an evenly spaced subset of about that many labelled items (quick runs). */
export async function loadTargetCrops(spec: string, limit = 0): Promise<TargetCrops> {
  const ds = await openDataset(spec);
  let items = ds.items.filter((i) => i.label !== undefined);
  if (limit) items = items.filter((_, i) => i % Math.ceil(items.length / limit) === 0);
  const out: TargetCrops = { spec: ds.spec, crops: [], truth: [], skipped: [] };
  for (const it of items) {
    try {
      const img = await decodeRgb(it.source);
      if (isBlank(img.data)) throw new Error('blank image');
      out.crops.push({ ...img, channels: 3 });
      out.truth.push(EXPRESSIONS.indexOf(it.label!));
    } catch (err) {
      out.skipped.push(`${it.id}: ${(err as Error).message}`);
    }
  }
  return out;
}
