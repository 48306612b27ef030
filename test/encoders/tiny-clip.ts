// Builds, from JS, a tiny randomly initialised stand-in for the CLIP image tower with the Hugging Face export's
// names: input pixel_values [N, 3, S, S], outputs image_embeds [N, D] and last_hidden_state. Tests and the encoder
// bench load it through the real clip-vit-b32 loader; no download, no python.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeOnnxModel, type OnnxGraph } from '../../src/encoders/onnx-writer.js';
import { rng as baseRng } from '../helpers/rng.js';

export interface TinyClipOptions {
  /** Fixed input side (224 like CLIP; another value makes a "wrong-shaped" model). */
  size?: number;
  /** Embedding size (512 like ViT-B/32; another value makes a "wrong-shaped" model). */
  dim?: number;
  /** Patch side, like ViT-B/32's 32. */
  patch?: number;
  /** Channels after the patch embedding: compute cost knob for the bench. */
  width?: number;
  seed?: number;
}

/** Centred uniform values in [-0.5, 0.5). */
function rng(seed: number): () => number {
  const u = baseRng(seed);
  return () => u() - 0.5;
}

export function tinyClipGraph(o: TinyClipOptions = {}): OnnxGraph {
  const size = o.size ?? 224;
  const dim = o.dim ?? 512;
  const patch = o.patch ?? 32;
  const width = o.width ?? 16;
  const r = rng(o.seed ?? 1);
  const rand = (n: number, scale: number) => Float32Array.from({ length: n }, () => r() * scale);
  return {
    name: 'tiny_clip_vision',
    producer: 'cafe-test',
    nodes: [
      { op: 'Conv', inputs: ['pixel_values', 'patch_w', 'patch_b'], outputs: ['last_hidden_state'], attrs: { kernel_shape: [patch, patch], strides: [patch, patch] } },
      { op: 'Relu', inputs: ['last_hidden_state'], outputs: ['act'] },
      { op: 'ReduceMean', inputs: ['act'], outputs: ['pooled'], attrs: { axes: [2, 3], keepdims: 0 } },
      { op: 'MatMul', inputs: ['pooled', 'proj_w'], outputs: ['proj'] },
      { op: 'Add', inputs: ['proj', 'proj_b'], outputs: ['image_embeds'] },
    ],
    initializers: [
      { name: 'patch_w', dims: [width, 3, patch, patch], data: rand(width * 3 * patch * patch, 0.05) },
      { name: 'patch_b', dims: [width], data: rand(width, 0.1) },
      { name: 'proj_w', dims: [width, dim], data: rand(width * dim, 0.5) },
      { name: 'proj_b', dims: [dim], data: rand(dim, 0.1) },
    ],
    inputs: [{ name: 'pixel_values', shape: ['batch', 3, size, size] }],
    outputs: [
      { name: 'image_embeds', shape: ['batch', dim] },
      { name: 'last_hidden_state', shape: ['batch', width, 'h', 'w'] },
    ],
  };
}

/**
 * Writes a model folder in the transformers.js layout: <dir>/onnx/vision_model.onnx (+ preprocessor_config.json
 * when `hfConfig` is given). Returns dir.
 */
export function writeTinyClip(dir: string, o: TinyClipOptions = {}, hfConfig?: Record<string, unknown>): string {
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  writeFileSync(join(dir, 'onnx', 'vision_model.onnx'), encodeOnnxModel(tinyClipGraph(o)));
  if (hfConfig) writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify(hfConfig, null, 2));
  return dir;
}

/** CLIPImageProcessor settings of openai/clip-vit-base-patch32, as in its preprocessor_config.json. */
export const CLIP_HF_PREPROCESSOR = {
  crop_size: { height: 224, width: 224 },
  do_center_crop: true,
  do_convert_rgb: true,
  do_normalize: true,
  do_rescale: true,
  do_resize: true,
  image_mean: [0.48145466, 0.4578275, 0.40821073],
  image_processor_type: 'CLIPImageProcessor',
  image_std: [0.26862954, 0.26130258, 0.27577711],
  resample: 3,
  rescale_factor: 0.00392156862745098,
  size: { shortest_edge: 224 },
};
