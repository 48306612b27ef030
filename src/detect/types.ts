// What detection returns: boxes and landmarks in the pixel coordinates of the image the caller passed in.

/** A point in image pixels (x right, y down). */
export interface Point {
  x: number;
  y: number;
}

/** Axis-aligned box in image pixels. */
export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** BlazeFace's six keypoints, in its order. "right"/"left" are the subject's: the right eye is on the image's left. */
export const LANDMARK_NAMES = ['rightEye', 'leftEye', 'nose', 'mouth', 'rightEar', 'leftEar'] as const;
export type LandmarkName = (typeof LANDMARK_NAMES)[number];

export interface DetectedFace {
  box: FaceBox;
  /** Six keypoints in LANDMARK_NAMES order. */
  landmarks: Point[];
  /** Detector confidence in [0, 1]. */
  score: number;
}
