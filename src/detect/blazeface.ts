// Face detection with BlazeFace (MediaPipe, Apache-2.0) as shipped in @vladmandic/human (MIT): the 256 x 256
// "back"/full-range variant, 896 anchors, a box and six keypoints per anchor. The decoding follows human's
// src/face/blazeface.ts; NMS and thresholds run in JS on the 896 rows (cheaper than tfjs round trips).
import type * as tfType from '@tensorflow/tfjs';
import { invalidParameter, missingModel } from '../errors.js';
import { loadGraphModel } from '../runtime/tfjs.js';
import type { Runtime } from '../runtime/types.js';
import type { DetectedFace, Point } from './types.js';
import type { RgbImage } from '../encoders/types.js';
import { scaleMap, warpAffine } from './warp.js';

export interface DetectorOptions {
  /** Minimum detection score in [0, 1]; default 0.6 (real faces in the face-api example photos score 0.72-0.96, a bookshelf false positive 0.53). */
  minScore?: number;
  /** Minimum face box side in input-image pixels; default 20 (below that an expression is not readable). */
  minSize?: number;
  /** Most faces returned per image (highest scores first); default 50. */
  maxFaces?: number;
  /** IoU above which the lower-scoring of two boxes is dropped; default 0.3 (what human uses). */
  iouThreshold?: number;
  /** When nothing is found, look again with the image padded to twice its size (faces filling the frame); default true. */
  retryPadded?: boolean;
  /** model.json of the detector; default human's models/blazeface.json. */
  modelPath?: string;
}

export const DEFAULT_DETECTOR_OPTIONS: Required<Omit<DetectorOptions, 'modelPath'>> = { minScore: 0.6, minSize: 20, maxFaces: 50, iouThreshold: 0.3, retryPadded: true };

/** blazeface.json among the runtime's human models (the installed @vladmandic/human in Node). */
export function defaultBlazefacePath(runtime: Runtime): string {
  return runtime.join(runtime.humanModels, 'blazeface.json');
}

function anchors(inputSize: number): Float32Array {
  // Strides 16 and 32 at 256: 16x16 cells x 2 anchors + 8x8 cells x 6 anchors = 896.
  const spec = [{ stride: inputSize / 16, n: 2 }, { stride: inputSize / 8, n: 6 }];
  const out: number[] = [];
  for (const { stride, n } of spec) {
    const cells = Math.ceil(inputSize / stride);
    for (let y = 0; y < cells; y++) for (let x = 0; x < cells; x++) for (let k = 0; k < n; k++) out.push(stride * (x + 0.5), stride * (y + 0.5));
  }
  return Float32Array.from(out);
}

/** Overlap of two boxes: IoU, and the share of the smaller box that lies inside the other. */
function overlap(a: DetectedFace, b: DetectedFace): { iou: number; ofSmaller: number } {
  const x0 = Math.max(a.box.x, b.box.x);
  const y0 = Math.max(a.box.y, b.box.y);
  const x1 = Math.min(a.box.x + a.box.width, b.box.x + b.box.width);
  const y1 = Math.min(a.box.y + a.box.height, b.box.y + b.box.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const aa = a.box.width * a.box.height;
  const ab = b.box.width * b.box.height;
  return { iou: inter / (aa + ab - inter), ofSmaller: inter / Math.min(aa, ab) };
}

function checkOptions(o: Required<Omit<DetectorOptions, 'modelPath'>>): void {
  if (!(o.minScore >= 0 && o.minScore <= 1)) throw invalidParameter('minScore', 'a number in [0, 1]', o.minScore);
  if (!(o.minSize >= 0)) throw invalidParameter('minSize', 'a number >= 0', o.minSize);
  if (!Number.isInteger(o.maxFaces) || o.maxFaces < 1) throw invalidParameter('maxFaces', 'a positive integer', o.maxFaces);
  if (!(o.iouThreshold > 0 && o.iouThreshold <= 1)) throw invalidParameter('iouThreshold', 'a number in (0, 1]', o.iouThreshold);
}

export interface FaceDetector {
  /** Every face in the image, best first. Boxes and landmarks are in `img` pixels. Never returns null: [] = no face. */
  detect(img: RgbImage): Promise<DetectedFace[]>;
  dispose(): void;
}

export async function createFaceDetector(options: DetectorOptions, runtime: Runtime): Promise<FaceDetector> {
  // Undefined fields (e.g. unset CLI flags) keep their defaults.
  const o = { ...DEFAULT_DETECTOR_OPTIONS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  checkOptions(o);
  const modelPath = options.modelPath ?? defaultBlazefacePath(runtime);
  if (!(await runtime.exists(modelPath))) throw missingModel('face detector model (blazeface.json + blazeface.bin)', modelPath, runtime.humanModelsHint);
  const tf = await runtime.tf();
  const model = await loadGraphModel(runtime, modelPath);
  const S = (model.inputs[0].shape?.[1] ?? 256) > 0 ? model.inputs[0].shape![1] : 256;
  const anc = anchors(S);

  /** Model input = the image seen through a square window: model pixel (u, v) = image (u * scale - off, v * scale - off). */
  const run = async (img: RgbImage, scale: number, off: number): Promise<Float32Array> => {
    // Pad right/bottom to a square (black) so coordinates need one scale, and shrink in JS: cheaper than moving a
    // full-resolution int32 tensor through tfjs-wasm.
    const small = warpAffine(img, { ...scaleMap(scale), c: -off, f: -off }, S, S, 'black');
    const rows = tf.tidy(() => {
      const input = tf.sub(tf.div(tf.tensor4d(small.data, [1, S, S, 3], 'float32'), 127.5), 1);
      const out = model.execute(input) as tfType.Tensor[];
      // human's converted model has four outputs: scores and regressors for the 512 (stride 16) and 384 (stride 32)
      // anchors; sorted by size they are [scores384, scores512, regs384, regs512].
      const s = [...out].sort((a, b) => a.size - b.size);
      const a512 = tf.concat([s[1], s[3]], 2);
      const a384 = tf.concat([s[0], s[2]], 2);
      return tf.concat([a512, a384], 1).squeeze([0]); // [896, 17]
    });
    const data = (await rows.data()) as Float32Array;
    rows.dispose();
    return data;
  };

  const pass = async (img: RgbImage, scale: number, off: number): Promise<DetectedFace[]> => {
    const rows = await run(img, scale, off);
    const candidates: DetectedFace[] = [];
    const n = anc.length / 2;
    for (let i = 0; i < n; i++) {
      const r = rows.subarray(i * 17, i * 17 + 17);
      const score = 1 / (1 + Math.exp(-r[0]));
      if (score < o.minScore) continue;
      const ax = anc[2 * i];
      const ay = anc[2 * i + 1];
      const w = r[3] * scale;
      const h = r[4] * scale;
      if (Math.min(w, h) < o.minSize) continue;
      const cx = (r[1] + ax) * scale - off;
      const cy = (r[2] + ay) * scale - off;
      const landmarks: Point[] = [];
      for (let k = 0; k < 6; k++) landmarks.push({ x: (r[5 + 2 * k] + ax) * scale - off, y: (r[6 + 2 * k] + ay) * scale - off });
      candidates.push({ box: { x: cx - w / 2, y: cy - h / 2, width: w, height: h }, landmarks, score });
    }
    candidates.sort((a, b) => b.score - a.score);
    const kept: DetectedFace[] = [];
    for (const c of candidates) {
      if (kept.length >= o.maxFaces) break;
      // Also drop a box mostly inside a better one: on close-ups BlazeFace adds a half-size box on part of the face,
      // which plain IoU (small for boxes of different sizes) lets through.
      if (kept.every((k) => {
        const v = overlap(k, c);
        return v.iou <= o.iouThreshold && v.ofSmaller <= 0.6;
      })) kept.push(c);
    }
    return kept;
  };

  return {
    async detect(img: RgbImage): Promise<DetectedFace[]> {
      if (img.width < 1 || img.height < 1) return [];
      const side = Math.max(img.width, img.height);
      const found = await pass(img, side / S, 0);
      if (found.length > 0 || !o.retryPadded) return found;
      // BlazeFace misses faces that fill the frame (tight crops, close-ups): retry once with the image shrunk into the
      // middle of a black square twice its size.
      return pass(img, (2 * side) / S, side / 2);
    },
    dispose() {
      model.dispose();
    },
  };
}
