// Frozen encoders (inference only: no src/torch imports here).
export type { Encoder, EncoderFactory, EncoderInput, EncoderOptions, PreprocessConfig, PreprocessedBatch, ResizeMethod, RgbImage } from './types.js';
export { createEncoder, encoderNames, encoderEntries, DEFAULT_ENCODER } from './registry.js';
export { createFaceres, defaultFaceresPath, FACERES_DIM } from './faceres.js';
export { createClip, defaultClipDir, CLIP_DIM, CLIP_HF_REPO } from './clip.js';
export { createOnnxFile } from './onnx-file.js';
export { CAFE_PRESET, CLIP_PRESET, FACERES_PRESET, PRESETS, flipImage, preprocessImage } from './preprocess.js';
export { loadPreprocess, preprocessHash } from './preprocess-node.js';
