// facemesh: the tfjs -> ONNX conversion (fused convs, PReLU, MaxPool, channel Pad, Reshape) must reproduce
// @vladmandic/human's graph; the geometry feature must be invariant to position, scale and roll; 'faceres+facemesh'
// must be the two features side by side.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { join } from 'node:path';
import { createFacemesh, defaultFacemeshPath, facemeshOnnx, FACEMESH_DIM, FACEMESH_OUTPUT, FACEMESH_POINTS, normaliseMesh, padWithEdges } from '../../src/encoders/facemesh.js';
import { loadTfjsGraph } from '../../src/encoders/tfjs-graph.js';
import { loadGraphModel } from '../../src/runtime/tfjs.js';
import { createEncoder } from '../../src/encoders/registry.js';
import { nodeRuntime } from '../../src/runtime/node.js';
import { packageDir } from '../../src/runtime/node-packages.js';
import { createFaceDetector } from '../../src/detect/blazeface.js';
import { alignFace, DEFAULT_ALIGN_OPTIONS } from '../../src/detect/align.js';
import type { RgbImage } from '../../src/encoders/types.js';

test('facemesh: the converted ONNX graph gives the tfjs graph\'s mesh', async () => {
  const path = defaultFacemeshPath(nodeRuntime);
  const session = await nodeRuntime.ort.InferenceSession.create(facemeshOnnx(await loadTfjsGraph(nodeRuntime, path)));
  const N = 2, S = 192;
  const x = Float32Array.from({ length: N * 3 * S * S }, (_, i) => ((i * 7919) % 1000) / 1000); // [2, 3, 192, 192]
  const out = await session.run({ pixel_values: new nodeRuntime.ort.Tensor('float32', x, [N, 3, S, S]) });
  assert.deepEqual(out.mesh.dims, [N, FACEMESH_DIM]);
  const tf = await nodeRuntime.tf();
  const model = await loadGraphModel(nodeRuntime, path);
  const ref = await (model.execute(tf.tensor4d(x, [N, 3, S, S]).transpose([0, 2, 3, 1]), FACEMESH_OUTPUT) as import('@tensorflow/tfjs').Tensor).data();
  const got = out.mesh.data as Float32Array;
  let maxDiff = 0;
  for (let i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - ref[i]));
  // Landmarks are in input pixels (0..192): 1e-2 px is far below anything an expression changes.
  assert.ok(maxDiff < 1e-2, `max |onnx - tfjs| = ${maxDiff} px`);
  await session.release();
});

test('facemesh: normalised meshes do not depend on position, scale or roll', () => {
  const P = FACEMESH_POINTS;
  const base = Float32Array.from({ length: P * 3 }, (_, i) => Math.sin(i * 12.9898) * 40 + 96);
  const moved = new Float32Array(P * 3);
  const a = 0.3, k = 1.7;
  for (let p = 0; p < P; p++) {
    const x = base[p * 3], y = base[p * 3 + 1];
    moved[p * 3] = k * (Math.cos(a) * x - Math.sin(a) * y) + 11;
    moved[p * 3 + 1] = k * (Math.sin(a) * x + Math.cos(a) * y) - 5;
    moved[p * 3 + 2] = k * base[p * 3 + 2] + 3;
  }
  const both = new Float32Array([...base, ...moved]);
  normaliseMesh(both, 2);
  for (let j = 0; j < P * 3; j++) assert.ok(Math.abs(both[j] - both[P * 3 + j]) < 1e-4, `coordinate ${j}: ${both[j]} vs ${both[P * 3 + j]}`);
  let ss = 0, cx = 0;
  for (let p = 0; p < P; p++) {
    ss += both[p * 3] ** 2 + both[p * 3 + 1] ** 2;
    cx += both[p * 3];
  }
  assert.ok(Math.abs(ss / P - 1) < 1e-4, 'unit RMS radius in the image plane');
  assert.ok(Math.abs(cx / P) < 1e-4, 'centred');
});

test('facemesh: context padding repeats the edges around the crop', () => {
  const img: RgbImage = { width: 2, height: 1, channels: 1, data: Uint8Array.of(10, 20) };
  const p = padWithEdges(img, 2); // 4 x 2
  assert.deepEqual([p.width, p.height], [4, 2]);
  assert.deepEqual([...p.data], [10, 10, 20, 20, 10, 10, 20, 20]);
});

test('facemesh: on a real aligned face the landmarks sit where a face has them; faceres+facemesh concatenates', async () => {
  // A face from the photos face-api ships (MIT), detected and aligned as cafe predict does.
  const file = join(packageDir('@vladmandic/face-api'), 'demo', 'sample1.jpg');
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const photo: RgbImage = { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data) };
  const detector = await createFaceDetector({}, nodeRuntime);
  const faces = await detector.detect(photo);
  detector.dispose();
  assert.ok(faces.length > 0);
  const crop = alignFace(photo, faces[0], DEFAULT_ALIGN_OPTIONS).image;

  const mesh = await createFacemesh({}, nodeRuntime);
  const fused = await createEncoder('faceres+facemesh');
  const faceres = await createEncoder('faceres');
  try {
    const m = await mesh.encode([crop]); // [1, 1404]
    assert.equal(m.length, FACEMESH_DIM);
    const pt = (i: number) => ({ x: m[i * 3], y: m[i * 3 + 1] });
    const rEye = pt(33), lEye = pt(263), nose = pt(1), lip = pt(13), chin = pt(152);
    assert.ok(rEye.x < nose.x && nose.x < lEye.x, 'nose between the eyes');
    assert.ok(nose.y > rEye.y && lip.y > nose.y && chin.y > lip.y, 'eyes, nose, mouth, chin from top to bottom');

    assert.equal(fused.dim, 1024 + FACEMESH_DIM);
    assert.equal(fused.name, 'faceres+facemesh');
    const f = await fused.encode([crop, crop]); // [2, 2428]
    const r = await faceres.encode([crop]);
    for (let d = 0; d < 1024; d++) assert.ok(Math.abs(f[d] - r[d]) < 1e-4);
    for (let d = 0; d < FACEMESH_DIM; d++) assert.ok(Math.abs(f[1024 + d] - m[d]) < 1e-4);
    for (let d = 0; d < fused.dim; d++) assert.ok(Math.abs(f[d] - f[fused.dim + d]) < 1e-4, 'rows are per image');
  } finally {
    await mesh.dispose();
    await fused.dispose();
    await faceres.dispose();
  }
});

test('facemesh: a missing model says where it comes from; unknown parts of a fused spec are named', async () => {
  await assert.rejects(createEncoder('facemesh:/nowhere/facemesh.json'), /not found at \/nowhere\/facemesh\.json[\s\S]*@vladmandic\/human/);
  await assert.rejects(createEncoder('faceres+nosuch'), /nosuch/);
});
