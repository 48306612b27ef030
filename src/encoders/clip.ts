// clip-vit-b32: the CLIP ViT-B/32 image tower (CAFE's encoder) from a local folder in the Hugging Face ONNX export
// layout used by transformers.js (Xenova/clip-vit-base-patch32):
//   <dir>/onnx/vision_model.onnx   input pixel_values [N, 3, 224, 224], output image_embeds [N, 512]
//   <dir>/preprocessor_config.json (optional; CLIPImageProcessor settings)
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { invalidParameter, missingModel } from '../errors.js';
import { createOnnxEncoder } from './onnx-encoder.js';
import { nodeRuntime } from '../runtime/node.js';
import { CAFE_PRESET, CLIP_PRESET, fromHfPreprocessor } from './preprocess.js';
import { loadPreprocess, readJsonFile } from './preprocess-node.js';
import { hashFiles } from '../util/hash-files.js';
import type { Encoder, EncoderOptions, PreprocessConfig } from './types.js';

export const CLIP_DIM = 512;
export const CLIP_HF_REPO = 'Xenova/clip-vit-base-patch32';

/** Default folder: $CAFE_MODELS_DIR/clip-vit-base-patch32, else .cache/cafe/models/clip-vit-base-patch32. */
export function defaultClipDir(): string {
  return resolve(process.env.CAFE_MODELS_DIR ?? join('.cache', 'cafe', 'models'), 'clip-vit-base-patch32');
}

export interface ClipOptions extends EncoderOptions {
  /** Model folder (default defaultClipDir()). */
  dir?: string;
  /**
   * 'clip': CLIP's own preprocessing (preprocessor_config.json when present, else CLIP_PRESET). 'cafe': the official
   * CAFE code's (224 x 224 bilinear stretch, ImageNet mean/std). Or a path to a preprocessing JSON. Default 'clip'.
   */
  preset?: 'clip' | 'cafe' | string;
}

function clipPreprocess(dir: string, preset: string): PreprocessConfig {
  if (preset === 'cafe') return { ...CAFE_PRESET };
  if (preset !== 'clip') return loadPreprocess(preset);
  const hf = join(dir, 'preprocessor_config.json');
  if (!existsSync(hf)) return { ...CLIP_PRESET };
  return fromHfPreprocessor(readJsonFile(hf), hf);
}

export async function createClip(opts: ClipOptions = {}): Promise<Encoder> {
  const dir = resolve(opts.dir ?? defaultClipDir());
  const how = `download onnx/vision_model.onnx, preprocessor_config.json and config.json from https://huggingface.co/${CLIP_HF_REPO} (keep the onnx/ subfolder)`;
  if (!existsSync(dir)) throw missingModel(`CLIP ViT-B/32 model folder`, dir, how);
  const candidates = ['onnx/vision_model.onnx', 'vision_model.onnx', 'onnx/model.onnx', 'model.onnx'].map((f) => join(dir, f));
  const modelPath = candidates.find((p) => existsSync(p));
  if (!modelPath) throw missingModel('CLIP image tower (onnx/vision_model.onnx)', join(dir, 'onnx', 'vision_model.onnx'), how);
  const preset = opts.preset ?? 'clip';
  if (typeof preset !== 'string') throw invalidParameter('preset', "'clip', 'cafe' or a JSON path", preset);
  const preprocess = opts.preprocess ?? clipPreprocess(dir, preset);
  return createOnnxEncoder(
    {
      name: preset === 'clip' ? 'clip-vit-b32' : `clip-vit-b32@${preset === 'cafe' ? 'cafe' : 'custom'}`,
      model: modelPath,
      source: modelPath,
      weightsHash: await hashFiles([modelPath]),
      preprocess,
      inputName: 'pixel_values',
      outputName: 'image_embeds',
      dim: CLIP_DIM,
    },
    opts,
    nodeRuntime,
  );
}
