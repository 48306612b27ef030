// Band pooling (bands.ts) on a tiny graph against a JS reference, and faceres-bands against the tfjs graph itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { appendBandPooling, BAND_EDGES_14 } from '../../src/encoders/bands.js';
import { createFaceres, FACERES_BANDS_DIM, FACERES_MID, FACERES_OUTPUT } from '../../src/encoders/faceres.js';
import { encodeOnnxModel, type OnnxGraph } from '../../src/encoders/onnx-writer.js';
import { createEncoder } from '../../src/encoders/registry.js';
import { nodeRuntime } from '../../src/runtime/node.js';
import { patterned } from '../helpers/patterned.js';
import { faceresTfjs } from '../helpers/faceres-tfjs.js';

/** x [N, 2, 4, 3] -> outputs g = mean over H, W [N, 2] and m = x. */
function tinyGraph(): OnnxGraph {
  return {
    name: 'tiny',
    nodes: [
      { op: 'ReduceMean', inputs: ['x'], outputs: ['g'], attrs: { axes: [2, 3], keepdims: 0 } },
      { op: 'Identity', inputs: ['x'], outputs: ['m'] },
    ],
    initializers: [],
    inputs: [{ name: 'x', shape: ['batch', 2, 4, 3] }],
    outputs: [{ name: 'g', shape: ['batch', 2] }, { name: 'm', shape: ['batch', 2, 4, 3] }],
  };
}

test('appendBandPooling: [global | mean of each band of rows], one output', async () => {
  const g = appendBandPooling(tinyGraph(), { global: 'g', map: 'm', height: 4, edges: [0, 1, 4], output: 'features' });
  assert.deepEqual(g.outputs.map((o) => o.name), ['features']);
  const session = await ort.InferenceSession.create(encodeOnnxModel(g));
  const N = 2, C = 2, H = 4, W = 3;
  const x = Float32Array.from({ length: N * C * H * W }, (_, i) => Math.sin(i * 1.7) * 3);
  const out = (await session.run({ x: new ort.Tensor('float32', x, [N, C, H, W]) })).features;
  assert.deepEqual(out.dims, [N, C + 2 * C]);
  const at = (n: number, c: number, h: number, w: number) => x[((n * C + c) * H + h) * W + w];
  const mean = (n: number, c: number, h0: number, h1: number) => {
    let s = 0;
    for (let h = h0; h < h1; h++) for (let w = 0; w < W; w++) s += at(n, c, h, w);
    return s / ((h1 - h0) * W);
  };
  const data = out.data as Float32Array;
  for (let n = 0; n < N; n++) {
    const want = [mean(n, 0, 0, 4), mean(n, 1, 0, 4), mean(n, 0, 0, 1), mean(n, 1, 0, 1), mean(n, 0, 1, 4), mean(n, 1, 1, 4)];
    want.forEach((v, j) => assert.ok(Math.abs(data[n * 6 + j] - v) < 1e-5, `row ${n} col ${j}: ${data[n * 6 + j]} vs ${v}`));
  }
  await session.release();
});

test('appendBandPooling: bad edges and unknown values are refused', () => {
  const pool = { global: 'g', map: 'm', height: 4, edges: [0, 2, 4], output: 'features' };
  for (const edges of [[0, 4, 2], [1, 4], [0, 2, 5], [0], [0, 2.5, 4]]) {
    assert.throws(() => appendBandPooling(tinyGraph(), { ...pool, edges }), /increasing integers from 0 to the map's height 4 for band edges/);
  }
  assert.throws(() => appendBandPooling(tinyGraph(), { ...pool, map: 'nope' }), /an output of the graph \(g, m\) for band pooling input but received 'nope'/);
});

test('faceres-bands: 2560-d, the descriptor then the bands of conv_pw_11, as the tfjs graph computes them', async () => {
  const enc = await createEncoder('faceres-bands', { batchSize: 2 });
  const plain = await createFaceres({}, nodeRuntime);
  try {
    assert.equal(enc.name, 'faceres-bands');
    assert.equal(enc.dim, FACERES_BANDS_DIM);
    assert.equal(FACERES_BANDS_DIM, 1024 + 3 * 512);
    assert.notEqual(enc.weightsHash, plain.weightsHash, 'its own cache entries');
    const imgs = [patterned(1), patterned(2, 143, 181), patterned(3)];
    const feats = await enc.encode(imgs); // [3, 2560]
    assert.equal(feats.length, 3 * 2560);
    // The first 1024 columns are faceres' own feature.
    const base = await plain.encode(imgs); // [3, 1024]
    for (let i = 0; i < 3; i++) for (let d = 0; d < 1024; d++) assert.ok(Math.abs(base[i * 1024 + d] - feats[i * 2560 + d]) < 1e-4);

    // The bands against tfjs: conv_pw_11's map [1, 14, 14, 512] (NHWC) averaged over rows 0-4, 5-9, 10-13.
    const [mid, desc] = await faceresTfjs(imgs[1], [FACERES_MID, FACERES_OUTPUT]);
    assert.deepEqual(mid.shape, [1, 14, 14, 512]);
    const m = mid.data;
    const d = desc.data;
    let maxDiff = 0;
    for (let j = 0; j < 1024; j++) maxDiff = Math.max(maxDiff, Math.abs(d[j] - feats[2560 + j]));
    for (let k = 0; k + 1 < BAND_EDGES_14.length; k++) {
      const [h0, h1] = [BAND_EDGES_14[k], BAND_EDGES_14[k + 1]];
      for (let c = 0; c < 512; c++) {
        let s = 0;
        for (let h = h0; h < h1; h++) for (let w = 0; w < 14; w++) s += m[(h * 14 + w) * 512 + c];
        maxDiff = Math.max(maxDiff, Math.abs(s / ((h1 - h0) * 14) - feats[2560 + 1024 + k * 512 + c]));
      }
    }
    assert.ok(maxDiff < 1e-3, `max |onnx - tfjs| = ${maxDiff}`);
  } finally {
    await enc.dispose();
    await plain.dispose();
  }
});
