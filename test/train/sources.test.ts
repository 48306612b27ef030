// Multi-source training helpers (src/train/sources.ts) and the loader's weighted sampling they feed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { excludedStems, excludeItems, mergeSources, mergeTables, sourceSampleWeights, sourceSubset, splitMergedId, trainSpecs } from '../../src/train/sources.js';
import { resolveConfig } from '../../src/cafe/config.js';
import { DataLoader } from '../../src/data/loader.js';
import type { Dataset } from '../../src/data/types.js';
import type { FeatureTable } from '../../src/features/table.js';
import { tempDir, write, writeImage } from '../data/fixtures.js';

const norm = { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };

function ds(tag: string, n: number, ext = 'png'): Dataset {
  const items: Dataset['items'] = Array.from({ length: n }, (_, i) => ({ id: `Train/Happy/${tag}${i}.${ext}`, source: { kind: 'file' as const, path: `/data/${tag}/Train/Happy/${tag}${i}.${ext}` }, label: 'happiness' as const }));
  return { spec: `gen:${tag}`, name: tag, items, skipped: [], notes: [] };
}
function table(d: Dataset, D: number, base: number): FeatureTable {
  const features = new Float32Array(d.items.length * D).map((_, i) => base + i);
  return { dim: D, row: new Map(d.items.map((it, i) => [it.id, i])), features, flipped: features.map((v) => -v) };
}

test('trainSpecs: one spec or a non-empty list', () => {
  assert.deepEqual(trainSpecs('a:b'), ['a:b']);
  assert.deepEqual(trainSpecs(['a:b', 'c:d']), ['a:b', 'c:d']);
  assert.throws(() => trainSpecs([]), /data\.train/);
});

test('data.exclude: items whose file name matches an image in the folders are removed and reported; a missing folder is an error', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await writeImage(join(dir, 'frames', 'Happy', 'a1.jpg'), { format: 'jpeg' });
    await writeImage(join(dir, 'frames', 'Sad', 'a3.png'));
    write(join(dir, 'frames', 'notes.txt'), 'not an image');
    const stems = excludedStems([join(dir, 'frames')]);
    assert.deepEqual([...stems.keys].sort(), ['a1', 'a3']);
    const kept = excludeItems(ds('a', 5), stems);
    assert.deepEqual(kept.items.map((it) => it.id), ['Train/Happy/a0.png', 'Train/Happy/a2.png', 'Train/Happy/a4.png']);
    assert.equal(kept.skipped.length, 2);
    assert.match(kept.skipped[0].reason, /excluded/);
    assert.throws(() => excludedStems([join(dir, 'nope')]), /nope.*data\.exclude: not a folder/);
  } finally {
    cleanup();
  }
});

test('excludeBy clip: a target frame takes the other frames of its clip out of the sources; image: only itself', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await writeImage(join(dir, 'frames', 'Happy', 'Movie_000123_00000005.jpg'));
    const clip = (stem: string): Dataset['items'][number] => ({ id: `Train/Happy/${stem}.png`, source: { kind: 'file', path: `/d/Train/Happy/${stem}.png` }, label: 'happiness' });
    const src: Dataset = { spec: 'gen:sfew', name: 'sfew', items: ['Movie_000123_00000005', 'Movie_000123_00000017', 'Movie_000999_00000005', 'Other_000123_00000005', 'fer0001'].map(clip), skipped: [], notes: [] };
    const byClip = excludeItems(src, excludedStems([join(dir, 'frames')]));
    assert.deepEqual(byClip.items.map((it) => it.id), ['Train/Happy/Movie_000999_00000005.png', 'Train/Happy/Other_000123_00000005.png', 'Train/Happy/fer0001.png']);
    assert.match(byClip.skipped[1].reason, /its clip is also a target/);
    const byImage = excludeItems(src, excludedStems([join(dir, 'frames')], 'image'));
    assert.equal(byImage.items.length, 4);
    assert.equal(excludedStems([join(dir, 'frames')]).keys.has('Movie_000123'), true, 'clip is the default');
    assert.throws(() => excludedStems([join(dir, 'frames')], 'movie' as never), /data\.excludeBy/);
    assert.throws(() => resolveConfig({}, ['data.excludeBy=movie']), /data\.excludeBy/);
  } finally {
    cleanup();
  }
});

test('mergeSources / mergeTables: ids carry the source when there are several; each source looks up its own ids', () => {
  const a = ds('a', 3);
  const b = ds('b', 2);
  const one = mergeSources([a]);
  assert.equal(one.dataset, a, 'one source: unchanged');
  const m = mergeSources([a, b]);
  assert.equal(m.dataset.items.length, 5);
  assert.deepEqual([...m.source], [0, 0, 0, 1, 1]);
  assert.equal(m.dataset.items[3].id, '1|Train/Happy/b0.png');
  assert.deepEqual(splitMergedId(m.dataset.items[3].id, 2), { source: 1, id: 'Train/Happy/b0.png' });
  assert.equal(new Set(m.dataset.items.map((it) => it.id)).size, 5);
  const sub = sourceSubset(m, m.dataset.items.slice(1, 4), 0);
  assert.deepEqual(sub.items.map((it) => it.id), ['Train/Happy/a1.png', 'Train/Happy/a2.png']);
  assert.equal(sub.spec, 'gen:a');
  const t = mergeTables([table(a, 2, 0), table(b, 2, 100)]);
  assert.equal(t.row.size, 5);
  const r = t.row.get('1|Train/Happy/b1.png')!;
  assert.deepEqual([...t.features.subarray(r * 2, r * 2 + 2)], [102, 103]);
  assert.deepEqual([...t.flipped!.subarray(r * 2, r * 2 + 2)], [-102, -103]);
  assert.throws(() => mergeTables([table(a, 2, 0), table(b, 3, 0)]), /one dim/);
});

test('sourceSampleWeights: each source gets its share; bad weights are refused', () => {
  const src = Int32Array.from([0, 0, 0, 1]);
  const w = sourceSampleWeights(src, 2, [1, 1])!;
  assert.deepEqual([...w].map((x) => +x.toFixed(4)), [0.3333, 0.3333, 0.3333, 1]);
  assert.equal(sourceSampleWeights(src, 2, []), undefined);
  assert.throws(() => sourceSampleWeights(src, 2, [1]), /data\.sourceWeights/);
  assert.throws(() => sourceSampleWeights(src, 2, [0, 0]), /not all 0/);
  assert.throws(() => sourceSampleWeights(Int32Array.from([0, 0]), 2, [1, 1]), /no training items/);
});

test('config: data.train takes a list; sourceWeights must match it; exclude is a list', () => {
  const c = resolveConfig({}, ['data.train=["ferplus:/x:train","sfew:/y:train"]', 'data.sourceWeights=[3,1]', 'data.exclude=["/frames"]']);
  assert.deepEqual(c.data.train, ['ferplus:/x:train', 'sfew:/y:train']);
  assert.deepEqual(c.data.sourceWeights, [3, 1]);
  assert.deepEqual(resolveConfig({ data: { train: ['a:b', 'c:d'] } }, ['data.train=e:f']).data.train, 'e:f');
  assert.throws(() => resolveConfig({}, ['data.sourceWeights=[1,1]']), /one weight per data\.train source \(1\)/);
  assert.throws(() => resolveConfig({}, ['data.train=[]']), /data\.train/);
  assert.throws(() => resolveConfig({}, ['data.exclude=/frames']), /a list for config 'data\.exclude'/);
});

test('DataLoader weights: draws with replacement in proportion, the same per epoch, zero weight never', async () => {
  const { dir, cleanup } = tempDir();
  try {
    // 40 pixel items: 30 of source 0, 10 of source 1, source-balanced; item 0 weight 0.
    const items: Dataset['items'] = Array.from({ length: 40 }, (_, i) => ({ id: `i${i}`, source: { kind: 'pixels' as const, width: 8, height: 8, channels: 3 as const, data: new Uint8Array(192).fill(100 + i) }, label: 'neutral' as const }));
    const d: Dataset = { spec: 'gen:w', name: 'gen', items, skipped: [], notes: [] };
    const weights = Float64Array.from(items, (_, i) => (i === 0 ? 0 : i < 30 ? 1 / 29 : 1 / 10));
    const loader = await DataLoader.create(d, { normalization: norm, image: { size: 8 }, batchSize: 8, weights, cache: { dir, progress: false } });
    let fromB = 0;
    let zero = 0;
    let total = 0;
    for (let e = 0; e < 50; e++) {
      const o = loader.order(e);
      assert.equal(o.length, 40);
      for (const i of o) {
        total++;
        if (i >= 30) fromB++;
        if (i === 0) zero++;
      }
    }
    assert.equal(zero, 0);
    assert.ok(Math.abs(fromB / total - 0.5) < 0.05, `source 1 share ${fromB / total}`);
    assert.deepEqual([...loader.order(3)], [...loader.order(3)]);
    assert.notDeepEqual([...loader.order(3)], [...loader.order(4)]);
    let n = 0;
    for await (const b of loader.epoch(0)) n += b.size;
    assert.equal(n, 40);
    await loader.close();
    await assert.rejects(DataLoader.create(d, { normalization: norm, image: { size: 8 }, weights: new Float64Array(3), cache: { dir, progress: false } }), /one weight per dataset item/);
  } finally {
    cleanup();
  }
});
