// Face tracking and expression smoothing over time (platform-free: Node's `cafe video`, the browser's webcam mode).
export { FaceTracker } from './tracker.js';
export { createFaceStream, type FaceStream, type FaceStreamOptions, type FrameRecognizer, type FrameResult } from './stream.js';
export { ExpSmoother, smoothingWeight } from './smooth.js';
export { assignMinCost, iou } from './assign.js';
export { DEFAULT_TRACKER_OPTIONS, type CarriedBox, type Observation, type TrackedFace, type TrackerOptions } from './types.js';
export { summarizeTracks, TrackSummaries, type TrackSummary } from './summary.js';
