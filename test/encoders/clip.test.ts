// clip-vit-b32 and onnx:PATH loaders on a tiny ONNX model the test writes itself; errors for missing/wrong models.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { createEncoder } from '../../src/encoders/registry.js';
import { CAFE_PRESET, CLIP_PRESET, preprocessImage } from '../../src/encoders/preprocess.js';
import type { RgbImage } from '../../src/encoders/types.js';
import { CLIP_HF_PREPROCESSOR, writeTinyClip } from './tiny-clip.js';

const root = mkdtempSync(join(tmpdir(), 'cafe-clip-'));
after(() => rmSync(root, { recursive: true, force: true }));

function image(w: number, h: number, seed: number): RgbImage {
  const data = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 31 + seed * 17 + ((i * i) % 7)) % 256);
  return { width: w, height: h, channels: 3, data };
}

test('clip-vit-b32 loads a Hugging Face layout folder and matches a bare onnxruntime run', async () => {
  const dir = writeTinyClip(join(root, 'clip'), {}, CLIP_HF_PREPROCESSOR);
  const enc = await createEncoder(`clip-vit-b32:${dir}`, { batchSize: 2 });
  try {
    assert.equal(enc.dim, 512);
    assert.equal(enc.name, 'clip-vit-b32');
    assert.deepEqual(enc.preprocess, CLIP_PRESET);
    assert.match(enc.weightsHash, /^[0-9a-f]{64}$/);
    const imgs = [image(143, 181, 1), image(48, 48, 2), image(300, 200, 3)];
    const feats = await enc.encode(imgs); // [3, 512], in 2 runtime calls
    assert.equal(feats.length, 3 * 512);
    // Bare runtime on the same preprocessing.
    const per = 3 * 224 * 224;
    const x = new Float32Array(3 * per);
    imgs.forEach((im, i) => preprocessImage(im, CLIP_PRESET, x, i * per));
    const s = await ort.InferenceSession.create(join(dir, 'onnx', 'vision_model.onnx'));
    const ref = (await s.run({ pixel_values: new ort.Tensor('float32', x, [3, 3, 224, 224]) })).image_embeds.data as Float32Array;
    await s.release();
    for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(ref[i] - feats[i]) < 1e-4, `feature ${i}`);
    // A preprocessed batch gives the same rows.
    const again = await enc.encode({ kind: 'preprocessed', n: 3, data: x });
    for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(again[i] - feats[i]) < 1e-5);
    assert.equal((await enc.encode([])).length, 0);
  } finally {
    await enc.dispose();
  }
});

test("clip-vit-b32 with the 'cafe' preset uses the official CAFE preprocessing and another cache name", async () => {
  const dir = writeTinyClip(join(root, 'clip-noconfig'));
  const enc = await createEncoder(`clip-vit-b32:${dir}`, { preset: 'cafe' });
  assert.deepEqual(enc.preprocess, CAFE_PRESET);
  assert.equal(enc.name, 'clip-vit-b32@cafe');
  await enc.dispose();
  const plain = await createEncoder(`clip-vit-b32:${dir}`);
  assert.deepEqual(plain.preprocess, CLIP_PRESET); // no preprocessor_config.json: CLIP's own preset
  await plain.dispose();
});

test('a missing CLIP folder says where to get the model and where to put it', async () => {
  const missing = join(root, 'nope');
  await assert.rejects(createEncoder(`clip-vit-b32:${missing}`), (err: Error) => {
    assert.match(err.message, /Xenova\/clip-vit-base-patch32/);
    assert.match(err.message, /vision_model\.onnx/);
    assert.ok(err.message.includes(missing));
    return true;
  });
});

test('wrong-shaped models are refused on load, naming the file', async () => {
  const small = writeTinyClip(join(root, 'wrong-dim'), { dim: 256 });
  await assert.rejects(createEncoder(`clip-vit-b32:${small}`), /256 features per image, expected 512/);
  const wrongSize = writeTinyClip(join(root, 'wrong-size'), { size: 112 });
  await assert.rejects(createEncoder(`clip-vit-b32:${wrongSize}`), (err: Error) => {
    assert.match(err.message, /\[N, 3, 224, 224\]/);
    assert.ok(err.message.includes(join(wrongSize, 'onnx', 'vision_model.onnx')));
    return true;
  });
  const garbage = join(root, 'garbage', 'onnx');
  writeTinyClip(join(root, 'garbage'));
  writeFileSync(join(garbage, 'vision_model.onnx'), 'not a model');
  await assert.rejects(createEncoder(`clip-vit-b32:${join(root, 'garbage')}`), /cannot load the model/);
});

test('onnx:PATH needs its preprocessing JSON beside it, then works with the model as is', async () => {
  const dir = writeTinyClip(join(root, 'generic'), { dim: 64, size: 96 });
  const model = join(dir, 'onnx', 'vision_model.onnx');
  await assert.rejects(createEncoder(`onnx:${model}`), /vision_model\.preprocess\.json/);
  writeFileSync(join(dir, 'onnx', 'vision_model.preprocess.json'), JSON.stringify({ ...CAFE_PRESET, size: 96 }));
  const enc = await createEncoder(`onnx:${model}`, { outputName: 'image_embeds' });
  assert.equal(enc.dim, 64);
  assert.equal((await enc.encode([image(40, 50, 4)])).length, 64);
  await enc.dispose();
  // Two outputs and no name: ambiguous.
  await assert.rejects(createEncoder(`onnx:${model}`), /exactly one tensor/);
});

test('unknown encoder names list the known ones', async () => {
  await assert.rejects(createEncoder('resnet-9000'), /faceres, faceres-bands, facemesh, centernet-bands, hog, clip-vit-b32, onnx:PATH/);
});
