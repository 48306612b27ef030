// A recognizer over a stream of frames: detection every N frames (boxes carried by the tracker in between, where
// only alignment and the expression model run), every face tracked and its expression smoothed over time.
// Platform-free: `cafe video` feeds it decoded ffmpeg frames, the browser's webcam mode video frames.
import { invalidParameter } from '../errors.js';
import type { FaceBox, Point } from '../detect/types.js';
import type { Expression } from '../labels.js';
import { FaceTracker } from './tracker.js';
import type { TrackedFace, TrackerOptions } from './types.js';
import type { AlignFrame } from '../export/manifest.js';

/** What the stream needs of a recognizer (src/recognizer/core.ts's Recognizer satisfies it). */
export interface FrameRecognizer<Input> {
  recognize(input: Input, opts?: { faces?: Array<{ box: FaceBox; landmarks: Point[] }>; tta?: 'none' | 'flip'; ttaFrames?: AlignFrame[] }): Promise<{
    width: number;
    height: number;
    faces: Array<{ box: FaceBox; landmarks: Point[]; scores: Record<Expression, number> }>;
  }>;
}

export interface FaceStreamOptions extends TrackerOptions {
  /** Run the detector on every Nth frame (the first frame always); in between, each face found by the last
   *  detection is scored in its box carried forward by the tracker. Default 1 (detect on every frame). */
  detectEvery?: number;
  /** Test-time augmentation per frame; default 'none': smoothing over frames already averages the noise that
   *  mirroring would (and a live stream cannot spend twice the model time). */
  tta?: 'none' | 'flip';
  /** Test-time frames per frame (model.json "ttaFrames"); default []: off, for the same reason as tta. */
  ttaFrames?: AlignFrame[];
}

export interface FrameResult {
  /** 0-based index of the frame in this stream. */
  frame: number;
  /** Frame time in ms. */
  time: number;
  /** true when the detector ran on this frame. */
  detected: boolean;
  faces: TrackedFace[];
}

export interface FaceStream<Input> {
  /** Recognizes one frame at `timeMs` (non-decreasing). */
  process(input: Input, timeMs: number): Promise<FrameResult>;
  readonly tracker: FaceTracker;
  /** Frames processed so far. */
  readonly frames: number;
}

export function createFaceStream<Input>(recognizer: FrameRecognizer<Input>, options: FaceStreamOptions = {}): FaceStream<Input> {
  const { detectEvery = 1, tta = 'none', ttaFrames = [], ...trackerOptions } = options;
  if (!Number.isInteger(detectEvery) || detectEvery < 1) throw invalidParameter('detectEvery', 'an integer >= 1', detectEvery);
  const tracker = new FaceTracker(trackerOptions);
  let n = 0;
  return {
    tracker,
    get frames() {
      return n;
    },
    async process(input, timeMs) {
      const frame = n++;
      if (frame % detectEvery === 0) {
        const r = await recognizer.recognize(input, { tta, ttaFrames });
        return { frame, time: timeMs, detected: true, faces: tracker.update(timeMs, r.faces.map((f) => ({ box: f.box, landmarks: f.landmarks, scores: f.scores }))) };
      }
      const carried = tracker.carry(timeMs);
      // Nothing was found at the last detection: nothing to score until the next one.
      if (carried.length === 0) return { frame, time: timeMs, detected: false, faces: [] };
      const r = await recognizer.recognize(input, { faces: carried, tta, ttaFrames });
      return { frame, time: timeMs, detected: false, faces: tracker.update(timeMs, r.faces.map((f, i) => ({ box: f.box, landmarks: f.landmarks, scores: f.scores, trackId: carried[i].trackId }))) };
    },
  };
}
