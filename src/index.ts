// Public API of cafe. Inference entry points must not import the training core (src/torch) eagerly: predicting works
// without libtorch.
export { EXPRESSIONS, NUM_CLASSES, expressionIndex } from './labels.js';
export type { Expression } from './labels.js';
export { CafeError, invalidParameter } from './errors.js';
export { openDataset, parseSpec, adapterNames } from './data/index.js';
export { createEncoder, encoderNames, CLIP_PRESET, CAFE_PRESET, FACERES_PRESET } from './encoders/index.js';
export type { Encoder, EncoderInput, PreprocessConfig, RgbImage as EncoderImage } from './encoders/index.js';
export { getFeatures, type Features, type FeatureOptions } from './features/index.js';
export { createRecognizer, type Recognizer, type RecognizerOptions, type RecognizeOptions, type Recognition, type FaceExpression, type RecognizerInput } from './recognizer/index.js';
export { peerPredict, PEER_NAMES, type PeerName } from './peers/index.js';
export { resolveConfig, loadConfig, DEFAULT_CONFIG, type TrainConfig } from './cafe/config.js';
