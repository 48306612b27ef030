// model.json: what a deployable model folder holds and how to feed it. Written by `cafe export`, read by the
// recognizer; everything an inference needs is here or in the ONNX file beside it (no training code, no libtorch).
import { CafeError, fileError } from '../errors.js';
import type { Runtime } from '../runtime/types.js';
import { EXPRESSIONS } from '../labels.js';
import type { PreprocessConfig } from '../encoders/types.js';
import { checkAlignFrame, type AlignOptions } from '../detect/align.js';
import { Rng } from '../util/rng.js';

export const MANIFEST_FILE = 'model.json';
export const MANIFEST_FORMAT = 'cafe-model/1';

/** A canonical face frame without its width (align.ts ALIGN_FRAMES). */
export type AlignFrame = Required<Omit<AlignOptions, 'size'>>;

/** Test-time augmentation: none, or the crop and its mirror image (logits averaged). */
export type Tta = 'none' | 'flip';
export const TTAS: readonly Tta[] = ['none', 'flip'];

export interface CafeManifest {
  format: typeof MANIFEST_FORMAT;
  /** 'cafe': a trained CAFE head (head.onnx) over an encoder. 'human-emotion': the stand-in (human's emotion net). */
  kind: 'cafe' | 'human-emotion';
  /** Short name for reports, e.g. 'cafe-ferplus-faceres'. */
  name: string;
  /** One sentence for people: what this model is (and is not). */
  description?: string;
  /** Class order of the outputs; always EXPRESSIONS. */
  classes: string[];
  /** Encoder registry name (kind 'cafe'), e.g. 'faceres'. */
  encoder?: string;
  /** The encoder as an ONNX file in this folder (with <name>.preprocess.json beside it); used instead of `encoder`
   *  when present, so the folder runs anywhere onnxruntime does. */
  encoderFile?: string;
  /** Feature width the head expects. */
  featureDim?: number;
  /** ONNX file of the head, relative to the folder. */
  head?: string;
  /** Preprocessing of the mask CNN's input (the encoder brings its own). */
  maskPreprocess?: PreprocessConfig;
  /** 'fp16' = weights stored as half floats, computed in float32. */
  precision?: 'fp32' | 'fp16';
  /** Canonical face frame the model should get (defaults: DEFAULT_ALIGN_OPTIONS). align.size is the crop width:
   *  the training images' resolution when they were small (FER+ 48 px), so the encoder upsamples crops as in training. */
  align?: AlignOptions;
  /** 'gray': crops are turned to luma repeated on 3 channels (the training set was grayscale, e.g. FER+). */
  colour?: 'rgb' | 'gray';
  /** Test-time augmentation the model's measured numbers use by default: 'flip' = the logits of each crop and its
   *  mirror image averaged (twice the model time); 'none' (or absent) = the crop alone. Callers may override. */
  tta?: Tta;
  /** Further canonical frames (eyeY, eyeDistance, aspect; the width stays align.size) a detected face is also cut in
   *  at test time: its logits are averaged over every frame (and their mirrors under 'flip'), each frame costing one
   *  more model pass. Faces scored as given crops (no detection) have no frame to vary and are scored once. */
  ttaFrames?: AlignFrame[];
  /** Max |logit difference| measured at export: onnx vs training core, and fp16 vs fp32 when fp16. */
  parity?: Record<string, number>;
  /** Training-core logits on seeded inputs (parityInputs), recorded at export when libtorch was there: lets any
   *  machine check the shipped head against the training core without libtorch or the run folder. */
  reference?: { seed: number; n: number; logits: number[] };
  /** Where it came from: run folder, weights file, commit, training config (verbatim). */
  source?: Record<string, unknown>;
}

const FRAME_KEYS = ['eyeY', 'eyeDistance', 'aspect'] as const;

/** Reads and checks `<dir>/model.json` (a folder path in Node, a URL in the browser). */
export async function loadManifest(runtime: Runtime, dir: string): Promise<CafeManifest> {
  const path = runtime.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = new TextDecoder().decode(await runtime.read(path));
  } catch (err) {
    // The runtime's message already names the file (and, in a browser, the HTTP status).
    throw new CafeError(`${(err as Error).message.split('\n')[0]}: not a cafe model folder; make one with \`cafe export --run RUN --out DIR\``);
  }
  return parseManifest(text, path);
}

/** Checks a model.json's text; `path` names it in errors. */
export function parseManifest(text: string, path: string): CafeManifest {
  let m: CafeManifest;
  try {
    m = JSON.parse(text);
  } catch (err) {
    throw fileError(path, `not a cafe model folder (${(err as Error).message.split('\n')[0]}); make one with \`cafe export --run RUN --out DIR\``);
  }
  if (m.format !== MANIFEST_FORMAT) throw fileError(path, `format '${m.format}', expected '${MANIFEST_FORMAT}'`);
  if (m.kind !== 'cafe' && m.kind !== 'human-emotion') throw fileError(path, `unknown model kind '${m.kind}'`);
  if (JSON.stringify(m.classes) !== JSON.stringify(EXPRESSIONS)) throw fileError(path, `classes must be ${EXPRESSIONS.join(', ')}`);
  if (m.tta !== undefined && !TTAS.includes(m.tta)) throw fileError(path, `tta '${m.tta}', expected one of ${TTAS.join(', ')}`);
  if (m.ttaFrames !== undefined) {
    const shape = `ttaFrames must be a list of {eyeY, eyeDistance, aspect} numbers, got ${JSON.stringify(m.ttaFrames).slice(0, 120)}`;
    if (!Array.isArray(m.ttaFrames)) throw fileError(path, shape);
    m.ttaFrames.forEach((f, i) => {
      if (!f || !FRAME_KEYS.every((k) => typeof f[k] === 'number')) throw fileError(path, shape);
      // The ranges alignFace holds every frame to, checked here so a bad folder fails at load, naming its file.
      try {
        checkAlignFrame(f);
      } catch (err) {
        throw fileError(path, `ttaFrames[${i}]: ${(err as Error).message}`);
      }
    });
  }
  if (m.kind === 'cafe' && (!m.head || !m.encoder || !m.maskPreprocess || !m.featureDim)) throw fileError(path, 'a cafe model needs head, encoder, featureDim and maskPreprocess');
  return m;
}

/**
 * Deterministic parity inputs, drawn like real ones: images [n, 3, S, S] uniform in [-2, 2] (the range of
 * ImageNet-normalised pixels), features [n, D] exponential with mean 0.2, capped at 4 (faceres on FER+: mean 0.19,
 * median 0.04, 99th percentile 1.38, max 3.4; the earlier uniform [0, 3) features averaged 8x that, an input no
 * face produces). The same seed gives the same arrays on every machine.
 */
export function parityInputs(seed: number, n: number, S: number, D: number): { image: Float32Array; features: Float32Array } {
  const rng = new Rng(seed);
  const image = Float32Array.from({ length: n * 3 * S * S }, () => rng.next() * 4 - 2);
  const features = Float32Array.from({ length: n * D }, () => Math.min(4, -0.2 * Math.log(1 - rng.next())));
  return { image, features };
}
