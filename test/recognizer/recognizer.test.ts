// Recognizer API on the shipped default model: result shape, skip-detection for crops, model folder errors, and a
// model folder made by `cafe export` from a tiny run (probe kind: no libtorch needed to write its weights).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRecognizer } from '../../src/recognizer/recognizer.js';
import { exportRun } from '../../src/export/export-run.js';
import { EXPRESSIONS } from '../../src/labels.js';
import { CafeError } from '../../src/errors.js';
import { datasetsHint, datasetsRoot } from '../../src/util/datasets.js';
import { flipImage } from '../../src/encoders/preprocess.js';
import { ALIGN_FRAMES, alignFace } from '../../src/detect/align.js';
import { decodeRgb } from '../../src/data/image.js';
import { combineViews } from '../../src/recognizer/model.js';

const FACE = join(datasetsRoot(), 'photos', 'faceapi-examples', 'happy.jpg');
const SKIP = existsSync(FACE) ? false : datasetsHint();

/** A safetensors file of float32 tensors, written by hand (the format is a JSON header + raw bytes). */
function writeSafetensors(path: string, tensors: Record<string, { shape: number[]; data: Float32Array }>): void {
  const header: Record<string, unknown> = {};
  let off = 0;
  for (const [k, t] of Object.entries(tensors)) {
    header[k] = { dtype: 'F32', shape: t.shape, data_offsets: [off, off + t.data.byteLength] };
    off += t.data.byteLength;
  }
  const h = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  writeFileSync(path, Buffer.concat([len, h, ...Object.values(tensors).map((t) => Buffer.from(t.data.buffer))]));
}

/** A probe run over faceres features (1024-d) with small seeded random weights, in `dir`/run. */
function randomProbeRun(dir: string, seed: number): string {
  const run = join(dir, 'run');
  mkdirSync(run);
  writeFileSync(join(run, 'config.json'), JSON.stringify({ data: { train: 'ferplus:/x:train', imageSize: 48 }, encoder: { name: 'faceres' }, model: { kind: 'probe' } }));
  let s = seed;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647 - 0.5) * 0.05;
  writeSafetensors(join(run, 'best.safetensors'), { 'fc.weight': { shape: [7, 1024], data: Float32Array.from({ length: 7 * 1024 }, rnd) }, 'fc.bias': { shape: [7], data: new Float32Array(7) } });
  return run;
}

test('recognize: typed result per face; crops skip detection', { skip: SKIP }, async () => {
  const fer = await createRecognizer();
  try {
    const r = await fer.recognize(FACE);
    assert.equal(r.faces.length, 1);
    const f = r.faces[0];
    assert.deepEqual(Object.keys(f.scores), [...EXPRESSIONS]);
    assert.ok(Math.abs(Object.values(f.scores).reduce((a, b) => a + b, 0) - 1) < 1e-3);
    assert.equal(f.label, EXPRESSIONS.reduce((a, b) => (f.scores[b] > f.scores[a] ? b : a)));
    assert.equal(f.landmarks.length, 6);
    assert.ok(f.detectionScore! > 0.6);
    const crop = await fer.recognize({ width: 96, height: 96, channels: 3, data: new Uint8Array(96 * 96 * 3).fill(120) }, { detect: false });
    assert.equal(crop.faces.length, 1);
    assert.equal(crop.faces[0].detectionScore, null);
    assert.deepEqual(crop.faces[0].box, { x: 0, y: 0, width: 96, height: 96 });
  } finally {
    await fer.dispose();
  }
});

test('model folders: a missing or foreign folder is a clear error; an exported run loads and predicts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cafe-model-'));
  try {
    await assert.rejects(createRecognizer({ model: join(dir, 'nothing') }), (e: Error) => e instanceof CafeError && /cafe export/.test(e.message));
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'other/1' }));
    await assert.rejects(createRecognizer({ model: dir }), /format/);
    // A probe run: logits = fc(F), faceres features (1024-d).
    const run = join(dir, 'run');
    mkdirSync(run);
    writeFileSync(join(run, 'config.json'), JSON.stringify({ data: { train: 'ferplus:/x:train', imageSize: 48 }, encoder: { name: 'faceres' }, model: { kind: 'probe' } }));
    const w = new Float32Array(7 * 1024);
    for (let i = 0; i < 1024; i++) w[1 * 1024 + i] = 0.01; // every face: happiness
    writeSafetensors(join(run, 'best.safetensors'), { 'fc.weight': { shape: [7, 1024], data: w }, 'fc.bias': { shape: [7], data: new Float32Array(7) } });
    const out = join(dir, 'model');
    const r = await exportRun(run, out, { withEncoder: true });
    assert.equal(r.manifest.precision, 'fp32');
    assert.ok(existsSync(join(out, 'encoder.onnx')) && r.manifest.encoderFile === 'encoder.onnx', 'self-contained folder');
    const fer = await createRecognizer({ model: out });
    try {
      const res = await fer.recognize({ width: 64, height: 64, channels: 3, data: new Uint8Array(64 * 64 * 3).fill(200) }, { detect: false });
      assert.equal(res.faces[0].label, 'happiness');
    } finally {
      await fer.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('test-time augmentation: flip averages the logits of each crop and its mirror; model.json sets the default, calls override it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cafe-tta-'));
  try {
    // Random head: every class reads the features differently, so a crop and its mirror get different logits.
    const run = randomProbeRun(dir, 7);
    const out = join(dir, 'model');
    const r = await exportRun(run, out, { tta: 'flip' });
    assert.equal(r.manifest.tta, 'flip');
    // An asymmetric crop: a bright left half.
    const crop = { width: 64, height: 64, channels: 3 as const, data: new Uint8Array(64 * 64 * 3) };
    for (let y = 0; y < 64; y++) for (let x = 0; x < 32; x++) crop.data.fill(220, (y * 64 + x) * 3, (y * 64 + x) * 3 + 3);
    const mirror = flipImage(crop);
    const fer = await createRecognizer({ model: out, threads: 1 });
    try {
      assert.equal(fer.model.tta, 'flip');
      const [a] = await fer.classifyCrops([crop], { tta: 'none' });
      const [b] = await fer.classifyCrops([mirror], { tta: 'none' });
      const [f] = await fer.classifyCrops([crop]);
      assert.notDeepEqual(Array.from(a), Array.from(b));
      // softmax(mean logits) = softmax(mean log-probabilities): the per-row log-sum-exp is a constant shift.
      const z = Array.from(a, (p, i) => (Math.log(p) + Math.log(b[i])) / 2);
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const sum = e.reduce((x, y) => x + y, 0);
      e.forEach((v, i) => assert.ok(Math.abs(v / sum - f[i]) < 1e-5, `class ${i}: ${v / sum} vs ${f[i]}`));
      // recognize() takes the same override; the default follows model.json.
      const viaRecognize = await fer.recognize(crop, { detect: false, tta: 'none' });
      assert.ok(Math.abs(viaRecognize.faces[0].scores.neutral - a[0]) < 1e-6);
    } finally {
      await fer.dispose();
    }
    const plain = await createRecognizer({ model: out, tta: 'none', threads: 1 });
    try {
      assert.equal(plain.model.tta, 'none');
    } finally {
      await plain.dispose();
    }
    await assert.rejects(createRecognizer({ model: out, tta: 'both' as never }), /tta/);
    const manifest = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    writeFileSync(join(out, 'model.json'), JSON.stringify({ ...manifest, tta: 'sideways' }));
    await assert.rejects(createRecognizer({ model: out }), (e: Error) => /model\.json/.test(e.message) && /tta 'sideways'/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('frame TTA: a detected face is also cut in model.json ttaFrames, its logits averaged over every frame; [] turns it off', { skip: SKIP }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cafe-frames-'));
  try {
    const run = randomProbeRun(dir, 11);
    const out = join(dir, 'model');
    await assert.rejects(exportRun(run, out, { ttaFrames: ['ferplus'] }), /other than the align frame 'ferplus'.*ttaFrames/);
    await assert.rejects(exportRun(run, out, { ttaFrames: ['square' as never] }), /ttaFrames/);
    const r = await exportRun(run, out, { tta: 'flip', ttaFrames: ['sfew'] });
    assert.deepEqual(r.manifest.ttaFrames, [{ ...ALIGN_FRAMES.sfew }]);
    const fer = await createRecognizer({ model: out, threads: 1 });
    const single = await createRecognizer({ model: out, threads: 1, ttaFrames: [] });
    try {
      const both = (await fer.recognize(FACE)).faces[0];
      const one = (await single.recognize(FACE)).faces[0];
      assert.deepEqual(both.box, one.box);
      // By hand: the face cut in the model's frame (ferplus, 48 px wide) and in SFEW's at the same width, each
      // scored with its mirror, then the two combined as mean log-probabilities.
      const img = await decodeRgb({ kind: 'file', path: FACE });
      const face = { box: one.box, landmarks: one.landmarks, score: 1 };
      const align = r.manifest.align!;
      const crops = [alignFace({ ...img, channels: 3 }, face, align).image, alignFace({ ...img, channels: 3 }, face, { ...ALIGN_FRAMES.sfew, size: align.size }).image];
      assert.equal(crops[1].height, Math.round(align.size! * ALIGN_FRAMES.sfew.aspect));
      const [a, b] = await fer.classifyCrops(crops);
      EXPRESSIONS.forEach((e, i) => assert.ok(Math.abs(one.scores[e] - a[i]) < 1e-5, `single frame ${e}`));
      const expect = combineViews([a, b]);
      EXPRESSIONS.forEach((e, i) => assert.ok(Math.abs(both.scores[e] - expect[i]) < 1e-5, `${e}: ${both.scores[e]} vs ${expect[i]}`));
      assert.notDeepEqual(a, b);
      // Faces given by a tracker take the same frames; crops scored whole have none to vary.
      const given = (await fer.recognize(FACE, { faces: [{ box: one.box, landmarks: one.landmarks }] })).faces[0];
      EXPRESSIONS.forEach((e) => assert.ok(Math.abs(given.scores[e] - both.scores[e]) < 1e-5));
      const [c] = await fer.classifyCrops([crops[0]]);
      const whole = (await fer.recognize(crops[0], { detect: false })).faces[0];
      EXPRESSIONS.forEach((e, i) => assert.ok(Math.abs(whole.scores[e] - c[i]) < 1e-6));
    } finally {
      await fer.dispose();
      await single.dispose();
    }
    await assert.rejects(createRecognizer({ model: out, ttaFrames: 'sfew' as never }), /ttaFrames/);
    const manifest = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    writeFileSync(join(out, 'model.json'), JSON.stringify({ ...manifest, ttaFrames: [{ eyeY: 2, eyeDistance: 0.3, aspect: 1 }] }));
    await assert.rejects(createRecognizer({ model: out }), (e: Error) => /model\.json/.test(e.message) && /ttaFrames/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
