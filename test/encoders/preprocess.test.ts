// Preprocessing presets against hand-computed pixels (PIL's resampling rules, CLIP/CAFE/faceres normalisation).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axisWeights } from '../../src/encoders/resize.js';
import {
  CAFE_PRESET,
  CLIP_PRESET,
  FACERES_PRESET,
  flipImage,
  fromHfPreprocessor,
  preprocessImage,
  resizeGeometry,
  validatePreprocess,
} from '../../src/encoders/preprocess.js';
import { preprocessHash } from '../../src/encoders/preprocess-node.js';
import type { PreprocessConfig, RgbImage } from '../../src/encoders/types.js';
import { CLIP_HF_PREPROCESSOR } from './tiny-clip.js';

const close = (a: ArrayLike<number>, b: number[], tol = 1e-5) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `index ${i}: ${a[i]} vs ${b[i]}`);
};

/** A 1-row gray image. */
const row = (...v: number[]): RgbImage => ({ width: v.length, height: 1, channels: 1, data: Uint8Array.from(v) });
/** Identity normalisation, stretch, given method and size, output width x 1 via a square of side `size`. */
const raw = (resize: PreprocessConfig['resize'], size: number): PreprocessConfig => ({ size, resize, crop: 'none', colour: 'rgb', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] });

test('bilinear (PIL) upscaling 2 -> 4: pixel centres at i + 0.5', () => {
  // out 0: centre 0.25 -> only source 0; out 1: centre 0.75 -> 0.75 * s0 + 0.25 * s1; mirrored on the right.
  const out = preprocessImage(row(0, 100), raw('bilinear', 4));
  close(out.subarray(0, 4), [0, 25, 75, 100]);
  // Every row of a 1-row source is the same, every channel too.
  close(out.subarray(12, 16), [0, 25, 75, 100]);
  close(out.subarray(32, 36), [0, 25, 75, 100]);
});

test('bilinear (PIL) downscaling 4 -> 2 is antialiased (support widened x2)', () => {
  // out 0: centre 1, taps i = 0, 1, 2 with triangle((i - 0.5) / 2) = 0.75, 0.75, 0.25 -> / 1.75
  const w = axisWeights(4, 2, 'bilinear');
  close(w.weights[0], [3 / 7, 3 / 7, 1 / 7]);
  const out = preprocessImage(row(0, 10, 20, 30), raw('bilinear', 2));
  close(out.subarray(0, 2), [50 / 7, 30 - 50 / 7], 1e-4);
});

test('bilinear-tf (tfjs resizeBilinear, human/faceres): source = out * in / out, edge clamped', () => {
  const out = preprocessImage(row(0, 100), raw('bilinear-tf', 4));
  close(out.subarray(0, 4), [0, 50, 100, 100]);
});

test('bicubic (PIL, a = -0.5) upscaling 2 -> 4, no clipping', () => {
  // out 0: centre 0.25; taps x = 0.25 -> 0.8671875, x = 1.25 -> -0.0703125; normalised by their sum 0.796875.
  const w1 = -0.0703125 / 0.796875;
  const out = preprocessImage(row(0, 100), raw('bicubic', 4));
  close(out.subarray(0, 1), [100 * w1], 1e-4);
  close(out.subarray(3, 4), [100 * (1 - w1)], 1e-4);
});

test('CAFE preset normalisation: (x / 255 - ImageNet mean) / std, per channel', () => {
  const img: RgbImage = { width: 2, height: 2, channels: 3, data: Uint8Array.from([255, 0, 128, 0, 255, 64, 10, 20, 30, 200, 100, 50]) };
  const out = preprocessImage(img, { ...CAFE_PRESET, size: 2 }); // 2 -> 2: resampling is the identity
  const m = CAFE_PRESET.mean;
  const s = CAFE_PRESET.std;
  const px = [[255, 0, 128], [0, 255, 64], [10, 20, 30], [200, 100, 50]];
  for (let c = 0; c < 3; c++) close(out.subarray(c * 4, c * 4 + 4), px.map((p) => (p[c] / 255 - m[c]) / s[c]));
  assert.ok(Math.abs(out[0] - 2.2489083) < 1e-5); // (1 - 0.485) / 0.229
});

test('CLIP preset: short side to size, centre crop at floor((full - size) / 2), OpenAI mean/std', () => {
  // 4 x 2 image, size 2: short side 2 -> 2 (identity), long side 4, crop columns 1..2.
  assert.deepEqual(resizeGeometry(4, 2, { ...CLIP_PRESET, size: 2 }), { fullW: 4, fullH: 2, x0: 1, y0: 0 });
  assert.deepEqual(resizeGeometry(143, 181, CLIP_PRESET), { fullW: 224, fullH: 283, x0: 0, y0: 29 });
  const data = Uint8Array.from([0, 51, 102, 153, 204, 255, 30, 60]); // gray values, one row of 4 then another
  const out = preprocessImage({ width: 4, height: 2, channels: 1, data }, { ...CLIP_PRESET, size: 2 });
  const norm = (v: number, c: number) => (v / 255 - CLIP_PRESET.mean[c]) / CLIP_PRESET.std[c];
  close(out.subarray(0, 4), [51, 102, 255, 30].map((v) => norm(v, 0)));
  close(out.subarray(8, 12), [51, 102, 255, 30].map((v) => norm(v, 2)));
});

test('faceres preset keeps 0..255 (the graph reads raw pixel values)', () => {
  const out = preprocessImage({ width: 1, height: 1, channels: 3, data: Uint8Array.from([10, 20, 30]) }, FACERES_PRESET);
  assert.equal(out.length, 3 * 224 * 224);
  assert.equal(out[0], 10);
  assert.equal(out[224 * 224], 20);
  assert.equal(out[2 * 224 * 224 + 500], 30);
});

test('gray-valued RGB gives the same tensor as 1-channel gray; gray colour mode uses ITU-R 601 luma', () => {
  const g = Uint8Array.from({ length: 36 }, (_, i) => (i * 37) % 256);
  const rgb = new Uint8Array(36 * 3);
  g.forEach((v, i) => rgb.fill(v, i * 3, i * 3 + 3));
  const a = preprocessImage({ width: 6, height: 6, channels: 1, data: g }, { ...CLIP_PRESET, size: 5 });
  const b = preprocessImage({ width: 6, height: 6, channels: 3, data: rgb }, { ...CLIP_PRESET, size: 5 });
  close(b, Array.from(a));
  const c = preprocessImage({ width: 1, height: 1, channels: 3, data: Uint8Array.from([100, 200, 50]) }, { ...raw('bilinear', 1), colour: 'gray' });
  close(c, [0.299 * 100 + 0.587 * 200 + 0.114 * 50, 0.299 * 100 + 0.587 * 200 + 0.114 * 50, 0.299 * 100 + 0.587 * 200 + 0.114 * 50], 1e-3);
});

test('flipImage mirrors columns and keeps channels together', () => {
  const img: RgbImage = { width: 2, height: 1, channels: 3, data: Uint8Array.from([1, 2, 3, 4, 5, 6]) };
  assert.deepEqual(Array.from(flipImage(img).data), [4, 5, 6, 1, 2, 3]);
});

test("Hugging Face preprocessor_config.json of CLIP maps to the CLIP preset; hashes tell presets apart", () => {
  assert.deepEqual(fromHfPreprocessor(CLIP_HF_PREPROCESSOR, 'cfg'), CLIP_PRESET);
  assert.equal(preprocessHash(CLIP_PRESET), preprocessHash({ ...CLIP_PRESET }));
  const hashes = new Set([CLIP_PRESET, CAFE_PRESET, FACERES_PRESET].map(preprocessHash));
  assert.equal(hashes.size, 3);
});

test('invalid preprocessing JSON is rejected with the field named', () => {
  assert.throws(() => validatePreprocess({ ...CLIP_PRESET, resize: 'lanczos' }, 'x.json'), /x\.json: resize.*'lanczos'/);
  assert.throws(() => validatePreprocess({ ...CLIP_PRESET, mean: [1, 2] }, 'x.json'), /mean/);
  assert.throws(() => validatePreprocess({ ...CLIP_PRESET, std: [1, 0, 1] }, 'x.json'), /std/);
});
