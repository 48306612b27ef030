// Recognizer API: photo -> faces -> expressions (inference only: onnxruntime, no libtorch).
export { createRecognizer, pipelineThreads, PIPELINE_BATCH, type Recognizer } from './recognizer.js';
export { DEFAULT_MAX_SIDE, assembleRecognizer, type Decoder, type RecognizerOptions, type RecognizeOptions, type RecognizeManyOptions, type RecognizeOutcome, type Recognition, type FaceExpression, type BatchItem, type BatchOutcome, type BatchRecognition } from './core.js';
export { decodeInput, describeInput, type RecognizerInput, type RawImage, type ImageDataLike, type CanvasLike, type Decoded } from './decode.js';
export { loadExpressionModel, softmaxRows, type ExpressionModel } from './model.js';
export { defaultModelDir, SHIPPED_MODELS } from './shipped.js';
export { EXPRESSIONS, type Expression } from '../labels.js';
