// centernet-bands (#11 lever 7, other frozen encoders): the MobileNetV3-Large backbone of the CenterNet object
// detector that @vladmandic/human ships (models/centernet.json, trained on COCO's 80 object classes), read as a
// generic frozen image encoder. Why: faceres is an identity net and the face mesh is geometry; neither was made to
// see texture like a furrowed brow. A backbone trained to tell objects apart is the closest thing to the paper's
// general-purpose encoder (CLIP) that an npm package ships here. Feature: the backbone's last map (extern1, 480
// channels, 7 x 7 at 224 px) mean-pooled, then the stride-16 expansion map of block 12 (528 channels, 14 x 14)
// pooled in the same three horizontal bands as faceres-bands (bands.ts): [N, 480 + 3 * 528].
//
// The graph is converted to ONNX like faceres (tfjs-to-onnx.ts; MobileNetV3's hard-swish is Relu6 + Mul). The tfjs
// graph's input is fixed at 512 x 512; its convolutions are size-agnostic, so the ONNX input is declared at 224 x
// 224 (the faces are 48 to 181 px crops: 512 would cost 5x the time for upsampled pixels).
import type { Runtime } from '../runtime/types.js';
import { encodeOnnxModel } from './onnx-writer.js';
import { createOnnxEncoder } from './onnx-encoder.js';
import { FACERES_PRESET } from './preprocess.js';
import { loadHumanGraph, type TfjsGraph } from './tfjs-graph.js';
import { tfjsToOnnx } from './tfjs-to-onnx.js';
import { appendBandPooling, BAND_EDGES_14 } from './bands.js';
import type { Encoder, EncoderOptions, PreprocessConfig } from './types.js';

/** The backbone's last map (after extern1's hard-swish), [N, 480, 7, 7] at 224 px. */
export const CENTERNET_TOP = 'tower_0/extern1/hard_swish/mul_1';
export const CENTERNET_TOP_CHANNELS = 480;
/** Block 12's expansion (hard-swish), the last stride-16 map, [N, 528, 14, 14] at 224 px. */
export const CENTERNET_MID = 'tower_0/MobilenetV3/expanded_conv_12/expand/hard_swish/mul_1';
export const CENTERNET_MID_CHANNELS = 528;
export const CENTERNET_BANDS_DIM = CENTERNET_TOP_CHANNELS + (BAND_EDGES_14.length - 1) * CENTERNET_MID_CHANNELS;
export const CENTERNET_SIZE = 224;

/** As human feeds it (src/object/centernet.ts: tf.image.resizeBilinear of the 0..255 image, no normalisation). */
export const CENTERNET_PRESET: PreprocessConfig = { ...FACERES_PRESET, size: CENTERNET_SIZE };

export function defaultCenternetPath(runtime: Runtime): string {
  return runtime.join(runtime.humanModels, 'centernet.json');
}

export interface CenternetOptions extends EncoderOptions {
  /** model.json of the tfjs graph (default: the one shipped in @vladmandic/human). */
  centernetPath?: string;
}

/** The backbone as ONNX: input 'pixel_values' [N, 3, 224, 224], output 'features' [N, 2064]. */
export function centernetBandsOnnx(graph: TfjsGraph): Uint8Array {
  const g = tfjsToOnnx(graph, { output: [CENTERNET_TOP, CENTERNET_MID], outputName: ['top', 'mid'] });
  g.inputs = [{ name: 'pixel_values', shape: ['batch', 3, CENTERNET_SIZE, CENTERNET_SIZE] }];
  g.nodes.push({ op: 'ReduceMean', name: 'top/mean', inputs: ['top'], outputs: ['descriptor'], attrs: { axes: [2, 3], keepdims: 0 } }); // [N, 480]
  g.outputs = [{ name: 'descriptor', shape: ['batch', CENTERNET_TOP_CHANNELS] }, ...g.outputs.filter((o) => o.name === 'mid')];
  return encodeOnnxModel(appendBandPooling(g, { global: 'descriptor', map: 'mid', height: 14, edges: BAND_EDGES_14, output: 'features' }));
}

export async function createCenternet(opts: CenternetOptions, runtime: Runtime): Promise<Encoder> {
  const modelPath = opts.centernetPath ?? defaultCenternetPath(runtime);
  const { graph, weightsHash } = await loadHumanGraph(runtime, modelPath, 'centernet');
  return createOnnxEncoder(
    {
      name: 'centernet-bands',
      model: centernetBandsOnnx(graph),
      source: modelPath,
      // The cut (CENTERNET_TOP, block 12's MID), the input size and the pooling are part of the feature: a change to
      // any must change this key, or cached rows of the old feature would be reused.
      weightsHash: `${weightsHash}:top-mid12:${CENTERNET_SIZE}:bands${BAND_EDGES_14.join('-')}`,
      preprocess: opts.preprocess ?? { ...CENTERNET_PRESET },
      dim: CENTERNET_BANDS_DIM,
    },
    opts,
    runtime,
  );
}
