// Exponential smoothing over time rather than over frames: an observation dt ms after the last one moves the
// smoothed value by a share 1 - 2^(-dt / halfLife) of the gap. A half-life in milliseconds means the same thing at
// 10 fps, 30 fps or with dropped frames, unlike a per-frame alpha (which halves its memory when the frame rate
// doubles). Platform-free.
import { invalidParameter } from '../errors.js';

/** Weight of a new observation `dtMs` after the previous one, for a half-life of `halfLifeMs` (0: no smoothing). */
export function smoothingWeight(dtMs: number, halfLifeMs: number): number {
  if (halfLifeMs <= 0) return 1;
  if (!(dtMs > 0)) return 0; // same instant (or a clock going back): keep what we have
  return 1 - Math.pow(2, -dtMs / halfLifeMs);
}

/** Smoothed probabilities of one track: a vector that decays toward each new observation with a half-life. */
export class ExpSmoother {
  private value: Float64Array | null = null;
  private lastMs = Number.NaN;

  constructor(readonly halfLifeMs: number) {
    if (!(halfLifeMs >= 0) || !Number.isFinite(halfLifeMs)) throw invalidParameter('halfLifeMs', 'a finite number >= 0', halfLifeMs);
  }

  /** Folds in an observation at time `tMs`; returns the smoothed vector (a copy). The first observation is taken as is. */
  update(tMs: number, x: ArrayLike<number>): Float64Array {
    if (this.value === null || this.value.length !== x.length) {
      this.value = Float64Array.from(x);
    } else {
      const w = smoothingWeight(tMs - this.lastMs, this.halfLifeMs);
      for (let i = 0; i < x.length; i++) this.value[i] += w * (x[i] - this.value[i]);
    }
    if (!(tMs < this.lastMs)) this.lastMs = tMs;
    return Float64Array.from(this.value);
  }

  /** The current smoothed vector, or null before the first observation. */
  get current(): Float64Array | null {
    return this.value && Float64Array.from(this.value);
  }
}
