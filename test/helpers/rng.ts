import { mulberry32 } from '../../src/util/rng.js';

/** Small deterministic RNG (mulberry32) for test fixtures. */
export const rng = mulberry32;
/** n values uniform in [lo, hi). */
export function uniform(n: number, seed: number, lo = -1, hi = 1): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: n }, () => lo + (hi - lo) * r());
}
