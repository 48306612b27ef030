// centernet-bands (centernet.ts): the converted MobileNetV3 backbone against the tfjs graph itself (Relu6 hard-swish,
// fused depthwise convolutions, squeeze-excite means), and the encoder's pooling against its own maps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import {
  CENTERNET_BANDS_DIM,
  CENTERNET_MID,
  CENTERNET_MID_CHANNELS,
  CENTERNET_PRESET,
  CENTERNET_TOP,
  CENTERNET_TOP_CHANNELS,
  defaultCenternetPath,
} from '../../src/encoders/centernet.js';
import { BAND_EDGES_14 } from '../../src/encoders/bands.js';
import { encodeOnnxModel } from '../../src/encoders/onnx-writer.js';
import { preprocessImage } from '../../src/encoders/preprocess.js';
import { createEncoder } from '../../src/encoders/registry.js';
import { loadHumanGraph } from '../../src/encoders/tfjs-graph.js';
import { tfjsToOnnx } from '../../src/encoders/tfjs-to-onnx.js';
import { nodeRuntime } from '../../src/runtime/node.js';
import { patterned } from '../helpers/patterned.js';
import { loadTfjsCpu } from '../helpers/tfjs-cpu.js';

const path = defaultCenternetPath(nodeRuntime);

/** The two maps of the converted graph (NCHW), with its input declared at `size`. */
async function onnxMaps(size: number, chw: Float32Array, n: number) {
  const { graph } = await loadHumanGraph(nodeRuntime, path, 'centernet');
  const g = tfjsToOnnx(graph, { output: [CENTERNET_TOP, CENTERNET_MID], outputName: ['top', 'mid'], inputName: 'x' });
  g.inputs = [{ name: 'x', shape: ['batch', 3, size, size] }];
  const session = await ort.InferenceSession.create(encodeOnnxModel(g));
  const out = await session.run({ x: new ort.Tensor('float32', chw, [n, 3, size, size]) });
  await session.release();
  return { top: out.top, mid: out.mid };
}

test('centernet conversion: the backbone maps match the tfjs graph (hard-swish, fused depthwise, squeeze-excite)', async () => {
  // The tfjs graph's placeholder is fixed at 512 x 512; freed here so tfjs runs the size the encoder declares (224)
  // as well as the graph's own.
  const { tf, model } = await loadTfjsCpu(path, (json) => {
    const input = json.modelTopology.node.find((n) => n.op === 'Placeholder')!;
    input.attr.shape.shape.dim = [{ size: '-1' }, { size: '-1' }, { size: '-1' }, { size: '3' }];
  });
  try {
    for (const S of [CENTERNET_PRESET.size, 512]) {
      const hwc = Float32Array.from({ length: S * S * 3 }, (_, i) => (Math.sin(i * 0.37) * 0.5 + 0.5) * 255);
      const x = tf.tensor4d(hwc, [1, S, S, 3]);
      const outs = model.execute(x, [CENTERNET_TOP, CENTERNET_MID]) as import('@tensorflow/tfjs').Tensor[];
      const refs = outs.map((t) => ({ shape: t.shape, data: t.dataSync() as Float32Array }));
      tf.dispose([x, ...outs]);
      const chw = new Float32Array(3 * S * S);
      for (let c = 0; c < 3; c++) for (let i = 0; i < S * S; i++) chw[c * S * S + i] = hwc[i * 3 + c];
      const maps = await onnxMaps(S, chw, 1);
      assert.deepEqual([maps.top.dims[1], maps.mid.dims[1]], [CENTERNET_TOP_CHANNELS, CENTERNET_MID_CHANNELS]);
      for (const [k, t] of [maps.top, maps.mid].entries()) {
        const [, C, H, W] = t.dims as number[];
        assert.deepEqual(refs[k].shape, [1, H, W, C]);
        let diff = 0, scale = 0;
        for (let c = 0; c < C; c++)
          for (let h = 0; h < H; h++)
            for (let w = 0; w < W; w++) {
              const ref = refs[k].data[(h * W + w) * C + c];
              diff = Math.max(diff, Math.abs((t.data as Float32Array)[(c * H + h) * W + w] - ref));
              scale = Math.max(scale, Math.abs(ref));
            }
        assert.ok(scale > 0.1 && diff < 1e-4 * scale, `${S} px, map ${k}: max |onnx - tfjs| = ${diff} (max |tfjs| ${scale})`);
      }
    }
  } finally {
    model.dispose();
  }
});

test('centernet-bands: 2064-d, the top map averaged then the mid map averaged over three row bands, batch-independent', async () => {
  const enc = await createEncoder('centernet-bands', { batchSize: 2 });
  try {
    assert.equal(enc.name, 'centernet-bands');
    assert.equal(enc.dim, CENTERNET_BANDS_DIM);
    const imgs = [patterned(1), patterned(2, 143, 181), patterned(3)];
    const feats = await enc.encode(imgs); // [3, 2064]
    assert.equal(feats.length, 3 * CENTERNET_BANDS_DIM);
    const alone = await enc.encode([imgs[1]]);
    for (let d = 0; d < CENTERNET_BANDS_DIM; d++) assert.ok(Math.abs(alone[d] - feats[CENTERNET_BANDS_DIM + d]) < 1e-4);

    const S = CENTERNET_PRESET.size;
    const maps = await onnxMaps(S, preprocessImage(imgs[1], CENTERNET_PRESET), 1);
    const top = maps.top.data as Float32Array, mid = maps.mid.data as Float32Array;
    const [, , Ht, Wt] = maps.top.dims as number[];
    const [, Cm, Hm, Wm] = maps.mid.dims as number[];
    assert.deepEqual([Ht, Wt, Hm, Wm], [7, 7, 14, 14]);
    const row = feats.subarray(CENTERNET_BANDS_DIM, 2 * CENTERNET_BANDS_DIM);
    let diff = 0;
    for (let c = 0; c < CENTERNET_TOP_CHANNELS; c++) {
      let s = 0;
      for (let i = 0; i < Ht * Wt; i++) s += top[c * Ht * Wt + i];
      diff = Math.max(diff, Math.abs(s / (Ht * Wt) - row[c]));
    }
    for (let k = 0; k + 1 < BAND_EDGES_14.length; k++) {
      const [h0, h1] = [BAND_EDGES_14[k], BAND_EDGES_14[k + 1]];
      for (let c = 0; c < Cm; c++) {
        let s = 0;
        for (let h = h0; h < h1; h++) for (let w = 0; w < Wm; w++) s += mid[(c * Hm + h) * Wm + w];
        diff = Math.max(diff, Math.abs(s / ((h1 - h0) * Wm) - row[CENTERNET_TOP_CHANNELS + k * Cm + c]));
      }
    }
    assert.ok(diff < 1e-3, `max |pooled - features| = ${diff}`);
  } finally {
    await enc.dispose();
  }
});
