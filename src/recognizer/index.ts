// Recognizer API: photo -> faces -> expressions (inference only: onnxruntime + tfjs-wasm, no libtorch).
export { createRecognizer, DEFAULT_MAX_SIDE, type Recognizer, type RecognizerOptions, type RecognizeOptions, type Recognition, type FaceExpression } from './recognizer.js';
export { decodeInput, describeInput, type RecognizerInput, type RawImage, type ImageDataLike, type CanvasLike, type Decoded } from './decode.js';
export { loadExpressionModel, defaultModelDir, SHIPPED_MODELS, softmaxRows, type ExpressionModel } from './model.js';
export { EXPRESSIONS, type Expression } from '../labels.js';
