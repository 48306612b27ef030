// Per-track summary of a stream: time on screen, the dominant expression and the share of time per expression
// (by the smoothed label), and the mean smoothed probabilities. Incremental: a long video needs no frame history.
import { EXPRESSIONS, type Expression } from '../labels.js';
import type { TrackedFace } from './types.js';

export interface TrackSummary {
  trackId: number;
  /** First and last frame time the face was on screen, in s. */
  firstSeconds: number;
  lastSeconds: number;
  /** Frames the face was in, and the time they cover (frames x the frame's duration), in s. */
  frames: number;
  seconds: number;
  /** The expression that was the smoothed label for the longest time. */
  dominant: Expression;
  /** Share of this track's on-screen time per smoothed label (sums to 1). */
  share: Record<Expression, number>;
  /** Mean smoothed probability per expression over the track's frames. */
  meanScores: Record<Expression, number>;
}

interface Acc { trackId: number; first: number; last: number; frames: number; ms: number; labelMs: Float64Array; sum: Float64Array }

export class TrackSummaries {
  private acc = new Map<number, Acc>();

  /** Adds one frame's faces; `frameMs` is how long the frame stands for (1000 / fps). */
  add(faces: TrackedFace[], frameMs: number): void {
    for (const f of faces) {
      let a = this.acc.get(f.trackId);
      if (!a) {
        a = { trackId: f.trackId, first: f.time, last: f.time, frames: 0, ms: 0, labelMs: new Float64Array(EXPRESSIONS.length), sum: new Float64Array(EXPRESSIONS.length) };
        this.acc.set(f.trackId, a);
      }
      a.last = f.time;
      a.frames++;
      a.ms += frameMs;
      a.labelMs[EXPRESSIONS.indexOf(f.label)] += frameMs;
      EXPRESSIONS.forEach((e, i) => (a.sum[i] += f.smoothed[e]));
    }
  }

  /** One summary per track, by trackId. */
  result(): TrackSummary[] {
    return [...this.acc.values()]
      .sort((a, b) => a.trackId - b.trackId)
      .map((a) => {
        let best = 0;
        for (let i = 1; i < EXPRESSIONS.length; i++) if (a.labelMs[i] > a.labelMs[best]) best = i;
        return {
          trackId: a.trackId,
          firstSeconds: a.first / 1000,
          lastSeconds: a.last / 1000,
          frames: a.frames,
          seconds: a.ms / 1000,
          dominant: EXPRESSIONS[best],
          share: Object.fromEntries(EXPRESSIONS.map((e, i) => [e, a.ms > 0 ? a.labelMs[i] / a.ms : 0])) as Record<Expression, number>,
          meanScores: Object.fromEntries(EXPRESSIONS.map((e, i) => [e, a.sum[i] / a.frames])) as Record<Expression, number>,
        };
      });
  }
}

/** Summaries of a list of frames' faces, each frame standing for `frameMs`. */
export function summarizeTracks(frames: TrackedFace[][], frameMs: number): TrackSummary[] {
  const s = new TrackSummaries();
  for (const f of frames) s.add(f, frameMs);
  return s.result();
}
