// Face detection and alignment (inference only: onnxruntime, no src/torch; tfjs only in the parity reference).
export type { DetectedFace, FaceBox, Point, LandmarkName } from './types.js';
export { LANDMARK_NAMES } from './types.js';
export { createFaceDetector, createBlazefaceNet, blazefaceOnnx, detectorOverNet, defaultBlazefacePath, DEFAULT_DETECTOR_OPTIONS, type BlazefaceNet, type DetectorOptions, type FaceDetector } from './blazeface.js';
export { createTfjsFaceDetector, createTfjsBlazefaceNet } from './blazeface-tfjs.js';
export { alignFace, alignmentMap, applyAffine, DEFAULT_ALIGN_OPTIONS, type AlignOptions, type AlignedFace } from './align.js';
export { warpAffine, scaleMap, type Affine, type Border } from './warp.js';
export { tfReady, packageDir } from '../runtime/node-packages.js';
