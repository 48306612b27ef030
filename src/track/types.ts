// What the tracker takes and gives. Platform-free (Node's `cafe video` and the browser's webcam mode share it).
import type { Expression } from '../labels.js';
import type { FaceBox, Point } from '../detect/types.js';

export interface TrackerOptions {
  /** Half-life of the expression smoothing in ms: an observation dt ms after the last moves the smoothed scores by
   *  1 - 2^(-dt/halfLife) of the gap, whatever the frame rate. 0 = no smoothing. Default 500 (a smile that lasts
   *  half a second reaches half its weight; a one-frame misread moves the label little). */
  halfLifeMs?: number;
  /** A track ends when the detector has missed its face and its last detection is older than this; the face gets a
   *  new id if it comes back later. Default 1000 (rides out a blink of the detector, a hand passing, a face crossing
   *  behind another). A track no detection has missed yet never ends, however slow the frames come. */
  lostAfterMs?: number;
  /** Least IoU between a track's predicted box and a detection for them to match, unless the centres are close
   *  (maxJump). Default 0.1. */
  minIou?: number;
  /** A detection whose centre lies within maxJump x the face size of a track's predicted centre also matches it
   *  (fast motion at a low frame rate leaves no overlap). Default 0.5. */
  maxJump?: number;
  /** Half-life in ms of each track's velocity estimate (boxes are predicted forward at constant velocity, so two
   *  faces crossing keep their ids). Default 150. */
  velocityHalfLifeMs?: number;
}

export const DEFAULT_TRACKER_OPTIONS: Required<TrackerOptions> = { halfLifeMs: 500, lostAfterMs: 1000, minIou: 0.1, maxJump: 0.5, velocityHalfLifeMs: 150 };

/** One face in one frame as the recognizer saw it. */
export interface Observation {
  box: FaceBox;
  /** Probabilities, in EXPRESSIONS order or by name. */
  scores: ArrayLike<number> | Record<Expression, number>;
  /** Keypoints (BlazeFace order), carried with the box to frames without detection; default []. */
  landmarks?: Point[];
  /** The track this observation already belongs to (a box carried from the last detection): no matching. */
  trackId?: number;
}

/** One tracked face in one frame. */
export interface TrackedFace {
  /** Stable id: 1, 2, 3... in order of first appearance; never reused by one tracker. */
  trackId: number;
  /** Frame time in ms (as passed to update). */
  time: number;
  box: FaceBox;
  landmarks: Point[];
  /** true: the box comes from the detector in this frame; false: carried from the last detection. */
  detected: boolean;
  /** This frame's probabilities. */
  raw: Record<Expression, number>;
  /** Probabilities smoothed over time with the half-life. */
  smoothed: Record<Expression, number>;
  /** argmax of the smoothed probabilities, and its probability. */
  label: Expression;
  score: number;
}

/** A live track's box for a frame without detection (constant-velocity prediction from its last detection). */
export interface CarriedBox {
  trackId: number;
  box: FaceBox;
  landmarks: Point[];
}
