// From a photo to expressions: decode (bounded size) -> detect every face -> align each on its eyes -> score the
// aligned crops with the model, one batch per photo. Platform-free: Node (recognizer.ts) and the browser
// (src/browser) each bring a Runtime, an encoder factory and a decoder.
import { invalidParameter } from '../errors.js';
import { EXPRESSIONS, type Expression } from '../labels.js';
import { createFaceDetector, type DetectorOptions, type FaceDetector } from '../detect/blazeface.js';
import { alignFace, DEFAULT_ALIGN_OPTIONS, type AlignOptions } from '../detect/align.js';
import type { FaceBox, Point } from '../detect/types.js';
import type { EncoderFactory, RgbImage } from '../encoders/types.js';
import type { Decoded } from './pixels.js';
import { loadExpressionModel, type ExpressionModel, type ModelOptions } from './model.js';
import type { Runtime } from '../runtime/types.js';

export interface RecognizerOptions extends ModelOptions {
  /** Model folder (model.json + files): a path in Node (default: the shipped model, see MODEL_CARD.md), a URL in
   *  the browser. */
  model?: string;
  /** Face detection thresholds (minScore, minSize, maxFaces). */
  detector?: DetectorOptions;
  /** Canonical face frame; default: the model's own (model.json "align"), else DEFAULT_ALIGN_OPTIONS. */
  align?: AlignOptions;
  /** Longest image side kept for detection; larger photos are downscaled first. Default 1920 (BlazeFace reads
   *  256 x 256, and aligned crops are 224 px: a face needs no more than that many pixels). */
  maxSide?: number;
}

export interface RecognizeOptions {
  /** false: the input is already a face crop; skip detection and alignment and score it whole. Default true. */
  detect?: boolean;
  /** Score these faces (boxes + BlazeFace keypoints in input pixels, e.g. carried from an earlier frame by the
   *  tracker) instead of detecting: video runs the detector every N frames only. [] = no face. */
  faces?: Array<{ box: FaceBox; landmarks: Point[] }>;
}

export interface FaceExpression {
  /** Face box in input pixels (the whole image when detection was skipped). */
  box: FaceBox;
  /** BlazeFace keypoints in input pixels (LANDMARK_NAMES order); [] when detection was skipped. */
  landmarks: Point[];
  /** Detector confidence; null when detection was skipped. */
  detectionScore: number | null;
  /** Probability per expression. */
  scores: Record<Expression, number>;
  /** The most probable expression and its probability. */
  label: Expression;
  score: number;
}

export interface Recognition {
  /** Input size (after EXIF rotation). */
  width: number;
  height: number;
  /** One entry per face, best detection first; [] = no face found (not an error). */
  faces: FaceExpression[];
}

export interface Recognizer<Input = unknown> {
  recognize(input: Input, opts?: RecognizeOptions): Promise<Recognition>;
  /** Scores already-aligned crops (no decode, no detection): for evaluations on aligned datasets. */
  classifyCrops(crops: RgbImage[]): Promise<Float32Array[]>;
  readonly model: ExpressionModel;
  dispose(): Promise<void>;
}

export const DEFAULT_MAX_SIDE = 1920;

function toFace(probs: Float32Array, box: FaceBox, landmarks: Point[], detectionScore: number | null): FaceExpression {
  const scores = Object.fromEntries(EXPRESSIONS.map((e, i) => [e, probs[i]])) as Record<Expression, number>;
  let best = 0;
  for (let i = 1; i < probs.length; i++) if (probs[i] > probs[best]) best = i;
  return { box, landmarks, detectionScore, scores, label: EXPRESSIONS[best], score: probs[best] };
}

/** Turns one input into bounded RGB pixels (sharp in Node, canvas/createImageBitmap in the browser). */
export type Decoder<Input> = (input: Input, maxSide: number) => Promise<Decoded>;

/** The recognizer over a model folder `modelDir`, for whatever inputs `decode` reads; `encoders` creates the model's
 *  frozen encoder (see loadExpressionModel). */
export async function assembleRecognizer<Input>(runtime: Runtime, encoders: EncoderFactory, decode: Decoder<Input>, modelDir: string, options: RecognizerOptions): Promise<Recognizer<Input>> {
  const maxSide = options.maxSide ?? DEFAULT_MAX_SIDE;
  if (!Number.isInteger(maxSide) || maxSide < 64) throw invalidParameter('maxSide', 'an integer >= 64', maxSide);
  const model = await loadExpressionModel(modelDir, options, runtime, encoders);
  let detector: FaceDetector | undefined;
  try {
    detector = await createFaceDetector(options.detector ?? {}, runtime);
  } catch (err) {
    await model.dispose();
    throw err;
  }
  const align = { ...DEFAULT_ALIGN_OPTIONS, ...model.manifest.align, ...options.align };
  return {
    model,
    classifyCrops: (crops) => model.predict(crops),
    async recognize(input, opts = {}) {
      const d = await decode(input, maxSide);
      if (opts.detect === false) {
        const [p] = await model.predict([d.image]);
        return { width: d.width, height: d.height, faces: [toFace(p, { x: 0, y: 0, width: d.width, height: d.height }, [], null)] };
      }
      const s = d.scale;
      const found = opts.faces
        ? opts.faces.map((f) => {
            if (!f || !f.box || !Array.isArray(f.landmarks) || f.landmarks.length < 2) throw invalidParameter('faces', 'boxes with at least the two eye keypoints', f);
            return { box: { x: f.box.x / s, y: f.box.y / s, width: f.box.width / s, height: f.box.height / s }, landmarks: f.landmarks.map((p) => ({ x: p.x / s, y: p.y / s })), score: Number.NaN };
          })
        : await detector!.detect(d.image);
      const crops = found.map((f) => alignFace(d.image, f, align).image);
      const probs = crops.length ? await model.predict(crops) : [];
      const faces = found.map((f, i) =>
        toFace(
          probs[i],
          { x: f.box.x * s, y: f.box.y * s, width: f.box.width * s, height: f.box.height * s },
          f.landmarks.map((p) => ({ x: p.x * s, y: p.y * s })),
          opts.faces ? null : f.score,
        ),
      );
      return { width: d.width, height: d.height, faces };
    },
    async dispose() {
      detector?.dispose();
      await model.dispose();
    },
  };
}
