// Augmented encoder views (#11 lever 3): deterministic per (item, view), size-preserving, and exactly the identity /
// a mirror when every range is collapsed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { augmentFace, augmentView, AUGMENT_VERSION, DEFAULT_AUGMENT, viewRandom, type AugmentConfig } from '../../src/features/augment.js';
import { flipImage } from '../../src/encoders/preprocess.js';
import type { RgbImage } from '../../src/encoders/types.js';

const img: RgbImage = { width: 24, height: 20, channels: 3, data: Uint8Array.from({ length: 24 * 20 * 3 }, (_, i) => (i * 37 + (i >> 5)) % 256) };
const NONE: AugmentConfig = { rotateDeg: 0, scale: [1, 1], shift: 0, flip: 0, brightness: 0, contrast: [1, 1], gamma: [1, 1], downscaleP: 0, downscale: [1, 1], blurP: 0, blur: [1, 1] };

test('a view depends only on (item id, view index): same inputs, same pixels; another id or index, other pixels', () => {
  const a = augmentFace(img, 'x/1.png', 0);
  assert.deepEqual(augmentFace(img, 'x/1.png', 0).data, a.data);
  assert.notDeepEqual(augmentFace(img, 'x/1.png', 1).data, a.data);
  assert.notDeepEqual(augmentFace(img, 'x/2.png', 0).data, a.data);
  assert.equal(a.width, img.width);
  assert.equal(a.height, img.height);
  assert.equal(a.channels, 3);
  assert.equal(a.data.length, img.data.length);
  const r1 = viewRandom('a', 3), r2 = viewRandom('a', 3);
  for (let i = 0; i < 5; i++) {
    const v = r1();
    assert.equal(v, r2());
    assert.ok(v >= 0 && v < 1);
  }
  assert.equal(augmentView(2), `aug${AUGMENT_VERSION}x2`);
});

test('collapsed ranges give the image back exactly; flip probability 1 gives its mirror', () => {
  assert.deepEqual(augmentFace(img, 'a', 0, NONE).data, img.data);
  assert.deepEqual(augmentFace(img, 'a', 0, { ...NONE, flip: 1 }).data, flipImage(img).data);
});

test('photometric and degradation steps change pixels the way they say', () => {
  // Brightness only: every pixel shifted by the same amount (clipped), so the mean moves and order is kept.
  const bright = augmentFace(img, 'b', 0, { ...NONE, brightness: 0.2 });
  const d = bright.data.map((v, i) => v - img.data[i]);
  const shifts = new Set(Array.from(d).filter((_, i) => img.data[i] > 60 && img.data[i] < 195));
  assert.equal(shifts.size, 1, 'one shift for unclipped pixels');
  // Blur always on: neighbouring pixels get closer (less total variation).
  const tv = (x: RgbImage) => {
    let s = 0;
    for (let i = 3; i < x.data.length; i++) s += Math.abs(x.data[i] - x.data[i - 3]);
    return s;
  };
  assert.ok(tv(augmentFace(img, 'c', 0, { ...NONE, blurP: 1, blur: [1, 1] })) < 0.7 * tv(img));
  assert.ok(tv(augmentFace(img, 'c', 0, { ...NONE, downscaleP: 1, downscale: [0.5, 0.5] })) < 0.8 * tv(img));
  assert.throws(() => augmentFace(img, 'a', -1), /augmented view index/);
  assert.ok(DEFAULT_AUGMENT.flip > 0 && DEFAULT_AUGMENT.flip < 1);
});
