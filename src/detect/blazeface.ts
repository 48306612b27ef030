// Face detection with BlazeFace (MediaPipe, Apache-2.0) as shipped in @vladmandic/human (MIT): the 256 x 256
// "back"/full-range variant, 896 anchors, a box and six keypoints per anchor. The decoding follows human's
// src/face/blazeface.ts; NMS and thresholds run in JS on the 896 rows. The network runs on onnxruntime (node and web):
// human's tfjs graph is converted to ONNX at load time (~0.1 s) as faceres is: onnxruntime-node runs it 4x faster than
// tfjs-wasm (bench/results/predict-stages.md), onnxruntime-web about as fast as tfjs-wasm in Chromium, and one session
// code serves both (and tfjs need not load at all). blazeface-tfjs.ts keeps the tfjs graph as the
// parity reference (test/detect/blazeface-parity.test.ts, bench/predict.ts); nothing else loads tfjs for detection.
import type { InferenceSession } from 'onnxruntime-common';
import { CafeError, invalidParameter, missingModel } from '../errors.js';
import type { Runtime } from '../runtime/types.js';
import type { DetectedFace, Point } from './types.js';
import type { RgbImage } from '../encoders/types.js';
import { scaleMap, warpAffine } from './warp.js';
import { encodeOnnxModel } from '../encoders/onnx-writer.js';
import { loadTfjsGraph, type TfjsGraph } from '../encoders/tfjs-graph.js';
import { tfjsToOnnx } from '../encoders/tfjs-to-onnx.js';

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
  /** detect() of each image, the network run once per pass on all of them (one batch, then one for the padded
   *  retries); same results as detect() image by image. */
  detectBatch(imgs: RgbImage[]): Promise<DetectedFace[][]>;
  dispose(): Promise<void>;
}

/** The network alone: model windows (S x S RGB, 8-bit) -> raw rows [n, 896, 17] (score logit, box centre and size
 *  relative to the anchor, six keypoints), in the anchor order of anchors(). */
export interface BlazefaceNet {
  /** Side of the square model input (256). */
  readonly size: number;
  run(windows: RgbImage[]): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/** Options with their defaults filled in (undefined fields, e.g. unset CLI flags, keep the defaults), checked. */
export function resolveDetectorOptions(options: DetectorOptions): Required<Omit<DetectorOptions, 'modelPath'>> {
  const o = { ...DEFAULT_DETECTOR_OPTIONS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  checkOptions(o);
  return o;
}

/** Finds the model files or says how to get them. */
export async function blazefacePath(options: DetectorOptions, runtime: Runtime): Promise<string> {
  const modelPath = options.modelPath ?? defaultBlazefacePath(runtime);
  if (!(await runtime.exists(modelPath))) throw missingModel('face detector model (blazeface.json + blazeface.bin)', modelPath, runtime.humanModelsHint);
  return modelPath;
}

/** 0..255 -> x / 127.5 - 1 with float32 rounding after each step, as the tfjs graph's caller computed it. */
const INPUT_LUT = Float32Array.from({ length: 256 }, (_, v) => Math.fround(Math.fround(v / 127.5) - 1));

/**
 * The tfjs graph as ONNX: input 'input' [N, 3, S, S] (x / 127.5 - 1), output 'rows' [N, 896, 17]. human's graph ends
 * in four reshapes, [1, A, 1] scores and [1, A, 16] regressors for the 512 stride-16 and the 384 stride-32 anchors;
 * they are concatenated here as the tfjs detector concatenated them.
 */
export function blazefaceOnnx(graph: TfjsGraph): Uint8Array {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const consumed = new Set(graph.nodes.flatMap((n) => (n.input ?? []).map((i) => i.replace(/:\d+$/, ''))));
  const heads = graph.nodes
    .filter((n) => n.op !== 'Const' && !consumed.has(n.name))
    .map((n) => {
      let r = n;
      while (r.op === 'Identity') r = byName.get(r.input![0].replace(/:\d+$/, ''))!;
      const shape = r.op === 'Reshape' ? graph.weights.get(r.input![1].replace(/:\d+$/, ''))?.data : undefined;
      return { name: n.name, anchors: shape?.[1] ?? -1, width: shape?.[2] ?? -1 };
    });
  const find = (anchors: number, width: number) => heads.find((h) => h.anchors === anchors && h.width === width);
  const parts = [find(512, 1), find(512, 16), find(384, 1), find(384, 16)];
  if (heads.length !== 4 || parts.some((p) => !p)) {
    throw new CafeError(`not human's BlazeFace graph: expected four outputs [1, 512|384, 1|16], found ${heads.map((h) => `${h.name} [1, ${h.anchors}, ${h.width}]`).join(', ')}`);
  }
  const g = tfjsToOnnx(graph, { output: parts.map((p) => p!.name), inputName: 'input', outputName: ['s512', 'r512', 's384', 'r384'] });
  g.nodes.push(
    { op: 'Concat', inputs: ['s512', 'r512'], outputs: ['a512'], attrs: { axis: 2 } },
    { op: 'Concat', inputs: ['s384', 'r384'], outputs: ['a384'], attrs: { axis: 2 } },
    { op: 'Concat', inputs: ['a512', 'a384'], outputs: ['rows'], attrs: { axis: 1 } },
  );
  g.outputs = [{ name: 'rows', shape: ['batch', 896, 17] }];
  return encodeOnnxModel(g);
}

/** BlazeFace on onnxruntime (onnxruntime-node, or onnxruntime-web in the browser); `threads`: intra-op threads
 *  (default: the runtime's). */
export async function createBlazefaceNet(modelPath: string, runtime: Runtime, threads = runtime.threads): Promise<BlazefaceNet> {
  const graph = await loadTfjsGraph(runtime, modelPath);
  const S = graph.inputs[0]?.shape[1] > 0 ? graph.inputs[0].shape[1] : 256;
  const { ort } = runtime;
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(blazefaceOnnx(graph), {
      ...(threads ? { intraOpNumThreads: threads } : {}),
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
    });
  } catch (err) {
    throw new CafeError(`${modelPath}: onnxruntime cannot load the converted detector: ${(err as Error).message}`);
  }
  const plane = S * S;
  return {
    size: S,
    async run(windows) {
      const n = windows.length;
      const x = new Float32Array(n * 3 * plane); // [n, 3, S, S]
      windows.forEach((w, b) => {
        const d = w.data;
        const o = b * 3 * plane;
        for (let i = 0; i < plane; i++) {
          x[o + i] = INPUT_LUT[d[3 * i]];
          x[o + plane + i] = INPUT_LUT[d[3 * i + 1]];
          x[o + 2 * plane + i] = INPUT_LUT[d[3 * i + 2]];
        }
      });
      const out = await session.run({ input: new ort.Tensor('float32', x, [n, 3, S, S]) });
      const rows = out.rows.data as Float32Array; // [n, 896, 17]
      return rows;
    },
    dispose: () => session.release(),
  };
}

/** The detector over any BlazeFace network (onnxruntime here; blazeface-tfjs.ts for the tfjs reference). */
export function detectorOverNet(net: BlazefaceNet, options: DetectorOptions): FaceDetector {
  const o = resolveDetectorOptions(options);
  const S = net.size;
  const anc = anchors(S);
  const n = anc.length / 2;
  const ROW = 17;

  /** Model input = the image seen through a square window: model pixel (u, v) = image (u * scale - off, v * scale - off). */
  const window = (img: RgbImage, scale: number, off: number): RgbImage =>
    // Pad right/bottom to a square (black) so coordinates need one scale, and shrink in JS (supersampled).
    warpAffine(img, { ...scaleMap(scale), c: -off, f: -off }, S, S, 'black');

  const decode = (rows: Float32Array, scale: number, off: number): DetectedFace[] => {
    const candidates: DetectedFace[] = [];
    for (let i = 0; i < n; i++) {
      const r = rows.subarray(i * ROW, i * ROW + ROW);
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

  /** One pass over several images, each through its own window; one network run. */
  const pass = async (jobs: Array<{ img: RgbImage; scale: number; off: number }>): Promise<DetectedFace[][]> => {
    if (jobs.length === 0) return [];
    const rows = await net.run(jobs.map((j) => window(j.img, j.scale, j.off)));
    return jobs.map((j, b) => decode(rows.subarray(b * n * ROW, (b + 1) * n * ROW), j.scale, j.off));
  };

  const detectBatch = async (imgs: RgbImage[]): Promise<DetectedFace[][]> => {
    const out: DetectedFace[][] = imgs.map(() => []);
    const live = imgs.map((img, i) => ({ img, i, side: Math.max(img.width, img.height) })).filter((x) => x.img.width >= 1 && x.img.height >= 1);
    const first = await pass(live.map((x) => ({ img: x.img, scale: x.side / S, off: 0 })));
    live.forEach((x, k) => (out[x.i] = first[k]));
    if (!o.retryPadded) return out;
    // BlazeFace misses faces that fill the frame (tight crops, close-ups): retry once with the image shrunk into the
    // middle of a black square twice its size.
    const retry = live.filter((x) => out[x.i].length === 0);
    const second = await pass(retry.map((x) => ({ img: x.img, scale: (2 * x.side) / S, off: x.side / 2 })));
    retry.forEach((x, k) => (out[x.i] = second[k]));
    return out;
  };

  return {
    detectBatch,
    detect: async (img) => (await detectBatch([img]))[0],
    dispose: () => net.dispose(),
  };
}

/** The detector on onnxruntime; `threads`: onnxruntime intra-op threads (default: the runtime's). */
export async function createFaceDetector(options: DetectorOptions, runtime: Runtime, threads?: number): Promise<FaceDetector> {
  resolveDetectorOptions(options);
  const net = await createBlazefaceNet(await blazefacePath(options, runtime), runtime, threads ?? runtime.threads);
  return detectorOverNet(net, options);
}
