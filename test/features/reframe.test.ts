// Re-framed views (reframe.ts): a crop in one canonical frame cut again in another, checked on generated faces whose
// "eyes" sit where the source frame says; the views are cached and read like augmented views.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ALIGN_FRAMES } from '../../src/detect/align.js';
import { applyAffine } from '../../src/detect/align.js';
import { datasetFrame, parseFrames, reframeFace, reframeMap, reframeView } from '../../src/features/reframe.js';
import { getFeatures } from '../../src/features/extract.js';
import { labelledFeatures } from '../../src/features/labelled.js';
import { CLIP_PRESET } from '../../src/encoders/preprocess.js';
import type { Encoder, EncoderInput, RgbImage } from '../../src/encoders/types.js';
import type { Dataset } from '../../src/data/types.js';

const root = mkdtempSync(join(tmpdir(), 'cafe-reframe-'));
after(() => rmSync(root, { recursive: true, force: true }));

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

/** A gray w x h face with two bright 3x3 "eyes" where frame `f` puts them. */
function face(w: number, h: number, f: keyof typeof ALIGN_FRAMES): RgbImage {
  const data = new Uint8Array(w * h * 3).fill(50);
  const { eyeY, eyeDistance } = ALIGN_FRAMES[f];
  const y = Math.round(eyeY * h);
  for (const x of [w / 2 - (eyeDistance * w) / 2, w / 2 + (eyeDistance * w) / 2].map(Math.round)) {
    for (let yy = y - 1; yy <= y + 1; yy++) for (let xx = x - 1; xx <= x + 1; xx++) data.fill(250, (yy * w + xx) * 3, (yy * w + xx) * 3 + 3);
  }
  return { width: w, height: h, channels: 3, data };
}

test('reframeMap sends the target frame\'s eye positions to the source frame\'s', () => {
  for (const [from, to, sw, sh, W, H] of [['ferplus', 'sfew', 48, 48, 48, 61], ['sfew', 'ferplus', 143, 181, 143, 143]] as const) {
    const m = reframeMap(sw, sh, from, to, W, H);
    const a = ALIGN_FRAMES[from];
    const b = ALIGN_FRAMES[to];
    for (const side of [-1, 1]) {
      const p = applyAffine(m, { x: W / 2 + (side * b.eyeDistance * W) / 2, y: b.eyeY * H });
      close(p.x, sw / 2 + (side * a.eyeDistance * sw) / 2);
      close(p.y, a.eyeY * sh);
    }
  }
});

test('reframeFace: a FER+-framed face comes out in SFEW\'s frame (size and eye places), and back', () => {
  const src = face(96, 96, 'ferplus');
  const out = reframeFace(src, 'ferplus', 'sfew');
  assert.equal(out.width, 96);
  assert.equal(out.height, Math.round(96 * ALIGN_FRAMES.sfew.aspect));
  const at = (im: RgbImage, x: number, y: number) => im.data[(Math.round(y) * im.width + Math.round(x)) * 3];
  const { eyeY, eyeDistance } = ALIGN_FRAMES.sfew;
  for (const side of [-1, 1]) assert.ok(at(out, 48 + (side * eyeDistance * 96) / 2, eyeY * out.height) > 150, `eye ${side} bright`);
  assert.ok(at(out, 48, eyeY * out.height) < 100, 'between the eyes dark');
  const back = reframeFace(face(143, 181, 'sfew'), 'sfew', 'ferplus');
  assert.deepEqual([back.width, back.height], [143, 143]);
  for (const side of [-1, 1]) assert.ok(at(back, 71.5 + (side * ALIGN_FRAMES.ferplus.eyeDistance * 143) / 2, ALIGN_FRAMES.ferplus.eyeY * 143) > 150, `eye ${side} bright`);
});

test('reframeView: one cache view per (from, to) pair, named after the target frame and both frames\' values', () => {
  assert.match(reframeView('ferplus', 'sfew'), /^reframe\d+sfew-[0-9a-f]{6}$/);
  assert.equal(reframeView('ferplus', 'sfew'), reframeView('ferplus', 'sfew'));
  assert.notEqual(reframeView('ferplus', 'sfew'), reframeView('sfew', 'ferplus'));
});

test('datasetFrame and parseFrames', () => {
  assert.equal(datasetFrame('ferplus:/d/ferplus:train:mode=majority'), 'ferplus');
  assert.equal(datasetFrame('sfew:/d/sfew2:train'), 'sfew');
  assert.equal(datasetFrame('ckplus:/d/ckplus48'), undefined);
  assert.equal(datasetFrame('not a spec'), undefined);
  assert.deepEqual(parseFrames('sfew, ferplus,sfew'), ['sfew', 'ferplus']);
  assert.throws(() => parseFrames('ferplus,cinema'), /--reframe.*cinema/);
  assert.throws(() => parseFrames(','), /--reframe/);
});

function fakeEncoder(): Encoder & { encoded: RgbImage[] } {
  const enc = {
    name: 'fake', dim: 2, preprocess: CLIP_PRESET, weightsHash: 'w1', weightsPath: '<fake>', encoded: [] as RgbImage[],
    async encode(batch: EncoderInput) {
      const imgs = batch as RgbImage[];
      enc.encoded.push(...imgs);
      return Float32Array.from(imgs.flatMap((im) => [im.width, im.height]));
    },
    async dispose() {},
  };
  return enc;
}

test('getFeatures / labelledFeatures with {reframe}: one cached view per other frame, rows after the originals', async () => {
  const dir = join(root, 'ds');
  mkdirSync(dir, { recursive: true });
  const img = face(48, 48, 'ferplus');
  const items = [0, 1, 2].map((i) => ({ id: `f${i}`, source: { kind: 'pixels' as const, width: img.width, height: img.height, channels: 3 as const, data: img.data }, label: 'happiness' as const }));
  const ds: Dataset = { spec: `ferplus:${dir}:train`, name: 'ferplus', items, skipped: [], notes: [] };
  const cacheDir = join(root, 'cache');
  const enc = fakeEncoder();
  const f = await getFeatures(enc, ds, { cacheDir, reframe: ['ferplus', 'sfew'] });
  assert.deepEqual(f.reframedInto, ['sfew'], 'its own frame is no view');
  assert.equal(f.reframed?.length, 1);
  assert.deepEqual([...f.reframed![0]], [48, 61, 48, 61, 48, 61]);
  assert.deepEqual([...f.features], [48, 48, 48, 48, 48, 48]);
  assert.equal(enc.encoded.length, 6);
  // The encoded view is reframeFace of the item's pixels.
  assert.deepEqual(enc.encoded[3].data, reframeFace(img, 'ferplus', 'sfew').data);
  const again = await labelledFeatures(enc, ds, { cacheDir, reframe: ['sfew'] });
  assert.equal(enc.encoded.length, 6, 'served from the cache');
  assert.deepEqual(again.ids, ['f0', 'f1', 'f2', 'f0#sfew', 'f1#sfew', 'f2#sfew']);
  assert.equal(again.labels.length, 6);
  const noFrame: Dataset = { ...ds, spec: `folder:${dir}` };
  await assert.rejects(getFeatures(enc, noFrame, { cacheDir, reframe: ['sfew'] }), /known frame.*for --reframe of dataset folder:/);
});
