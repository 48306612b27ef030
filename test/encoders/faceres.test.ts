// faceres: the tfjs -> ONNX conversion must reproduce @vladmandic/human's graph (checked against tfjs itself).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFaceres, FACERES_OUTPUT } from '../../src/encoders/faceres.js';
import { FACERES_PRESET, flipImage } from '../../src/encoders/preprocess.js';
import { createEncoder } from '../../src/encoders/registry.js';
import { nodeRuntime } from '../../src/runtime/node.js';
import type { RgbImage } from '../../src/encoders/types.js';
import { faceresTfjs } from '../helpers/faceres-tfjs.js';

function face(seed: number, w = 48, h = 48): RgbImage {
  const data = Uint8Array.from({ length: w * h * 3 }, (_, i) => (((i / 3) | 0) * 7 + seed * 13 + (i % 3) * 40 + (((i / 3 / w) | 0) * 3)) % 256);
  return { width: w, height: h, channels: 3, data };
}

test('faceres: 1024-d, human preprocessing (0..255), same features as the tfjs graph', async () => {
  const enc = await createFaceres({ batchSize: 2 }, nodeRuntime);
  try {
    assert.equal(enc.dim, 1024);
    assert.deepEqual(enc.preprocess, FACERES_PRESET);
    const imgs = [face(1), face(2, 143, 181), face(3)];
    const feats = await enc.encode(imgs); // [3, 1024]
    assert.equal(feats.length, 3 * 1024);
    assert.ok(feats.every(Number.isFinite));
    // Batching does not change rows.
    const single = await enc.encode([imgs[1]]);
    for (let d = 0; d < 1024; d++) assert.ok(Math.abs(single[d] - feats[1024 + d]) < 1e-4);
    // Flipped faces give different features.
    const flipped = await enc.encode([flipImage(imgs[0])]);
    assert.ok(flipped.some((v, d) => Math.abs(v - feats[d]) > 1e-3));

    // Reference: the original tfjs graph on the same input (NHWC), output node global_pooling/Mean.
    const [{ data: ref }] = await faceresTfjs(imgs[0], [FACERES_OUTPUT]);
    let maxDiff = 0;
    for (let d = 0; d < 1024; d++) maxDiff = Math.max(maxDiff, Math.abs(ref[d] - feats[d]));
    assert.ok(maxDiff < 1e-3, `max |onnx - tfjs| = ${maxDiff}`);
  } finally {
    await enc.dispose();
  }
});

test('faceres: a missing model path says where the model comes from', async () => {
  await assert.rejects(createEncoder('faceres:/nowhere/faceres.json'), /not found at \/nowhere\/faceres\.json[\s\S]*@vladmandic\/human/);
});
