// Stable face ids across frames and per-face smoothed expressions. Each frame's faces are matched to the live tracks
// by an optimal assignment (assign.ts) on the IoU between the detection and the track's box predicted forward at
// constant velocity; unmatched detections start tracks, tracks undetected for lostAfterMs end. Scores are smoothed
// per track with a half-life in ms (smooth.ts), so results do not depend on the frame rate. Platform-free.
import { invalidParameter } from '../errors.js';
import { EXPRESSIONS, type Expression } from '../labels.js';
import type { FaceBox, Point } from '../detect/types.js';
import { assignMinCost, iou } from './assign.js';
import { ExpSmoother, smoothingWeight } from './smooth.js';
import { DEFAULT_TRACKER_OPTIONS, type CarriedBox, type Observation, type TrackedFace, type TrackerOptions } from './types.js';

interface Track {
  id: number;
  box: FaceBox; // last detected box
  landmarks: Point[];
  detectedMs: number; // time of the last detection
  vx: number; // px per ms, box centre
  vy: number;
  detections: number;
  misses: number; // detection frames since the last one that found it
  smoother: ExpSmoother;
}

// Boxes are not extrapolated further than this past the last detection: a lost face's prediction must not fly off.
const MAX_EXTRAPOLATE_MS = 500;

function toVector(scores: Observation['scores']): Float64Array {
  if (typeof (scores as ArrayLike<number>).length === 'number') {
    const a = scores as ArrayLike<number>;
    if (a.length !== EXPRESSIONS.length) throw invalidParameter('scores', `${EXPRESSIONS.length} probabilities`, `${a.length} values`);
    return Float64Array.from(a);
  }
  return Float64Array.from(EXPRESSIONS.map((e) => Number((scores as Record<Expression, number>)[e])));
}

const record = (v: ArrayLike<number>) => Object.fromEntries(EXPRESSIONS.map((e, i) => [e, v[i]])) as Record<Expression, number>;

function argmax(v: ArrayLike<number>): number {
  let b = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[b]) b = i;
  return b;
}

const shift = (b: FaceBox, dx: number, dy: number): FaceBox => ({ x: b.x + dx, y: b.y + dy, width: b.width, height: b.height });
const centre = (b: FaceBox) => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });
/** Distance between the centres of two boxes over their mean side (geometric mean of the four sides). */
function jump(a: FaceBox, b: FaceBox): number {
  const ca = centre(a);
  const cb = centre(b);
  const size = Math.max(1e-9, a.width * a.height * b.width * b.height) ** 0.25;
  return Math.hypot(ca.x - cb.x, ca.y - cb.y) / size;
}

export class FaceTracker {
  readonly options: Required<TrackerOptions>;
  private tracks: Track[] = [];
  private nextId = 1;
  private lastDetectionMs = Number.NaN;

  constructor(options: TrackerOptions = {}) {
    const o = { ...DEFAULT_TRACKER_OPTIONS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as Required<TrackerOptions>;
    if (!(o.halfLifeMs >= 0) || !Number.isFinite(o.halfLifeMs)) throw invalidParameter('halfLifeMs', 'a finite number >= 0 (ms)', o.halfLifeMs);
    if (!(o.lostAfterMs >= 0) || !Number.isFinite(o.lostAfterMs)) throw invalidParameter('lostAfterMs', 'a finite number >= 0 (ms)', o.lostAfterMs);
    if (!(o.minIou > 0 && o.minIou <= 1)) throw invalidParameter('minIou', 'a number in (0, 1]', o.minIou);
    if (!(o.maxJump >= 0)) throw invalidParameter('maxJump', 'a number >= 0', o.maxJump);
    if (!(o.velocityHalfLifeMs >= 0)) throw invalidParameter('velocityHalfLifeMs', 'a number >= 0 (ms)', o.velocityHalfLifeMs);
    this.options = o;
  }

  /** Live tracks (including those not detected in the last frame but not yet lost). */
  get size(): number {
    return this.tracks.length;
  }

  /** Forgets every track (ids keep counting up). */
  reset(): void {
    this.tracks = [];
    this.lastDetectionMs = Number.NaN;
  }

  private predicted(t: Track, timeMs: number): FaceBox {
    const dt = Math.min(Math.max(0, timeMs - t.detectedMs), MAX_EXTRAPOLATE_MS);
    return shift(t.box, t.vx * dt, t.vy * dt);
  }

  /**
   * Boxes to score in a frame without detection: every track found by the last detection, moved forward at its
   * velocity to `timeMs`, with its landmarks moved alike (for alignment). Pass them back to update() with their
   * trackId set.
   */
  carry(timeMs: number): CarriedBox[] {
    return this.tracks
      .filter((t) => t.detectedMs === this.lastDetectionMs)
      .map((t) => {
        const b = this.predicted(t, timeMs);
        const dx = b.x - t.box.x;
        const dy = b.y - t.box.y;
        return { trackId: t.id, box: b, landmarks: t.landmarks.map((p) => ({ x: p.x + dx, y: p.y + dy })) };
      });
  }

  /**
   * Folds in one frame at `timeMs` (ms, non-decreasing). Observations without a trackId are detections: matched to
   * tracks, or new tracks. Observations with a trackId are carried boxes (see carry()). Returns the faces of this
   * frame, by trackId.
   */
  update(timeMs: number, observations: Observation[]): TrackedFace[] {
    if (!Number.isFinite(timeMs)) throw invalidParameter('timeMs', 'a finite time in ms', timeMs);
    const { minIou, maxJump, lostAfterMs, halfLifeMs, velocityHalfLifeMs } = this.options;
    const out: TrackedFace[] = [];
    const emit = (t: Track, o: Observation, detected: boolean) => {
      const raw = toVector(o.scores);
      const s = t.smoother.update(timeMs, raw);
      const best = argmax(s);
      out.push({ trackId: t.id, time: timeMs, box: o.box, landmarks: o.landmarks ?? [], detected, raw: record(raw), smoothed: record(s), label: EXPRESSIONS[best], score: s[best] });
    };
    const detections = observations.filter((o) => o.trackId === undefined);
    for (const o of observations) {
      if (o.trackId === undefined) continue;
      const t = this.tracks.find((k) => k.id === o.trackId);
      if (t) emit(t, o, false);
    }
    if (detections.length === 0 && observations.length > 0) return out.sort((a, b) => a.trackId - b.trackId);
    // A detection frame (possibly with no face at all).
    this.lastDetectionMs = timeMs;
    // A track ends when the detector has looked and missed it, and its last detection is older than lostAfterMs
    // (before matching: a face coming back later is a new track). One that no detection has missed yet stays,
    // however slow the detection cadence (a slow page, detectEvery > 1).
    this.tracks = this.tracks.filter((t) => t.misses === 0 || timeMs - t.detectedMs <= lostAfterMs);
    const preds = this.tracks.map((t) => this.predicted(t, timeMs));
    const cost = detections.map((d) =>
      preds.map((p) => {
        return 1 - iou(d.box, p) + jump(d.box, p);
      }),
    );
    const match = assignMinCost(cost);
    const matchedTrack = new Set<number>();
    detections.forEach((d, i) => {
      const j = match[i];
      let t: Track | undefined;
      if (j >= 0) {
        if (iou(d.box, preds[j]) >= minIou || jump(d.box, preds[j]) <= maxJump) t = this.tracks[j];
      }
      if (t) {
        matchedTrack.add(t.id);
        const dt = timeMs - t.detectedMs;
        if (dt > 0) {
          const a = centre(d.box);
          const b = centre(t.box);
          // The second detection gives the first velocity; later ones are smoothed in.
          const w = t.detections === 1 ? 1 : smoothingWeight(dt, velocityHalfLifeMs);
          t.vx += w * ((a.x - b.x) / dt - t.vx);
          t.vy += w * ((a.y - b.y) / dt - t.vy);
        }
        t.box = d.box;
        t.landmarks = d.landmarks ?? [];
        t.detectedMs = timeMs;
        t.detections++;
        t.misses = 0;
      } else {
        t = { id: this.nextId++, box: d.box, landmarks: d.landmarks ?? [], detectedMs: timeMs, vx: 0, vy: 0, detections: 1, misses: 0, smoother: new ExpSmoother(halfLifeMs) };
        this.tracks.push(t);
        matchedTrack.add(t.id);
      }
      emit(t, d, true);
    });
    for (const t of this.tracks) if (!matchedTrack.has(t.id)) t.misses++;
    return out.sort((a, b) => a.trackId - b.trackId);
  }
}
