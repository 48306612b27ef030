// Encoder registry: name -> factory. Names: 'faceres' (default, offline), 'faceres-bands', 'facemesh', 'centernet-bands', 'hog', 'clip-vit-b32[:DIR]', 'onnx:PATH',
// and any of them joined by '+' (features concatenated, concat.ts).
import { invalidParameter } from '../errors.js';
import { createClip, type ClipOptions } from './clip.js';
import { createFaceres, type FaceresOptions } from './faceres.js';
import { createFacemesh, type FacemeshOptions } from './facemesh.js';
import { createCenternet, type CenternetOptions } from './centernet.js';
import { createHog } from './hog.js';
import { nodeRuntime } from '../runtime/node.js';
import { createOnnxFile, type OnnxFileOptions } from './onnx-file.js';
import type { Encoder } from './types.js';
import { concatEncoder, encoderParts } from './concat.js';

export type AnyEncoderOptions = FaceresOptions & FacemeshOptions & CenternetOptions & ClipOptions & OnnxFileOptions;

export interface EncoderEntry {
  /** Name or prefix ('onnx:' takes a path after it, 'clip-vit-b32:' optionally). */
  name: string;
  summary: string;
  create(arg: string | undefined, opts: AnyEncoderOptions): Promise<Encoder>;
}

export const DEFAULT_ENCODER = 'faceres';

const entries: EncoderEntry[] = [
  {
    name: 'faceres',
    summary: 'HSE-FaceRes MobileNet from @vladmandic/human, 1024-d (global_pooling/Mean); offline default',
    create: (arg, opts) => createFaceres({ ...opts, modelPath: arg ?? opts.modelPath }, nodeRuntime),
  },
  {
    name: 'faceres-bands',
    summary: 'faceres plus its last 14 x 14 map pooled in 3 horizontal bands (brows / eyes / mouth), 2560-d, one pass',
    create: (arg, opts) => createFaceres({ ...opts, modelPath: arg ?? opts.modelPath, bands: true }, nodeRuntime),
  },
  {
    name: 'facemesh',
    summary: 'MediaPipe face mesh from @vladmandic/human: 468 landmarks normalised for position, scale and roll, 1404-d geometry',
    create: (arg, opts) => createFacemesh({ ...opts, facemeshPath: arg ?? opts.facemeshPath }, nodeRuntime),
  },
  {
    name: 'centernet-bands',
    summary: "MobileNetV3-Large backbone of human's CenterNet (COCO objects): last map pooled + stride-16 map in 3 bands, 2064-d",
    create: (arg, opts) => createCenternet({ ...opts, centernetPath: arg ?? opts.centernetPath }, nodeRuntime),
  },
  {
    name: 'hog',
    summary: 'histogram of oriented gradients of the gray 48 px face (6 px cells, 9 bins, 2 x 2-cell blocks), 1764-d, no learned weights',
    create: (_arg, opts) => createHog(opts, nodeRuntime),
  },
  {
    name: 'clip-vit-b32',
    summary: 'CLIP ViT-B/32 image tower, 512-d, from a Hugging Face ONNX folder (Xenova/clip-vit-base-patch32)',
    create: (arg, opts) => createClip({ ...opts, dir: arg ?? opts.dir }),
  },
  {
    name: 'onnx',
    summary: 'onnx:PATH, any ONNX image encoder with PATH.preprocess.json beside it',
    create: (arg, opts) => {
      if (!arg) throw invalidParameter('encoder', "'onnx:PATH'", 'onnx');
      return createOnnxFile(arg, opts);
    },
  },
];

export function encoderNames(): string[] {
  return entries.map((e) => e.name);
}

export function encoderEntries(): readonly EncoderEntry[] {
  return entries;
}

/** Splits 'name:arg' (arg may itself contain ':', e.g. a Windows path). */
function splitName(spec: string): { name: string; arg?: string } {
  const i = spec.indexOf(':');
  return i < 0 ? { name: spec } : { name: spec.slice(0, i), arg: spec.slice(i + 1) || undefined };
}

/**
 * Creates an encoder from its registry name, e.g. 'faceres', 'clip-vit-b32:/models/clip', 'onnx:./enc.onnx', or
 * several joined by '+' ('faceres+facemesh': features concatenated, see concat.ts).
 */
export async function createEncoder(spec: string = DEFAULT_ENCODER, opts: AnyEncoderOptions = {}): Promise<Encoder> {
  const parts = encoderParts(spec, encoderNames());
  if (parts.length > 1) {
    const encoders: Encoder[] = [];
    for (const p of parts) encoders.push(await createSingle(p, opts));
    return concatEncoder(encoders);
  }
  return createSingle(spec, opts);
}

async function createSingle(spec: string, opts: AnyEncoderOptions): Promise<Encoder> {
  const { name, arg } = splitName(spec);
  const entry = entries.find((e) => e.name === name);
  if (!entry) throw invalidParameter('encoder', `one of ${entries.map((e) => (e.name === 'onnx' ? 'onnx:PATH' : e.name)).join(', ')}`, spec);
  return entry.create(arg, opts);
}
