import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openImageCache } from '../../src/data/cache.js';
import { openDataset } from '../../src/data/index.js';
import { DataLoader } from '../../src/data/loader.js';
import { Progress } from '../../src/util/progress.js';
import { tempDir, write, writeImage } from './fixtures.js';

const norm = { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };

async function fixture(dir: string): Promise<string> {
  const root = join(dir, 'ds');
  const classes = ['Angry', 'Happy', 'Sad'];
  for (const [ci, c] of classes.entries()) for (let i = 0; i < 7; i++) await writeImage(join(root, c, `${c}${i}.png`), { w: 12, h: 10, channels: 3, seed: ci * 10 + i + 1 });
  await writeImage(join(root, 'Sad', 'black.png'), { black: true });
  write(join(root, 'Happy', 'broken.png'), 'not a png');
  write(join(root, 'Happy', 'empty.png'), '');
  return root;
}

test('cache: built once, reused, atomic files, bad images skipped and reported, rebuilt when items change', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const root = await fixture(dir);
    const cacheDir = join(dir, 'cache');
    const ds = await openDataset(`folder:${root}`);
    assert.equal(ds.items.length, 24);
    const c1 = await openImageCache(ds, { size: 16 }, { dir: cacheDir, progress: false });
    assert.equal(c1.built, true);
    assert.equal(c1.rows.size, 21);
    assert.deepEqual(c1.failed.map((f) => f.id).sort(), ['Happy/broken.png', 'Happy/empty.png', 'Sad/black.png']);
    assert.match(c1.failed.find((f) => f.id === 'Sad/black.png')!.reason, /all-black/);
    assert.match(c1.failed.find((f) => f.id === 'Happy/broken.png')!.reason, /broken\.png: cannot decode/);
    await c1.close();
    const files = readdirSync(cacheDir);
    assert.equal(files.filter((f) => f.endsWith('.tmp')).length, 0);
    assert.equal(files.length, 2);
    const c2 = await openImageCache(ds, { size: 16 }, { dir: cacheDir, progress: false });
    assert.equal(c2.built, false);
    const row = new Uint8Array(c2.rowBytes);
    await c2.readRows([c2.rows.get('Angry/Angry0.png')!], row);
    assert.ok(row.some((v) => v > 0));
    await c2.close();
    // other size -> other file; fewer items -> other file
    const c3 = await openImageCache(ds, { size: 20 }, { dir: cacheDir, progress: false });
    assert.equal(c3.built, true);
    await c3.close();
    const c4 = await openImageCache({ ...ds, items: ds.items.slice(1) }, { size: 16 }, { dir: cacheDir, progress: false });
    assert.equal(c4.built, true);
    await c4.close();
    // a truncated data file is not trusted
    writeFileSync(c2.path, Buffer.alloc(10));
    const c5 = await openImageCache(ds, { size: 16 }, { dir: cacheDir, progress: false });
    assert.equal(c5.built, true);
    await c5.close();
  } finally {
    cleanup();
  }
});

test('loader: batches, labels, drop-last, seeded shuffle and augmentation, prefetch-independent', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const root = await fixture(dir);
    const ds = await openDataset(`folder:${root}`);
    const base = { normalization: norm, image: { size: 16 }, batchSize: 4, cache: { dir: join(dir, 'cache'), progress: false } };
    const loader = await DataLoader.create(ds, { ...base, shuffle: false });
    assert.equal(loader.items.length, 21);
    assert.equal(loader.batchesPerEpoch, 6);
    const batches = [];
    for await (const b of loader.epoch(0)) batches.push(b);
    assert.deepEqual(batches.map((b) => b.size), [4, 4, 4, 4, 4, 1]);
    assert.equal(batches[0].images.length, 4 * 3 * 16 * 16);
    assert.deepEqual([...batches[0].labels], [6, 6, 6, 6]); // anger
    assert.equal(batches[0].ids[0], 'Angry/Angry0.png');
    assert.equal(batches[0].soft, undefined);
    await loader.close();

    const run = async (prefetch: number, epoch: number): Promise<{ ids: string[]; sum: number }> => {
      const l = await DataLoader.create(ds, { ...base, augment: true, seed: 5, dropLast: true, prefetch });
      const ids: string[] = [];
      let sum = 0;
      for await (const b of l.epoch(epoch)) {
        assert.equal(b.size, 4);
        ids.push(...b.ids);
        for (const v of b.images) sum += v;
      }
      await l.close();
      return { ids, sum };
    };
    const a = await run(1, 0);
    const b = await run(8, 0);
    assert.equal(a.ids.length, 20);
    assert.deepEqual(a, b);
    const c = await run(2, 1);
    assert.notDeepEqual(c.ids, a.ids);
    await assert.rejects(DataLoader.create(ds, { ...base, normalization: { mean: [0.5], std: [1] } }), /normalization/);
  } finally {
    cleanup();
  }
});

test('loader: alternative views swap in view k of an item with probability p and say which (Batch.view)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const root = await fixture(dir);
    const ds = await openDataset(`folder:${root}`);
    const still = { flip: 0, resizedCrop: 0, erase: 0, noise: 0 }; // only the view changes pixels
    const base = { normalization: norm, image: { size: 16 }, batchSize: 7, shuffle: false, cache: { dir: join(dir, 'cache'), progress: false }, augment: still };
    // View k of an item: its pixels inverted and shifted by k, a stand-in the test can recompute.
    const apply = (img: { width: number; height: number; data: Uint8Array }, id: string, k: number) => ({ ...img, data: img.data.map((v) => (255 - v + k) & 255) });
    const seen = new Map<string, number>();
    const plain = await DataLoader.create(ds, base);
    const ref = new Map<string, Float32Array>();
    for await (const b of plain.epoch(0)) b.ids.forEach((id, i) => ref.set(id, b.images.slice(i * 768, (i + 1) * 768)));
    await plain.close();
    for (const p of [0, 1]) {
      const l = await DataLoader.create(ds, { ...base, views: { count: 2, p, apply } });
      for await (const b of l.epoch(0)) {
        assert.ok(b.view && b.view.length === b.size);
        b.ids.forEach((id, i) => {
          const k = b.view![i];
          const got = b.images.slice(i * 768, (i + 1) * 768);
          if (p === 0) {
            assert.equal(k, -1);
            assert.deepEqual(got, ref.get(id));
          } else {
            assert.ok(k === 0 || k === 1, `view ${k}`);
            seen.set(id, k);
            // Normalised (x / 255 - 0.5) / 0.5: view k's value is recomputable from the plain image's.
            const want = ref.get(id)!.map((v) => ((((255 - Math.round((v * 0.5 + 0.5) * 255) + k) & 255) / 255 - 0.5) / 0.5));
            for (let j = 0; j < 768; j++) assert.ok(Math.abs(got[j] - want[j]) < 1e-5, `${id}[${j}]: ${got[j]} vs ${want[j]}`);
          }
        });
      }
      await l.close();
    }
    assert.deepEqual(new Set(seen.values()), new Set([0, 1])); // both views drawn over 21 items
    await assert.rejects(DataLoader.create(ds, { ...base, views: { count: 0, p: 1, apply } }), /views\.count/);
    await assert.rejects(DataLoader.create(ds, { ...base, views: { count: 2, p: 2, apply } }), /views\.p/);
    await assert.rejects(DataLoader.create(ds, { ...base, augment: false, views: { count: 2, p: 1, apply } }), /augment/);
  } finally {
    cleanup();
  }
});

test('loader: soft labels from FER+ probability mode', async () => {
  const { dir, cleanup } = tempDir();
  try {
    write(join(dir, 'FER2013Train', 'label.csv'), 'a.png,"(0, 0, 48, 48)",6,4,0,0,0,0,0,0,0,0\nb.png,"(0, 0, 48, 48)",10,0,0,0,0,0,0,0,0,0\n');
    await writeImage(join(dir, 'FER2013Train', 'a.png'), { w: 48, h: 48, seed: 2 });
    await writeImage(join(dir, 'FER2013Train', 'b.png'), { w: 48, h: 48, seed: 3 });
    const ds = await openDataset(`ferplus:${dir}:train:mode=probability`);
    const l = await DataLoader.create(ds, { normalization: norm, image: { size: 16 }, batchSize: 2, shuffle: false, cache: { dir: join(dir, 'cache'), progress: false } });
    const it = l.epoch(0);
    const { value } = await it.next();
    assert.deepEqual([...value!.soft!].map((v) => +v.toFixed(2)), [0.6, 0.4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    await l.close();
  } finally {
    cleanup();
  }
});

test('progress: plain lines with rate and ETA when not a TTY', () => {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
  const p = new Progress(10, 'work', { stream, intervalMs: 0 });
  p.tick(5, '1 skipped');
  p.done();
  p.done();
  assert.equal(lines.length, 2);
  assert.match(lines[0], /^work \[#+-+\]\s+50% 5\/10 [\d.]+\/s ETA \d\d:\d\d 1 skipped\n$/);
  assert.match(lines[1], /100% 5\/10|50% 5\/10/);
  assert.match(lines[1], / in \d\d:\d\d/);
});
