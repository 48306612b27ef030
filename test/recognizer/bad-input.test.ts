// Bad input, each generated here: non-images, zero-byte and truncated files, CMYK / 16-bit / alpha images, a
// 50-megapixel photo (downscaled before detection), a photo without a face (empty result, not an error). The CLI
// reports each per file, keeps going, and its exit code says whether anything failed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import { decodeInput } from '../../src/recognizer/decode.js';
import { createRecognizer, type Recognizer } from '../../src/recognizer/recognizer.js';
import { CafeError } from '../../src/errors.js';
import { tfReady } from '../../src/runtime/node-packages.js';
import { datasetsHint, datasetsRoot } from '../../src/util/datasets.js';

const FACE = join(datasetsRoot(), 'photos', 'faceapi-examples', 'happy.jpg');
const NO_DATA = datasetsHint();
let dir: string;
let fer: Recognizer;
const noise = (w: number, h: number, c: number) => Buffer.from(Array.from({ length: w * h * c }, (_, i) => (i * 2654435761) >>> 24));

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cafe-bad-'));
  writeFileSync(join(dir, 'notes.txt.jpg'), 'this is not an image\n');
  writeFileSync(join(dir, 'empty.png'), Buffer.alloc(0));
  const jpeg = await sharp(noise(320, 240, 3), { raw: { width: 320, height: 240, channels: 3 } }).jpeg().toBuffer();
  writeFileSync(join(dir, 'truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 3)));
  await sharp(noise(200, 150, 3), { raw: { width: 200, height: 150, channels: 3 } }).toColourspace('cmyk').jpeg().toFile(join(dir, 'cmyk.jpg'));
  await sharp(noise(200, 150, 3), { raw: { width: 200, height: 150, channels: 3 } }).toColourspace('rgb16').png().toFile(join(dir, 'deep16.png'));
  await sharp(noise(200, 150, 4), { raw: { width: 200, height: 150, channels: 4 } }).png().toFile(join(dir, 'alpha.png'));
  await sharp({ create: { width: 300, height: 200, channels: 3, background: '#808080' } }).png().toFile(join(dir, 'blank.png'));
  fer = await createRecognizer();
});

after(async () => {
  await fer?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

for (const [name, why] of [['notes.txt.jpg', 'not an image'], ['empty.png', 'zero bytes'], ['truncated.jpg', 'truncated JPEG']]) {
  test(`bad input: ${why} throws a CafeError naming the file`, async () => {
    await assert.rejects(fer.recognize(join(dir, name)), (e: Error) => e instanceof CafeError && e.message.includes(name));
  });
}

for (const name of ['cmyk.jpg', 'deep16.png', 'alpha.png']) {
  test(`odd format decodes to 8-bit RGB: ${name}`, async () => {
    const d = await decodeInput(join(dir, name), 1920);
    assert.equal(d.image.channels, 3);
    assert.equal(d.image.data.length, 200 * 150 * 3);
    assert.equal(d.image.data.constructor, Uint8Array);
    const r = await fer.recognize(join(dir, name));
    assert.equal(r.width, 200);
    assert.deepEqual(r.faces, []);
  });
}

test('no face: empty result, not an error', async () => {
  const r = await fer.recognize(join(dir, 'blank.png'));
  assert.deepEqual(r, { width: 300, height: 200, faces: [] });
});

test('50-megapixel photo is downscaled before detection; boxes come back in input pixels', async () => {
  const W = 8660;
  const H = 5780;
  const path = join(dir, 'huge.jpg');
  let img = sharp({ create: { width: W, height: H, channels: 3, background: '#808080' } });
  if (existsSync(FACE)) {
    const face = await sharp(FACE).resize(2000).toBuffer();
    img = img.composite([{ input: face, left: 3000, top: 2000 }]);
  }
  await img.jpeg({ quality: 80 }).toFile(path);
  const d = await decodeInput(path, 1920);
  assert.equal(Math.max(d.image.width, d.image.height), 1920);
  assert.ok(Math.abs(d.scale - W / 1920) < 0.01);
  const r = await fer.recognize(path);
  assert.equal(r.width, W);
  if (existsSync(FACE)) {
    assert.equal(r.faces.length, 1);
    const b = r.faces[0].box;
    assert.ok(b.x > 3000 && b.x < 5000 && b.y > 2000 && b.y < 3200, `face box in input pixels: ${JSON.stringify(b)}`);
  }
});

test('raw pixels, buffers and ImageData-like inputs are accepted', async () => {
  const raw = { width: 64, height: 48, channels: 3 as const, data: new Uint8Array(64 * 48 * 3).fill(90) };
  assert.equal((await fer.recognize(raw)).width, 64);
  const rgba = { width: 64, height: 48, data: new Uint8ClampedArray(64 * 48 * 4).fill(200) };
  assert.equal((await fer.recognize(rgba)).height, 48);
  const png = readFileSync(join(dir, 'alpha.png'));
  assert.equal((await fer.recognize(png)).width, 200);
  await assert.rejects(fer.recognize({ width: 10, height: 10, channels: 3, data: new Uint8Array(5) }), CafeError);
  await assert.rejects(fer.recognize(new Uint8Array(0)), CafeError);
});

test('recognize leaks no tfjs tensors', { skip: existsSync(FACE) ? false : NO_DATA }, async () => {
  const tf = await tfReady();
  await fer.recognize(FACE); // warm-up: lazily created kernels and weights
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) await fer.recognize(FACE);
  await fer.recognize(join(dir, 'blank.png'));
  assert.equal(tf.memory().numTensors, before);
});

test('cafe predict: every file reported, the run continues, exit code 1 when something failed; --annotate', { skip: existsSync(FACE) ? false : NO_DATA }, async () => {
  const cli = join(import.meta.dirname, 'run-cli.mts');
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'predict', dir, FACE, join(dir, 'missing.jpg'), '--quiet', '--format', 'csv'], { encoding: 'utf8' });
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0], /^file,face,x,y,width,height,detection_score,label,score,neutral,happiness/);
  assert.equal(lines.filter((l) => l.startsWith(FACE)).length, 1);
  for (const bad of ['empty.png', 'truncated.jpg', 'notes.txt.jpg', 'missing.jpg']) assert.match(r.stderr, new RegExp(`${bad}`));
  assert.match(r.stderr, /without a face/);
  assert.match(r.stderr, /blank\.png/);
  assert.equal(r.status, 1);
  const ann = join(dir, 'annotated');
  const ok = spawnSync(process.execPath, ['--import', 'tsx', cli, 'predict', FACE, join(dir, 'blank.png'), '--quiet', '--annotate', ann], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.ok(existsSync(join(ann, 'happy.jpg')) && existsSync(join(ann, 'blank.jpg')), 'annotated copies written');
  const row = JSON.parse(ok.stdout.trim().split('\n')[0]);
  assert.equal(row.face, 0);
  assert.ok(row.label && row.scores.happiness >= 0);
  const [a, b] = await Promise.all([sharp(join(ann, 'happy.jpg')).metadata(), sharp(FACE).metadata()]);
  assert.deepEqual([a.width, a.height], [b.width, b.height]);
});
