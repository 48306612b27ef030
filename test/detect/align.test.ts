// Alignment geometry on generated images: the similarity transform puts the eyes where the canonical frame says,
// whatever the face's rotation and scale; the warp samples the right pixels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALIGN_FRAMES, alignFace, alignmentMap, applyAffine, DEFAULT_ALIGN_OPTIONS, frameListFlag } from '../../src/detect/align.js';
import { warpAffine, scaleMap } from '../../src/detect/warp.js';
import type { DetectedFace } from '../../src/detect/types.js';
import { invalidParameter } from '../../src/errors.js';

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('alignment map sends canonical eye positions to the detected eyes (rotated, scaled face)', () => {
  const o = { ...DEFAULT_ALIGN_OPTIONS, size: 100 };
  for (const angle of [0, 0.3, -0.7]) {
    const left = { x: 200, y: 150 };
    const d = 60;
    const right = { x: left.x + d * Math.cos(angle), y: left.y + d * Math.sin(angle) };
    const m = alignmentMap(left, right, { x: 0, y: 0, width: 1, height: 1 }, o);
    const l = applyAffine(m, { x: 50 - 13.5, y: 41 });
    const r = applyAffine(m, { x: 50 + 13.5, y: 41 });
    close(l.x, left.x);
    close(l.y, left.y);
    close(r.x, right.x);
    close(r.y, right.y);
  }
});

test('degenerate eyes fall back to the detector box instead of throwing', () => {
  const m = alignmentMap({ x: 5, y: 5 }, { x: 5, y: 5 }, { x: 10, y: 20, width: 50, height: 50 }, { ...DEFAULT_ALIGN_OPTIONS, size: 50 });
  const c = applyAffine(m, { x: 25, y: 25 });
  close(c.x, 35);
  close(c.y, 45);
});

test('aligned crop of a synthetic face has its two "eyes" at the canonical places', () => {
  // A gray image with two bright 5x5 squares as eyes, tilted by 20 degrees.
  const W = 400;
  const H = 300;
  const data = new Uint8Array(W * H * 3).fill(60);
  const a = (20 * Math.PI) / 180;
  const left = { x: 150, y: 120 };
  const right = { x: 150 + 80 * Math.cos(a), y: 120 + 80 * Math.sin(a) };
  for (const e of [left, right]) {
    for (let y = Math.round(e.y) - 2; y <= Math.round(e.y) + 2; y++) for (let x = Math.round(e.x) - 2; x <= Math.round(e.x) + 2; x++) data.fill(250, (y * W + x) * 3, (y * W + x) * 3 + 3);
  }
  const face: DetectedFace = { box: { x: 100, y: 80, width: 180, height: 180 }, landmarks: [left, right, left, left, left, left], score: 1 };
  const { image } = alignFace({ width: W, height: H, channels: 3, data }, face, { size: 200 });
  const at = (x: number, y: number) => image.data[(y * 200 + x) * 3];
  const ey = Math.round(0.41 * 200);
  assert.ok(at(Math.round(100 - 27), ey) > 150, 'left eye bright');
  assert.ok(at(Math.round(100 + 27), ey) > 150, 'right eye bright');
  assert.ok(at(100, ey) < 100, 'between the eyes dark');
});

test('a non-square frame (aspect): crop height = size x aspect, eyes at eyeY of the height and eyeDistance of the width', () => {
  const o = { ...DEFAULT_ALIGN_OPTIONS, size: 143, ...ALIGN_FRAMES.sfew };
  const left = { x: 300, y: 200 };
  const right = { x: 353, y: 212 };
  const m = alignmentMap(left, right, { x: 0, y: 0, width: 1, height: 1 }, o);
  const H = Math.round(143 * o.aspect);
  assert.equal(H, 181);
  const half = (o.eyeDistance * 143) / 2;
  const l = applyAffine(m, { x: 71.5 - half, y: o.eyeY * H });
  const r = applyAffine(m, { x: 71.5 + half, y: o.eyeY * H });
  close(l.x, left.x, 1e-6);
  close(l.y, left.y, 1e-6);
  close(r.x, right.x, 1e-6);
  close(r.y, right.y, 1e-6);
  // The crop itself: two bright eyes on a level line at eyeY of a 143 x 181 image.
  const W = 600;
  const data = new Uint8Array(W * 400 * 3).fill(60);
  const eyes = [{ x: 280, y: 190 }, { x: 340, y: 190 }];
  for (const e of eyes) for (let y = e.y - 2; y <= e.y + 2; y++) for (let x = e.x - 2; x <= e.x + 2; x++) data.fill(250, (y * W + x) * 3, (y * W + x) * 3 + 3);
  const face: DetectedFace = { box: { x: 250, y: 150, width: 120, height: 120 }, landmarks: [eyes[0], eyes[1]], score: 1 };
  const { image } = alignFace({ width: W, height: 400, channels: 3, data }, face, o);
  assert.equal(image.width, 143);
  assert.equal(image.height, 181);
  const at = (x: number, y: number) => image.data[(y * 143 + x) * 3];
  const ey = Math.round(o.eyeY * 181);
  assert.ok(at(Math.round(71.5 - half), ey) > 150, 'left eye bright');
  assert.ok(at(Math.round(71.5 + half), ey) > 150, 'right eye bright');
  assert.ok(at(71, ey) < 100, 'between the eyes dark');
});

test('warp: downscaling averages (no aliasing) and the black border fades', () => {
  // 1-pixel stripes, shrunk 4x, must come out mid-gray, not stripes.
  const W = 64;
  const data = new Uint8Array(W * W * 3);
  for (let y = 0; y < W; y++) for (let x = 0; x < W; x++) data.fill(x % 2 ? 255 : 0, (y * W + x) * 3, (y * W + x) * 3 + 3);
  const small = warpAffine({ width: W, height: W, channels: 3, data }, scaleMap(4), 16, 16);
  for (let i = 0; i < small.data.length; i++) assert.ok(Math.abs(small.data[i] - 128) < 40, `pixel ${i} = ${small.data[i]}`);
  const padded = warpAffine({ width: 8, height: 8, channels: 1, data: new Uint8Array(64).fill(200) }, scaleMap(2), 8, 8, 'black');
  assert.equal(padded.data[(1 * 8 + 1) * 3], 200);
  assert.equal(padded.data[(7 * 8 + 7) * 3], 0);
});

test('bad align options are rejected with the argument named', () => {
  const img = { width: 10, height: 10, channels: 3 as const, data: new Uint8Array(300) };
  const face: DetectedFace = { box: { x: 0, y: 0, width: 10, height: 10 }, landmarks: [{ x: 3, y: 4 }, { x: 7, y: 4 }], score: 1 };
  assert.throws(() => alignFace(img, face, { eyeY: 1.5 }), { message: invalidParameter('eyeY', 'a fraction in (0, 1)', 1.5).message });
  assert.throws(() => alignFace(img, face, { size: 3 }), /align size/);
  assert.throws(() => alignFace(img, face, { aspect: 0 }), { message: invalidParameter('aspect', 'a height / width ratio in [0.25, 4]', 0).message });
});

test('--tta-frames values: none, or frame names as their frames; an unknown name is refused with the flag named', () => {
  assert.deepEqual(frameListFlag('none', '--tta-frames'), []);
  assert.deepEqual(frameListFlag('ferplus,sfew', '--tta-frames'), [{ ...ALIGN_FRAMES.ferplus }, { ...ALIGN_FRAMES.sfew }]);
  assert.throws(() => frameListFlag('ferplus,cinema', '--tta-frames'), /--tta-frames.*cinema/);
});
