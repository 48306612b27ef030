// bench/helpers/facs-warp.ts, the action-unit warp behind bench/facs-synth.ts' synthetic faces: an empty template
// leaves the face as it is, and a landmark moved by the template carries its pixels with it, by the template's
// amount, in the face's own axes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { facsWarp, FACS_TEMPLATES, type Move } from '../../bench/helpers/facs-warp.js';
import type { RgbImage } from '../../src/encoders/types.js';
import { patterned } from '../helpers/patterned.js';

const S = 64;

/** 468 landmarks parked in a far corner, except the eye corners (eye centres at x 24 and 40, y 24: 16 px apart)
 *  and `at` (index -> point). */
function landmarks(at: Record<number, [number, number]>, rotate = 0): Float32Array {
  const lm = new Float32Array(468 * 2).fill(-1000);
  const pts: Record<number, [number, number]> = { 33: [20, 24], 133: [28, 24], 362: [36, 24], 263: [44, 24], ...at };
  const c = Math.cos(rotate), s = Math.sin(rotate);
  for (const [i, [x, y]] of Object.entries(pts)) {
    // rotated about the image centre, as a rolled face would be
    lm[Number(i) * 2] = S / 2 + c * (x - S / 2) - s * (y - S / 2);
    lm[Number(i) * 2 + 1] = S / 2 + s * (x - S / 2) + c * (y - S / 2);
  }
  return lm;
}

/** A dark image with one bright 3 x 3 dot centred on (x, y). */
function dot(x: number, y: number): RgbImage {
  const data = new Uint8Array(S * S * 3).fill(10);
  for (let v = y - 1; v <= y + 1; v++) for (let u = x - 1; u <= x + 1; u++) data.fill(250, (v * S + u) * 3, (v * S + u) * 3 + 3);
  return { width: S, height: S, channels: 3, data };
}

/** Intensity-weighted centre of the bright pixels. */
function centroid(img: RgbImage): [number, number] {
  let sx = 0, sy = 0, sw = 0;
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const w = Math.max(0, img.data[(y * S + x) * 3] - 10);
      sx += w * x;
      sy += w * y;
      sw += w;
    }
  }
  return [sx / sw, sy / sw];
}

test('an empty template returns the image unchanged, with gain 1', () => {
  const img = patterned(3, S, S);
  const none: Move[] = [{ idx: [107], mid: 0, dy: 0 }];
  const { image, gain } = facsWarp(img, landmarks({ 107: [26, 18] }), none, 1);
  assert.equal(gain, 1);
  assert.deepEqual(image.data, img.data);
});

test('a landmark moved down by 0.25 IOD carries its pixels 4 px down the face', () => {
  const down: Move[] = [{ idx: [107], mid: 0, dy: 0.25 }];
  const [x0, y0] = centroid(dot(30, 30));
  const { image } = facsWarp(dot(30, 30), landmarks({ 107: [30, 30] }), down, 1);
  const [x1, y1] = centroid(image);
  assert.ok(Math.abs(x1 - x0) < 0.2, `x moved by ${x1 - x0}`);
  assert.ok(Math.abs(y1 - y0 - 4) < 0.5, `y moved by ${y1 - y0}, want 4`);
  // intensity scales the move
  const half = centroid(facsWarp(dot(30, 30), landmarks({ 107: [30, 30] }), down, 0.5).image);
  assert.ok(Math.abs(half[1] - y0 - 2) < 0.5, `y moved by ${half[1] - y0} at intensity 0.5, want 2`);
});

test('mid moves a landmark toward the face midline on either side, in the face axes of a rolled face', () => {
  const inward: Move[] = [{ idx: [107, 336], mid: 0.25, dy: 0 }];
  // image-left point moves right, image-right point moves left (the midline is x = 32)
  const left = centroid(facsWarp(dot(20, 40), landmarks({ 107: [20, 40], 336: [-900, -900] }), inward, 1).image);
  assert.ok(Math.abs(left[0] - 24) < 0.5, `left landmark at x ${left[0]}, want 24`);
  const right = centroid(facsWarp(dot(44, 40), landmarks({ 107: [-900, -900], 336: [44, 40] }), inward, 1).image);
  assert.ok(Math.abs(right[0] - 40) < 0.5, `right landmark at x ${right[0]}, want 40`);
  // a face rolled by 90 degrees: "down the face" is the image's -x, so dy moves the point left
  const roll = Math.PI / 2;
  const lm = landmarks({ 107: [32, 44] }, roll); // (32, 44) rotated about (32, 32) -> (20, 32)
  assert.deepEqual([lm[214], lm[215]].map(Math.round), [20, 32]);
  const rolled = centroid(facsWarp(dot(20, 32), lm, [{ idx: [107], mid: 0, dy: 0.25 }], 1).image);
  assert.ok(Math.abs(rolled[0] - 16) < 0.5 && Math.abs(rolled[1] - 32) < 0.5, `rolled landmark at ${rolled}, want (16, 32)`);
});

test('the anger template lowers the brows and presses the lips, sadness and fear raise the inner brows', () => {
  const dy = (t: Move[], i: number) => t.find((m) => m.idx.includes(i))?.dy ?? 0;
  assert.ok(dy(FACS_TEMPLATES.anger, 107) > 0 && dy(FACS_TEMPLATES.anger, 336) > 0); // AU4
  assert.ok(dy(FACS_TEMPLATES.anger, 0) > 0 && dy(FACS_TEMPLATES.anger, 17) < 0); // AU24: lips toward each other
  assert.ok(dy(FACS_TEMPLATES.sadness, 107) < 0 && dy(FACS_TEMPLATES.fear, 107) < 0); // AU1
  assert.ok(dy(FACS_TEMPLATES.sadness, 61) > 0); // AU15
});
