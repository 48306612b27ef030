// The reference for the faceres conversion tests: human's faceres tfjs graph run by tfjs itself (cpu backend), on
// an image preprocessed as the encoder does, at chosen output nodes.
import { defaultFaceresPath } from '../../src/encoders/faceres.js';
import { FACERES_PRESET, preprocessImage } from '../../src/encoders/preprocess.js';
import type { RgbImage } from '../../src/encoders/types.js';
import { nodeRuntime } from '../../src/runtime/node.js';
import { loadTfjsCpu } from './tfjs-cpu.js';

/** Values of `nodes` for one image, each flattened in tfjs' NHWC layout, with their shapes. */
export async function faceresTfjs(img: RgbImage, nodes: string[]): Promise<Array<{ shape: number[]; data: Float32Array }>> {
  const { tf, model } = await loadTfjsCpu(defaultFaceresPath(nodeRuntime));
  const chw = preprocessImage(img, FACERES_PRESET); // [3, 224, 224]
  const hwc = new Float32Array(chw.length);
  for (let c = 0; c < 3; c++) for (let i = 0; i < 224 * 224; i++) hwc[i * 3 + c] = chw[c * 224 * 224 + i];
  const outs = model.execute(tf.tensor4d(hwc, [1, 224, 224, 3]), nodes) as import('@tensorflow/tfjs').Tensor | import('@tensorflow/tfjs').Tensor[];
  const list = Array.isArray(outs) ? outs : [outs];
  const res = await Promise.all(list.map(async (t) => ({ shape: t.shape, data: (await t.data()) as Float32Array })));
  tf.disposeVariables();
  return res;
}
