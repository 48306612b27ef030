// Feature cache: hit, miss, invalidation (image, preprocessing, weights), flip views, bad items, resume after abort.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { datasetRoot, getFeatures } from '../../src/features/extract.js';
import { CAFE_PRESET, CLIP_PRESET } from '../../src/encoders/preprocess.js';
import type { Encoder, EncoderInput, RgbImage } from '../../src/encoders/types.js';
import type { Dataset, DatasetItem } from '../../src/data/types.js';

const root = mkdtempSync(join(tmpdir(), 'cafe-features-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A fake encoder: feature = [mean of the first column, mean of the last column, width]; counts encoded images. */
function fakeEncoder(over: Partial<Encoder> = {}): Encoder & { encoded: number } {
  const enc = {
    name: 'fake',
    dim: 3,
    preprocess: CLIP_PRESET,
    weightsHash: 'w1',
    weightsPath: '<fake>',
    encoded: 0,
    async encode(batch: EncoderInput) {
      const imgs = batch as RgbImage[];
      enc.encoded += imgs.length;
      const out = new Float32Array(imgs.length * 3);
      imgs.forEach((im, i) => {
        let first = 0;
        let last = 0;
        for (let y = 0; y < im.height; y++) {
          first += im.data[y * im.width * im.channels];
          last += im.data[(y * im.width + im.width - 1) * im.channels];
        }
        out.set([first / im.height, last / im.height, im.width], i * 3);
      });
      return out;
    },
    async dispose() {},
    ...over,
  };
  return enc;
}

/** Writes a w x 4 gray PNG whose column x has value base + 10 x. */
async function png(path: string, w: number, base: number): Promise<void> {
  const data = Buffer.alloc(w * 4, 0);
  for (let y = 0; y < 4; y++) for (let x = 0; x < w; x++) data[y * w + x] = base + 10 * x;
  await sharp(data, { raw: { width: w, height: 4, channels: 1 } }).png().toFile(path);
}

async function makeDataset(dir: string): Promise<Dataset> {
  const items: DatasetItem[] = [];
  for (let i = 0; i < 5; i++) {
    await png(join(dir, `img${i}.png`), 3 + i, 20 * (i + 1));
    items.push({ id: `img${i}`, source: { kind: 'file', path: join(dir, `img${i}.png`) }, label: 'happiness' });
  }
  writeFileSync(join(dir, 'broken.png'), 'not a png');
  items.push({ id: 'broken', source: { kind: 'file', path: join(dir, 'broken.png') } });
  items.push({ id: 'mem', source: { kind: 'pixels', width: 2, height: 1, channels: 1, data: Uint8Array.from([50, 90]) } });
  return { spec: `folder:${dir}`, name: 'folder', items, skipped: [], notes: [] };
}

test('first call computes, second call is served from the cache; bad items are reported, not retried', async () => {
  const dir = join(root, 'a');
  const cacheDir = join(root, 'cache-a');
  rmSync(dir, { recursive: true, force: true });
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  const ds = await makeDataset(dir);
  const enc = fakeEncoder();
  const f1 = await getFeatures(enc, ds, { cacheDir, shardSize: 3 });
  assert.deepEqual(f1.ids, ['img0', 'img1', 'img2', 'img3', 'img4', 'mem']);
  assert.equal(f1.skipped.length, 1);
  assert.equal(f1.skipped[0].id, 'broken');
  assert.match(f1.skipped[0].reason, /broken\.png/);
  assert.equal(f1.stats.hits, 0);
  assert.equal(enc.encoded, 6);
  // Column means: first column = base, last column = base + 10 (w - 1); gray PNG decoded to RGB.
  assert.deepEqual(Array.from(f1.features.subarray(0, 3)), [20, 40, 3]);
  assert.deepEqual(Array.from(f1.features.subarray(15, 18)), [50, 90, 2]);

  const f2 = await getFeatures(enc, ds, { cacheDir, shardSize: 3 });
  assert.equal(enc.encoded, 6, 'nothing re-encoded');
  assert.equal(f2.stats.hits, 7);
  assert.equal(f2.stats.computed, 0);
  assert.deepEqual(f2.ids, f1.ids);
  assert.deepEqual(f2.features, f1.features);
  assert.deepEqual(f2.skipped.map((s) => s.id), ['broken']);

  // A split/label-mode variant of the same dataset root shares the entry.
  const f3 = await getFeatures(enc, { ...ds, spec: `folder:${dir}:test:mode=x`, items: ds.items.slice(1, 3) }, { cacheDir });
  assert.equal(enc.encoded, 6);
  assert.deepEqual(f3.ids, ['img1', 'img2']);
});

test('changing an image, the preprocessing or the weights invalidates exactly what changed', async () => {
  const dir = join(root, 'b');
  const cacheDir = join(root, 'cache-b');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  const ds = await makeDataset(dir);
  const enc = fakeEncoder();
  await getFeatures(enc, ds, { cacheDir });
  assert.equal(enc.encoded, 6);

  await png(join(dir, 'img2.png'), 5, 100); // new content (and size)
  utimesSync(join(dir, 'img2.png'), new Date(), new Date(Date.now() + 5000));
  const f = await getFeatures(enc, ds, { cacheDir });
  assert.equal(enc.encoded, 7, 'only img2 re-encoded');
  assert.deepEqual(Array.from(f.features.subarray(6, 9)), [100, 140, 5]);

  const otherPre = fakeEncoder({ preprocess: CAFE_PRESET });
  await getFeatures(otherPre, ds, { cacheDir });
  assert.equal(otherPre.encoded, 6, 'new preprocessing: everything re-encoded');
  const otherWeights = fakeEncoder({ weightsHash: 'w2' });
  await getFeatures(otherWeights, ds, { cacheDir });
  assert.equal(otherWeights.encoded, 6, 'new weights: everything re-encoded');
  const again = fakeEncoder();
  await getFeatures(again, ds, { cacheDir });
  assert.equal(again.encoded, 0, 'the original entry is still valid');

  // Re-extracting a dataset resets mtimes without changing bytes: still a hit.
  for (const name of readdirSync(dir)) utimesSync(join(dir, name), new Date(), new Date(Date.now() + 60_000));
  const touched = fakeEncoder();
  await getFeatures(touched, ds, { cacheDir });
  assert.equal(touched.encoded, 0, 'new mtimes, same bytes: nothing re-encoded');
});

test('flip features: mirrored images, cached beside the originals, added later without recomputing originals', async () => {
  const dir = join(root, 'c');
  const cacheDir = join(root, 'cache-c');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  const ds = await makeDataset(dir);
  const enc = fakeEncoder();
  const plain = await getFeatures(enc, ds, { cacheDir });
  assert.equal(plain.flipped, undefined);
  assert.equal(enc.encoded, 6);
  const f = await getFeatures(enc, ds, { cacheDir, flip: true });
  assert.equal(enc.encoded, 12, 'only the flipped view was computed');
  assert.ok(f.flipped);
  for (let i = 0; i < f.ids.length; i++) {
    // Mirroring swaps the first and last columns.
    assert.equal(f.flipped![i * 3], f.features[i * 3 + 1]);
    assert.equal(f.flipped![i * 3 + 1], f.features[i * 3]);
  }
  await getFeatures(enc, ds, { cacheDir, flip: true });
  assert.equal(enc.encoded, 12);
});

test('an aborted extraction keeps whole shards and the next call resumes where it stopped', async () => {
  const dir = join(root, 'd');
  const cacheDir = join(root, 'cache-d');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  const ds = await makeDataset(dir);
  const ac = new AbortController();
  const enc = fakeEncoder();
  const inner = enc.encode;
  enc.encode = async (b) => {
    ac.abort(); // "Ctrl-C" while the first shard is being encoded
    return inner(b);
  };
  const f1 = await getFeatures(enc, ds, { cacheDir, shardSize: 2, signal: ac.signal });
  assert.equal(f1.stats.interrupted, true);
  assert.equal(f1.ids.length, 2);
  // Debris of a killed writer is ignored (and cleaned once old).
  const entry = f1.cacheEntry;
  writeFileSync(join(entry, 'orig-zzz.f32.tmp-1-1'), 'partial');
  utimesSync(join(entry, 'orig-zzz.f32.tmp-1-1'), new Date(0), new Date(0));
  const enc2 = fakeEncoder();
  const f2 = await getFeatures(enc2, ds, { cacheDir, shardSize: 2 });
  assert.equal(enc2.encoded, 4, 'the 2 cached items are not recomputed; 5 - 2 readable left, plus mem');
  assert.equal(f2.ids.length, 6);
  assert.equal(f2.stats.interrupted, false);
  assert.ok(!existsSync(join(entry, 'orig-zzz.f32.tmp-1-1')));
  assert.ok(readdirSync(entry).every((n) => !n.includes('.tmp-')));
});

test('datasetRoot: one cache key whether the spec path is relative or absolute, whatever the split or label mode', () => {
  const abs = resolve('../data/ferplus');
  assert.equal(datasetRoot('ferplus:../data/ferplus:train:mode=majority'), `ferplus:${abs}`);
  assert.equal(datasetRoot(`ferplus:${abs}:test`), `ferplus:${abs}`);
  assert.equal(datasetRoot('generated:t'), datasetRoot('generated:t'));
});

test('augmented views: K cached views per image, each its own deterministic variant, added without recomputing the rest', async () => {
  const dir = join(root, 'aug');
  const cacheDir = join(root, 'cache-aug');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  const ds = await makeDataset(dir);
  const enc = fakeEncoder();
  const plain = await getFeatures(enc, ds, { cacheDir });
  assert.equal(plain.augmented, undefined);
  assert.equal(enc.encoded, 6);
  const f = await getFeatures(enc, ds, { cacheDir, augViews: 2 });
  assert.equal(enc.encoded, 18, 'two new views of the six readable images, originals from the cache');
  assert.equal(f.augmented?.length, 2);
  assert.deepEqual(f.ids, plain.ids);
  for (const a of f.augmented!) {
    assert.equal(a.length, f.features.length);
    // Same image size (third feature = width): views keep the frame size.
    for (let i = 0; i < f.ids.length; i++) assert.equal(a[i * 3 + 2], f.features[i * 3 + 2]);
  }
  assert.notDeepEqual(f.augmented![0], f.augmented![1]);
  const again = await getFeatures(enc, ds, { cacheDir, augViews: 2 });
  assert.equal(enc.encoded, 18, 'all views served from the cache');
  assert.deepEqual(again.augmented, f.augmented);
  await assert.rejects(getFeatures(enc, ds, { cacheDir, augViews: -1 }), /augViews/);
});

test('gray: features of the images read as luma (toGray), in their own cache entry', async () => {
  const { mkdirSync } = await import('node:fs');
  const { toGray } = await import('../../src/encoders/preprocess.js');
  const dir = join(root, 'gray');
  const cacheDir = join(root, 'cache-gray');
  mkdirSync(dir, { recursive: true });
  // A colour image whose first column is red and last column blue: luma differs from the red channel.
  const w = 4;
  const data = Buffer.alloc(w * 4 * 3, 0);
  for (let y = 0; y < 4; y++) {
    data[(y * w) * 3] = 200;
    data[(y * w + w - 1) * 3 + 2] = 200;
  }
  await sharp(data, { raw: { width: w, height: 4, channels: 3 } }).png().toFile(join(dir, 'c.png'));
  const ds: Dataset = { spec: `folder:${dir}`, name: 'folder', items: [{ id: 'c', source: { kind: 'file', path: join(dir, 'c.png') }, label: 'happiness' }], skipped: [], notes: [] };
  const enc = fakeEncoder();
  const colour = await getFeatures(enc, ds, { cacheDir });
  const gray = await getFeatures(enc, ds, { cacheDir, gray: true });
  assert.equal(enc.encoded, 2, 'the gray features are not the colour ones from the cache');
  assert.notEqual(gray.cacheEntry, colour.cacheEntry);
  assert.equal(colour.features[0], 200);
  const g = toGray({ width: w, height: 4, channels: 3, data: new Uint8Array(data) });
  assert.equal(gray.features[0], g.data[0]); // 0.299 * 200, rounded
  assert.equal(gray.features[1], g.data[(w - 1) * 3]);
  await getFeatures(enc, ds, { cacheDir, gray: true });
  assert.equal(enc.encoded, 2, 'served from its own entry');
});
