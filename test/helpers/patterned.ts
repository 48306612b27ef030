// A deterministic colour test image with structure along both axes (no face in it): what the encoder tests feed when
// the reference is the encoder's own graph run another way (tfjs, its pooled maps), so any content will do.
import type { RgbImage } from '../../src/encoders/types.js';

/** w x h RGB, seeded; different seeds give different images. */
export function patterned(seed: number, w = 48, h = 48): RgbImage {
  const data = Uint8Array.from({ length: w * h * 3 }, (_, i) => (((i / 3) | 0) * 5 + seed * 11 + (i % 3) * 30 + (((i / 3 / w) | 0) * 7)) % 256);
  return { width: w, height: h, channels: 3, data };
}
