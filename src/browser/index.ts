// cafe in the browser: the same recognizer as in Node (src/recognizer/core.ts) over onnxruntime-web and
// the browser's own image decoding. Models are fetched from URLs you serve; nothing is downloaded from elsewhere.
//
//   import { createRecognizer } from 'cafe-fer/browser';
//   const fer = await createRecognizer({ model: '/models/cafe-ferplus/', humanModels: '/human-models/' });
//   const { faces } = await fer.recognize(document.querySelector('img'));
import { assembleRecognizer, type Recognizer, type RecognizerOptions } from '../recognizer/core.js';
import { CafeError } from '../errors.js';
import { decodeBrowserInput, type BrowserInput } from './decode.js';
import { webEncoders } from './encoder.js';
import { createWebRuntime, type WebRuntimeOptions } from './runtime.js';

export { EXPRESSIONS, NUM_CLASSES, type Expression } from '../labels.js';
export { CafeError } from '../errors.js';
export { DEFAULT_MAX_SIDE, type FaceExpression, type Recognition, type RecognizeOptions, type RecognizeManyOptions, type RecognizeOutcome } from '../recognizer/core.js';
export { decodeBrowserInput, type BrowserInput, type Drawable } from './decode.js';
export { createWebRuntime, type WebRuntimeOptions } from './runtime.js';
export type { FaceBox, Point } from '../detect/types.js';
// Tracking + smoothing for webcam and video frames (platform-free, the same code as `cafe video`).
export { FaceTracker, createFaceStream, TrackSummaries, ExpSmoother, smoothingWeight, DEFAULT_TRACKER_OPTIONS, type FaceStream, type FaceStreamOptions, type FrameResult, type TrackedFace, type TrackerOptions, type TrackSummary } from '../track/index.js';

export interface BrowserRecognizerOptions extends Omit<RecognizerOptions, 'model'>, WebRuntimeOptions {
  /** Folder URL of the model (model.json + head.onnx [+ encoder.onnx]), e.g. a copy of models/cafe-ferplus. */
  model: string;
}

export type BrowserRecognizer = Recognizer<BrowserInput>;

/** Folder of this script: the bundle's default place for the .wasm files (scripts/build-browser.mjs copies them). */
function bundleDir(): string | undefined {
  try {
    return new URL('./', import.meta.url).href;
  } catch {
    return undefined;
  }
}

export async function createRecognizer(options: BrowserRecognizerOptions): Promise<BrowserRecognizer> {
  if (typeof options?.model !== 'string' || !options.model) throw new CafeError(`Expected a folder URL for model but received ${String(options?.model)}`);
  const runtime = createWebRuntime(options, bundleDir());
  return assembleRecognizer(runtime, webEncoders(runtime), (input: BrowserInput, maxSide) => decodeBrowserInput(input, maxSide, runtime.read), options.model, options);
}
