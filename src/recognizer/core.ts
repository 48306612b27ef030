// From a photo to expressions: decode (bounded size) -> detect every face -> align each on its eyes -> score the
// aligned crops with the model, one batch per photo (recognizeMany: per group of photos, decoding ahead). Platform-free: Node (recognizer.ts) and the browser
// (src/browser) each bring a Runtime, an encoder factory and a decoder.
import { invalidParameter } from '../errors.js';
import { EXPRESSIONS, type Expression } from '../labels.js';
import { createFaceDetector, type DetectorOptions, type FaceDetector } from '../detect/blazeface.js';
import { alignFace, DEFAULT_ALIGN_OPTIONS, type AlignOptions } from '../detect/align.js';
import type { DetectedFace, FaceBox, Point } from '../detect/types.js';
import type { EncoderFactory, RgbImage } from '../encoders/types.js';
import type { Decoded } from './pixels.js';
import { combineViews, loadExpressionModel, type ExpressionModel, type ModelOptions } from './model.js';
import type { Runtime } from '../runtime/types.js';
import type { AlignFrame, Tta } from '../export/manifest.js';

export interface RecognizerOptions extends ModelOptions {
  /** Model folder (model.json + files): a path in Node (default: the shipped model, see MODEL_CARD.md), a URL in
   *  the browser. */
  model?: string;
  /** Face detection thresholds (minScore, minSize, maxFaces). */
  detector?: DetectorOptions;
  /** Canonical face frame; default: the model's own (model.json "align"), else DEFAULT_ALIGN_OPTIONS. */
  align?: AlignOptions;
  /** Further frames each detected face is also cut in, its logits averaged over all of them (model.json
   *  "ttaFrames"); default: the model's own, else none. [] turns them off (one model pass per face, or two with
   *  flip): faster, as measured in MODEL_CARD.md. */
  ttaFrames?: AlignFrame[];
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
  /** Test-time augmentation for this call; default the recognizer's (RecognizerOptions.tta, else the model's). */
  tta?: Tta;
  /** Test-time frames for this call; default the recognizer's (RecognizerOptions.ttaFrames, else the model's). */
  ttaFrames?: AlignFrame[];
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

/** One image of a recognizeBatch call. */
export interface BatchItem<Input> {
  input: Input;
  /** As RecognizeOptions.detect; default true. */
  detect?: boolean;
  /** As RecognizeOptions.faces: score these faces instead of detecting. */
  faces?: RecognizeOptions['faces'];
}

/** One image's outcome in a batch: a bad image is reported in its slot and the others go on. */
export type BatchOutcome =
  | { ok: true; recognition: Recognition; /** Decode time (ms). */ decodeMs: number; /** Detection + alignment time (ms). */ detectMs: number }
  | { ok: false; error: Error };

export interface BatchRecognition {
  /** One outcome per item, in order. */
  results: BatchOutcome[];
  /** The one model call over every face of every image (ms); 0 when there was no face. */
  inferenceMs: number;
  /** Faces scored in that call. */
  crops: number;
}

/** One input's outcome in recognizeMany: its recognition, or the error that input raised (the others go on). */
export type RecognizeOutcome<Input> = { input: Input; index: number } & ({ result: Recognition; error?: undefined } | { result?: undefined; error: Error });

// Given faces belong to one image (recognize / recognizeBatch), not to a stream of them.
export interface RecognizeManyOptions extends Omit<RecognizeOptions, 'faces'> {
  /** Photos whose detections run as one detector batch and whose crops are scored in one model call; default 1
   *  (each result as soon as possible). `cafe predict` uses 4: more photos/s (bench/results/predict-stages.md). */
  batch?: number;
  /** Inputs decoded ahead of the current batch (decoding overlaps detection and scoring); default 2. */
  prefetch?: number;
}

export interface Recognizer<Input = unknown> {
  recognize(input: Input, opts?: RecognizeOptions): Promise<Recognition>;
  /** Several images, their faces scored in ONE model call (what a server's dynamic batching hands over); a bad
   *  image fails its own slot only. recognize() is this with one item. */
  recognizeBatch(items: BatchItem<Input>[], opts?: Pick<RecognizeOptions, 'tta' | 'ttaFrames'>): Promise<BatchRecognition>;
  /**
   * recognize() over many inputs as a pipeline: the next inputs are decoded while the current ones are detected and
   * scored, and `batch` photos share one detector run and one model call. Yields one outcome per input, in input
   * order; a bad input yields its error and the rest go on. Stopping the iteration (break) waits for the decodes
   * already started, so nothing is left running.
   */
  recognizeMany(inputs: Iterable<Input>, opts?: RecognizeManyOptions): AsyncGenerator<RecognizeOutcome<Input>>;
  /** Scores already-aligned crops (no decode, no detection): for evaluations on aligned datasets. */
  classifyCrops(crops: RgbImage[], opts?: { tta?: Tta }): Promise<Float32Array[]>;
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
    detector = await createFaceDetector(options.detector ?? {}, runtime, options.threads);
  } catch (err) {
    await model.dispose();
    throw err;
  }
  const align = { ...DEFAULT_ALIGN_OPTIONS, ...model.manifest.align, ...options.align };
  // The model's frame first, then the test-time ones at the same width (alignFace checks each when it cuts).
  const frameList = (extra: AlignFrame[] | undefined): AlignOptions[] => {
    if (extra !== undefined && !Array.isArray(extra)) throw invalidParameter('ttaFrames', 'a list of frames ({eyeY, eyeDistance, aspect})', extra);
    return [align, ...(extra ?? []).map((f) => ({ ...f, size: align.size }))];
  };
  const defaultFrames = frameList(options.ttaFrames ?? model.manifest.ttaFrames);
  const framesFor = (extra: AlignFrame[] | undefined) => (extra === undefined ? defaultFrames : frameList(extra));
  /** A decoded photo, where its faces are (in decoded pixels; null = the whole image is the crop) and their aligned
   *  crops, one per frame for each face. `given`: the faces came from the caller (a tracker), so they carry no
   *  detection score. */
  type Located = { d: Decoded; found: DetectedFace[] | null; given: boolean; crops: RgbImage[][] };
  const locate = (d: Decoded, found: DetectedFace[] | null, frames: AlignOptions[], given = false): Located => ({ d, found, given, crops: found === null ? [[d.image]] : found.map((f) => frames.map((fr) => alignFace(d.image, f, fr).image)) });
  // Crops of every photo through the model in one call, then each face's views combined and the faces put back in
  // input pixels.
  const score = async (located: Located[], tta?: Tta): Promise<{ recognitions: Recognition[]; inferenceMs: number; crops: number }> => {
    const views = located.flatMap((l) => l.crops); // [faces][views]
    const crops = views.flat();
    const t0 = performance.now();
    const rows = crops.length ? await model.predict(crops, { tta }) : [];
    const inferenceMs = crops.length ? performance.now() - t0 : 0;
    let r = 0;
    const probs = views.map((v) => combineViews(rows.slice(r, (r += v.length))));
    let k = 0;
    const recognitions = located.map(({ d, found, given }): Recognition => {
      if (found === null) return { width: d.width, height: d.height, faces: [toFace(probs[k++], { x: 0, y: 0, width: d.width, height: d.height }, [], null)] };
      const s = d.scale;
      const faces = found.map((f) =>
        toFace(
          probs[k++],
          { x: f.box.x * s, y: f.box.y * s, width: f.box.width * s, height: f.box.height * s },
          f.landmarks.map((p) => ({ x: p.x * s, y: p.y * s })),
          given ? null : f.score,
        ),
      );
      return { width: d.width, height: d.height, faces };
    });
    return { recognitions, inferenceMs, crops: views.length };
  };
  // Given faces (e.g. carried by a tracker from an earlier frame) are in input pixels; the detector's are scaled.
  const givenFaces = (d: Decoded, faces: NonNullable<RecognizeOptions['faces']>): DetectedFace[] =>
    faces.map((f) => {
      if (!f || !f.box || !Array.isArray(f.landmarks) || f.landmarks.length < 2) throw invalidParameter('faces', 'boxes with at least the two eye keypoints', f);
      const s = d.scale;
      return { box: { x: f.box.x / s, y: f.box.y / s, width: f.box.width / s, height: f.box.height / s }, landmarks: f.landmarks.map((p) => ({ x: p.x / s, y: p.y / s })), score: Number.NaN };
    });
  // Per image: decode, then detect (or take the given faces, or the whole image); one model call for all of them.
  const prepare = async (item: BatchItem<Input>, frames: AlignOptions[]) => {
    const t0 = performance.now();
    const d = await decode(item.input, maxSide);
    const t1 = performance.now();
    const found = item.detect === false ? null : item.faces ? givenFaces(d, item.faces) : await detector!.detect(d.image);
    return { located: locate(d, found, frames, !!item.faces), decodeMs: t1 - t0, detectMs: performance.now() - t1 };
  };
  const recognizeBatch = async (items: BatchItem<Input>[], bopts: Pick<RecognizeOptions, 'tta' | 'ttaFrames'> = {}): Promise<BatchRecognition> => {
    const frames = framesFor(bopts.ttaFrames);
    const prepared: Array<Awaited<ReturnType<typeof prepare>> | Error> = [];
    // Sequential: detection runs on this thread anyway, and one image at a time bounds the decoded pixels held.
    for (const item of items) prepared.push(await prepare(item, frames).catch((err: Error) => err));
    const ok = prepared.filter((p): p is Awaited<ReturnType<typeof prepare>> => !(p instanceof Error));
    const { recognitions, inferenceMs, crops } = await score(ok.map((p) => p.located), bopts.tta);
    let k = 0;
    const results = prepared.map((p): BatchOutcome => (p instanceof Error ? { ok: false, error: p } : { ok: true, recognition: recognitions[k++], decodeMs: p.decodeMs, detectMs: p.detectMs }));
    return { results, inferenceMs, crops };
  };

  /** Decoded photos -> recognitions: one detector batch, every crop of every photo in one model call. */
  const analyse = async (ds: Decoded[], opts: RecognizeOptions): Promise<Recognition[]> => {
    const found = opts.detect === false ? ds.map(() => null) : await detector!.detectBatch(ds.map((d) => d.image));
    const frames = framesFor(opts.ttaFrames);
    return (await score(ds.map((d, k) => locate(d, found[k], frames)), opts.tta)).recognitions;
  };

  async function* recognizeMany(inputs: Iterable<Input>, opts: RecognizeManyOptions = {}): AsyncGenerator<RecognizeOutcome<Input>> {
    const batch = opts.batch ?? 1;
    const prefetch = opts.prefetch ?? 2;
    if (!Number.isInteger(batch) || batch < 1) throw invalidParameter('batch', 'a positive integer', batch);
    if (!Number.isInteger(prefetch) || prefetch < 0) throw invalidParameter('prefetch', 'an integer >= 0', prefetch);
    type Pending = { input: Input; index: number; decoded: Promise<Decoded | Error> };
    const it = inputs[Symbol.iterator]();
    const queue: Pending[] = [];
    let index = 0;
    let exhausted = false;
    // Starts decodes until `batch + prefetch` are in flight or done: sharp (libuv threads) or the browser decodes
    // them while this thread detects and scores the current batch.
    const fill = () => {
      while (!exhausted && queue.length < batch + prefetch) {
        const r = it.next();
        if (r.done) {
          exhausted = true;
          break;
        }
        const input = r.value;
        queue.push({ input, index: index++, decoded: decode(input, maxSide).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))) });
      }
    };
    try {
      fill();
      while (queue.length > 0) {
        const group = queue.splice(0, batch);
        fill();
        const decoded = await Promise.all(group.map((p) => p.decoded));
        const ok = group.map((p, k) => ({ p, d: decoded[k] })).filter((x): x is { p: Pending; d: Decoded } => !(x.d instanceof Error));
        let results: Array<Recognition | Error>;
        try {
          results = await analyse(ok.map((x) => x.d), opts);
        } catch {
          // Which photo failed? Again one by one, so only that one reports the error.
          results = [];
          for (const x of ok) results.push(await analyse([x.d], opts).then((r) => r[0], (err: unknown) => (err instanceof Error ? err : new Error(String(err)))));
        }
        const byIndex = new Map(ok.map((x, k) => [x.p.index, results[k]]));
        for (let k = 0; k < group.length; k++) {
          const { input, index: i } = group[k];
          const r = decoded[k] instanceof Error ? (decoded[k] as Error) : byIndex.get(i)!;
          yield r instanceof Error ? { input, index: i, error: r } : { input, index: i, result: r };
        }
      }
    } finally {
      // Stopped early (break, or an error thrown into the generator): let started decodes finish, unobserved.
      await Promise.all(queue.map((p) => p.decoded));
    }
  }

  return {
    model,
    classifyCrops: (crops, copts) => model.predict(crops, copts),
    recognizeBatch,
    async recognize(input, opts = {}) {
      const [r] = (await recognizeBatch([{ input, detect: opts.detect, faces: opts.faces }], { tta: opts.tta, ttaFrames: opts.ttaFrames })).results;
      if (!r.ok) throw r.error;
      return r.recognition;
    },
    recognizeMany,
    async dispose() {
      await detector?.dispose();
      await model.dispose();
    },
  };
}
