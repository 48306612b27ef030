import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import sharp from 'sharp';
import { cropPadded, cropRegion, decodeRgb, isBlank, loadFace } from '../../src/data/image.js';
import { Rng } from '../../src/util/rng.js';
import { augmentInto, DEFAULT_AUGMENT, hflip, randomErase, resizedCropBox, writeNormalizedCHW } from '../../src/data/transforms.js';
import { pixels, tempDir, writeImage } from './fixtures.js';

const OPTS = { size: 8, margin: 0, fit: 'fill' as const, skipBlank: true };

test('decode: gray, palette PNG, RGBA, TIFF, WebP, JPEG all become 3-channel RGB', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await writeImage(join(dir, 'g.png'), { channels: 1 });
    await writeImage(join(dir, 'a.png'), { channels: 4 });
    await writeImage(join(dir, 't.tiff'), { channels: 3, format: 'tiff' });
    await writeImage(join(dir, 'w.webp'), { channels: 3, format: 'webp' });
    await writeImage(join(dir, 'j.jpg'), { channels: 3, format: 'jpeg' });
    await sharp(pixels(16, 16, 3), { raw: { width: 16, height: 16, channels: 3 } }).png({ palette: true, colours: 8 }).toFile(join(dir, 'p.png'));
    await sharp(pixels(16, 16, 3), { raw: { width: 16, height: 16, channels: 3 } }).tiff({ compression: 'lzw' }).toColourspace('b-w').toFile(join(dir, 'gt.tiff'));
    for (const f of ['g.png', 'a.png', 't.tiff', 'w.webp', 'j.jpg', 'p.png', 'gt.tiff']) {
      const img = await decodeRgb({ kind: 'file', path: join(dir, f) });
      assert.equal(img.data.length, 16 * 16 * 3, f);
      const face = await loadFace({ kind: 'file', path: join(dir, f) }, undefined, OPTS);
      assert.equal(face.data.length, 8 * 8 * 3, f);
    }
    const g = await decodeRgb({ kind: 'file', path: join(dir, 'g.png') });
    assert.ok(g.data[30] === g.data[31] && g.data[31] === g.data[32]); // gray replicated
    await assert.rejects(decodeRgb({ kind: 'file', path: join(dir, 'missing.png') }), /missing\.png: cannot decode image/);
  } finally {
    cleanup();
  }
});

test('decode: EXIF orientation is applied', async () => {
  const { dir, cleanup } = tempDir();
  try {
    // 20x10 stored, orientation 6 (rotate 90 CW to display) -> 10x20 upright
    await sharp(pixels(20, 10, 3), { raw: { width: 20, height: 10, channels: 3 } }).jpeg().withMetadata({ orientation: 6 }).toFile(join(dir, 'o.jpg'));
    const img = await decodeRgb({ kind: 'file', path: join(dir, 'o.jpg') });
    assert.deepEqual([img.width, img.height], [10, 20]);
  } finally {
    cleanup();
  }
});

test('face box: square region with margin, black outside the image', async () => {
  assert.deepEqual(cropRegion({ x: 10, y: 10, width: 20, height: 10 }, 0.1), { x: 8, y: 3, width: 24, height: 24 });
  const img = { width: 4, height: 4, data: new Uint8Array(48).fill(200) };
  const c = cropPadded(img, { x: -2, y: -2, width: 4, height: 4 });
  assert.equal(c.data[0], 0);
  assert.equal(c.data[(2 * 4 + 2) * 3], 200);
  const src = { kind: 'pixels' as const, width: 16, height: 16, channels: 1 as const, data: new Uint8Array(pixels(16, 16, 1)) };
  const face = await loadFace(src, { x: 4, y: 4, width: 8, height: 8 }, { ...OPTS, margin: 0 });
  const whole = await decodeRgb(src);
  // cropping the box then resizing 8 -> 8 keeps the pixels
  assert.equal(face.data[0], whole.data[(4 * 16 + 4) * 3]);
  assert.ok(isBlank(new Uint8Array(10)) && !isBlank(Uint8Array.of(0, 0, 9)));
});

test('transforms: flip, normalise, erasing area, determinism', () => {
  const img = { width: 2, height: 1, data: Uint8Array.of(1, 2, 3, 4, 5, 6) };
  hflip(img);
  assert.deepEqual([...img.data], [4, 5, 6, 1, 2, 3]);
  const out = new Float32Array(6);
  writeNormalizedCHW(img, { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }, out, 0);
  assert.ok(Math.abs(out[0] - (4 / 255 - 0.5) / 0.5) < 1e-6 && Math.abs(out[1] - (1 / 255 - 0.5) / 0.5) < 1e-6);
  const rng = new Rng(3);
  for (let i = 0; i < 200; i++) {
    const buf = new Float32Array(3 * 32 * 32).fill(1);
    if (!randomErase(buf, 0, 32, 32, [0.02, 0.25], [0.3, 3.3], rng)) continue;
    const erased = buf.subarray(0, 1024).filter((v) => v === 0).length / 1024;
    assert.ok(erased >= 0.015 && erased <= 0.27, `erased ${erased}`);
  }
  for (let i = 0; i < 100; i++) {
    const [x, y, w, h] = resizedCropBox(40, 30, [0.8, 1], [3 / 4, 4 / 3], rng);
    assert.ok(x >= 0 && y >= 0 && x + w <= 40 && y + h <= 30 && w * h >= 0.5 * 1200);
  }
  const face = { width: 16, height: 16, data: new Uint8Array(pixels(16, 16, 3)) };
  const norm = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
  const aug = { ...DEFAULT_AUGMENT, resizedCrop: 0.5 };
  const a = new Float32Array(768);
  const b = new Float32Array(768);
  augmentInto(face, aug, norm, new Rng(9), a, 0);
  augmentInto(face, aug, norm, new Rng(9), b, 0);
  assert.deepEqual(a, b);
  assert.deepEqual([...face.data.slice(0, 3)], [...pixels(16, 16, 3).subarray(0, 3)]); // input untouched
});
