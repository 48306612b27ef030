// Face detection and alignment (inference only: tfjs-wasm, no src/torch).
export type { DetectedFace, FaceBox, Point, LandmarkName } from './types.js';
export { LANDMARK_NAMES } from './types.js';
export { createFaceDetector, defaultBlazefacePath, DEFAULT_DETECTOR_OPTIONS, type DetectorOptions, type FaceDetector } from './blazeface.js';
export { alignFace, alignmentMap, applyAffine, DEFAULT_ALIGN_OPTIONS, type AlignOptions, type AlignedFace } from './align.js';
export { warpAffine, scaleMap, type Affine, type Border } from './warp.js';
export { tfReady, packageDir } from '../runtime/node-packages.js';
