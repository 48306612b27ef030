// The onnxruntime detector (human's BlazeFace graph converted to ONNX at load) against the same graph on tfjs-wasm,
// the detector cafe ran before: raw network rows, then boxes, keypoints and scores, on real photos that installed
// packages ship (face-api's demo/sample*.jpg: 21 faces) and on face crops cut from them (middle of the box: the padded retry), plus the
// face-api example photos of the shared datasets when present.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { createBlazefaceNet, createFaceDetector, defaultBlazefacePath, type BlazefaceNet, type FaceDetector } from '../../src/detect/blazeface.js';
import { createTfjsBlazefaceNet, createTfjsFaceDetector } from '../../src/detect/blazeface-tfjs.js';
import type { DetectedFace } from '../../src/detect/types.js';
import { scaleMap, warpAffine } from '../../src/detect/warp.js';
import type { RgbImage } from '../../src/encoders/types.js';
import { nodeRuntime } from '../../src/runtime/node.js';
import { packageDir } from '../../src/runtime/node-packages.js';
import { decodeInput } from '../../src/recognizer/decode.js';
import { datasetsRoot } from '../../src/util/datasets.js';

const SAMPLES = join(packageDir('@vladmandic/face-api'), 'demo');
// human's own screenshots and sample sheet: more faces, other sizes and lighting.
const HUMAN_ASSETS = ['screenshot-facedetect.jpg', 'samples.jpg', 'screenshot-faceid.jpg'].map((f) => join(packageDir('@vladmandic/human'), 'assets', f));
const EXAMPLES = join(datasetsRoot(), 'photos', 'faceapi-examples');

let ort: FaceDetector;
let ref: FaceDetector;
let ortNet: BlazefaceNet;
let refNet: BlazefaceNet;
const photos: Array<{ name: string; image: RgbImage }> = [];

before(async () => {
  ort = await createFaceDetector({}, nodeRuntime);
  ref = await createTfjsFaceDetector({}, nodeRuntime);
  const path = defaultBlazefacePath(nodeRuntime);
  ortNet = await createBlazefaceNet(path, nodeRuntime);
  refNet = await createTfjsBlazefaceNet(path, nodeRuntime);
  for (const f of readdirSync(SAMPLES).filter((n) => /^sample\d+\.jpg$/.test(n)).sort()) {
    photos.push({ name: f, image: (await decodeInput(join(SAMPLES, f), 1920)).image });
  }
  for (const f of HUMAN_ASSETS.filter(existsSync)) photos.push({ name: f, image: (await decodeInput(f, 1920)).image });
});
after(async () => {
  await Promise.all([ort, ref, ortNet, refNet].map((x) => x?.dispose()));
});

/** Same faces in the same order; every box side, keypoint and score within tolerance. */
function assertSameFaces(a: DetectedFace[], b: DetectedFace[], what: string, px = 0.05, score = 1e-4): void {
  assert.equal(a.length, b.length, `${what}: ${a.length} faces on onnxruntime, ${b.length} on tfjs`);
  a.forEach((f, i) => {
    const g = b[i];
    assert.ok(Math.abs(f.score - g.score) <= score, `${what} face ${i}: score ${f.score} vs ${g.score}`);
    for (const k of ['x', 'y', 'width', 'height'] as const) assert.ok(Math.abs(f.box[k] - g.box[k]) <= px, `${what} face ${i}: box.${k} ${f.box[k]} vs ${g.box[k]}`);
    f.landmarks.forEach((p, j) => assert.ok(Math.hypot(p.x - g.landmarks[j].x, p.y - g.landmarks[j].y) <= px, `${what} face ${i} keypoint ${j}`));
  });
}

test('raw rows: the converted graph gives the tfjs graph\'s 896 x 17 outputs', async () => {
  assert.ok(photos.length >= 6, `face-api's sample photos in ${SAMPLES}`);
  for (const { name, image } of photos) {
    const side = Math.max(image.width, image.height);
    const win = warpAffine(image, scaleMap(side / 256), 256, 256, 'black');
    const [a, b] = [await ortNet.run([win]), await refNet.run([win])];
    assert.equal(a.length, 896 * 17);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
    // fp32 on both sides, different kernels and summation orders through 60 convolutions: ~2e-4 measured.
    assert.ok(worst < 1e-3, `${name}: max relative difference ${worst}`);
  }
});

test('sample photos of face-api and human: same faces, boxes, keypoints and scores as the tfjs detector', async () => {
  const counts: Record<string, number> = {};
  for (const { name, image } of photos) {
    const a = await ort.detect(image);
    assertSameFaces(a, await ref.detect(image), name);
    counts[name] = a.length;
  }
  const faceapi = Object.entries(counts).filter(([n]) => n.startsWith('sample')).reduce((a, [, c]) => a + c, 0);
  assert.equal(faceapi, 21); // 3 + 2 + 3 + 4 + 5 + 4 in face-api's six sample photos
});

test('tight face crops (middle of the box: the padded retry): same faces as the tfjs detector', async () => {
  let retried = 0;
  const noRetry = await createFaceDetector({ retryPadded: false }, nodeRuntime);
  for (const { name, image } of photos.slice(0, 3)) {
    for (const f of await ref.detect(image)) {
      // The middle 70 % of the box: a crop the face overfills, which the first pass often misses and the padded
      // retry finds.
      const x = Math.max(0, Math.round(f.box.x + 0.15 * f.box.width));
      const y = Math.max(0, Math.round(f.box.y + 0.15 * f.box.height));
      const w = Math.min(image.width - x, Math.round(0.7 * f.box.width));
      const h = Math.min(image.height - y, Math.round(0.7 * f.box.height));
      const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).extract({ left: x, top: y, width: w, height: h }).raw().toBuffer({ resolveWithObject: true });
      const crop: RgbImage = { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data) };
      const a = await ort.detect(crop);
      assertSameFaces(a, await ref.detect(crop), `${name} crop`);
      if ((await noRetry.detect(crop)).length === 0 && a.length > 0) retried++;
    }
  }
  await noRetry.dispose();
  assert.ok(retried > 0, 'some crops were found by the padded retry only');
});

test('detectBatch = detect one by one (batched network run, batched retries)', async () => {
  const blank: RgbImage = { width: 300, height: 200, channels: 3, data: new Uint8Array(300 * 200 * 3).fill(90) };
  const imgs = [photos[0].image, blank, photos[1].image, { width: 0, height: 0, channels: 3, data: new Uint8Array(0) } as RgbImage, photos[2].image];
  const batched = await ort.detectBatch(imgs);
  assert.equal(batched.length, imgs.length);
  for (let i = 0; i < imgs.length; i++) assertSameFaces(batched[i], await ort.detect(imgs[i]), `image ${i}`, 1e-3, 1e-5);
  assert.deepEqual(batched[1], []);
  assert.deepEqual(batched[3], []);
});

test('face-api example photos (shared datasets): same faces as the tfjs detector', { skip: existsSync(EXAMPLES) ? false : `absent: ${EXAMPLES}` }, async () => {
  for (const f of readdirSync(EXAMPLES).filter((n) => /\.(jpe?g|png)$/i.test(n)).sort()) {
    const { image } = await decodeInput(join(EXAMPLES, f), 1920);
    assertSameFaces(await ort.detect(image), await ref.detect(image), f);
  }
});
