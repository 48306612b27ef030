// The trainer on generated data: a 30-step smoke run lowers the loss, a resumed run matches an uninterrupted one,
// two runs with the same seed give the same metrics, and a finished run can be extended.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { train } from '../../src/train/trainer.js';
import { featureStats } from '../../src/features/probe.js';
import { resolveConfig, type TrainConfig } from '../../src/cafe/config.js';
import type { Dataset } from '../../src/data/types.js';
import { gatherFeatures, type FeatureTable } from '../../src/features/table.js';
import { EXPRESSIONS } from '../../src/labels.js';
import { Rng } from '../../src/util/rng.js';
import { loadRunModel } from '../../src/eval/evaluate.js';
import { EntryStore } from '../../src/features/store.js';
import { readdirSync, statSync } from 'node:fs';
import { writeImage } from '../data/fixtures.js';

const D = 512;

/** n faces: colour and a feature pattern (group c of 73 channels raised) depend on the class, plus noise. */
function generated(n: number, seed: number, tag: string): { ds: Dataset; feats: FeatureTable } {
  const rng = new Rng(seed);
  const items: Dataset['items'] = [];
  const features = new Float32Array(n * D);
  for (let i = 0; i < n; i++) {
    const c = i % 7;
    const data = new Uint8Array(16 * 16 * 3);
    for (let p = 0; p < 16 * 16; p++) {
      data[p * 3] = Math.min(255, c * 35 + rng.next() * 20);
      data[p * 3 + 1] = Math.min(255, 255 - c * 30 + rng.next() * 10);
      data[p * 3 + 2] = (p % 16) * 10;
    }
    items.push({ id: `${tag}${i}`, source: { kind: 'pixels', width: 16, height: 16, channels: 3, data }, label: EXPRESSIONS[c] });
    for (let d = 0; d < D; d++) features[i * D + d] = (Math.floor(d / 73) === c ? 1 : 0) + 0.3 * (rng.next() - 0.5);
  }
  const flipped = features.map((v) => v * 0.9);
  return {
    ds: { spec: `generated:${tag}`, name: 'generated', items, skipped: [], notes: [] },
    feats: { dim: D, row: new Map(items.map((it, i) => [it.id, i])), features, flipped },
  };
}

const work = mkdtempSync(join(tmpdir(), 'cafe-train-'));
const tr = generated(32, 1, 't');
const va = generated(14, 2, 'v');
const small = { train: generated(16, 3, 's'), valid: generated(7, 4, 'w') };

function cfg(over: string[]): TrainConfig {
  return resolveConfig({ name: 'gen', threads: 1, data: { imageSize: 32, train: 'x', valid: 'y' } }, ['optim.batchSize=4', 'optim.lr=0.001', ...over]);
}
const run = (c: TrainConfig, dir: string, stop?: number, sets = { train: tr, valid: va }) =>
  train(c, dir, { progress: false, datasets: { train: sets.train.ds, valid: sets.valid.ds }, features: { train: sets.train.feats, valid: sets.valid.feats }, imageCacheDir: join(work, 'img'), ...(stop !== undefined ? { stopAfterEpochs: stop } : {}) });
const runSmall = (c: TrainConfig, dir: string, stop?: number) => run(c, dir, stop, small);

test('30-step CAFE smoke run on generated data lowers the loss', async () => {
  // 32 items / batch 4 = 8 steps per epoch; 4 epochs = 32 steps.
  const r = await run(cfg(['optim.epochs=4']), join(work, 'smoke'));
  assert.equal(r.epochs.length, 4);
  assert.ok(r.epochs[3].loss < r.epochs[0].loss, `loss ${r.epochs.map((e) => e.loss.toFixed(3)).join(' -> ')}`);
  assert.ok(r.epochs[0].maskMean! >= 0.5);
  for (const f of ['config.json', 'metrics.jsonl', 'checkpoint.safetensors', 'best.safetensors', 'final.safetensors']) assert.ok(existsSync(join(work, 'smoke', f)), f);
  assert.equal(readFileSync(join(work, 'smoke', 'metrics.jsonl'), 'utf8').trim().split('\n').length, 4);
  const { model } = loadRunModel(join(work, 'smoke'), 'final');
  assert.equal(model.kind, 'cafe');
  model.dispose();
});

test('same seed, same metrics; an interrupted and resumed run ends where an uninterrupted one does', async () => {
  const c = cfg(['optim.epochs=2', 'model.kind=concat']);
  const a = await runSmall(c, join(work, 'a'));
  const b = await runSmall(c, join(work, 'b'));
  const strip = (ms: typeof a.epochs) => ms.map(({ imagesPerSecond, seconds, ...m }) => m);
  assert.deepEqual(strip(a.epochs), strip(b.epochs));
  // Stop after epoch 1 (as a kill after its checkpoint would), then rerun the same command.
  const first = await runSmall(c, join(work, 'r'), 1);
  assert.equal(first.epochs.length, 1);
  const resumed = await runSmall(c, join(work, 'r'));
  assert.deepEqual(strip(resumed.epochs), strip(a.epochs));
  await assert.rejects(runSmall(cfg(['optim.epochs=3']), join(work, 'r')), /different config/);
  // A finished 1-epoch run extended to 2 epochs ends where the 2-epoch run does; it cannot be shortened again.
  const short = cfg(['optim.epochs=1', 'model.kind=concat']);
  await runSmall(short, join(work, 'x'));
  const extended = await runSmall(c, join(work, 'x'));
  assert.deepEqual(strip(extended.epochs), strip(a.epochs));
  await assert.rejects(runSmall(short, join(work, 'x')), /extend it, not shorten it/);
});

test('data.trainLimit / validLimit: only the drawn items are encoded (real faceres encoder, real feature cache)', async () => {
  const big = { train: generated(60, 5, 'bt'), valid: generated(30, 6, 'bv') };
  const cache = join(work, 'features');
  const c = resolveConfig({ name: 'gen', threads: 1, data: { imageSize: 32, train: 'x', valid: 'y' }, encoder: { name: 'faceres', allowPartial: false, cacheDir: cache } }, ['optim.batchSize=4', 'optim.epochs=1', 'data.trainLimit=8', 'data.validLimit=7', 'data.flip=0.5']);
  const r = await train(c, join(work, 'limit'), { progress: false, datasets: { train: big.train.ds, valid: big.valid.ds }, imageCacheDir: join(work, 'img') });
  assert.equal(r.epochs.length, 1);
  // One cache entry per dataset; each holds exactly the drawn items (8 train with their flips, 7 valid), not 60 / 30.
  const entries = readdirSync(join(cache, 'faceres')).map((n) => join(cache, 'faceres', n)).filter((p) => statSync(p).isDirectory());
  const counts = entries.map((dir) => [EntryStore.open(dir, 'orig', 1024).rows.size, EntryStore.open(dir, 'flip', 1024).rows.size]);
  assert.deepEqual(counts.sort((a, b) => b[0] - a[0]), [[8, 8], [7, 0]]);
});

test('loss.classBalance reweight / logit-adjust train to finite losses; unknown modes are refused', async () => {
  for (const mode of ['reweight', 'logit-adjust']) {
    const r = await runSmall(cfg(['optim.epochs=1', `loss.classBalance=${mode}`]), join(work, `cb-${mode}`));
    assert.ok(Number.isFinite(r.epochs[0].loss) && r.epochs[0].ce > 0, `${mode}: ${JSON.stringify(r.epochs[0])}`);
  }
  assert.throws(() => cfg(['loss.classBalance=oversample']), /none \| reweight \| logit-adjust/);
});

test('several training sources: merged, source-weighted, data.exclude keeps target images out', async () => {
  const other = generated(12, 7, 'o');
  const frames = join(work, 'frames');
  await writeImage(join(frames, 'Happy', 't0.jpg'), { format: 'jpeg' });
  await writeImage(join(frames, 'Sad', 'o3.png'));
  const c = cfg(['optim.epochs=1', 'data.train=["x","z"]', 'data.sourceWeights=[1,1]', `data.exclude=${JSON.stringify([frames])}`]);
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => (lines.push(String(s)), true)) as typeof process.stderr.write;
  let r;
  try {
    r = await train(c, join(work, 'multi'), { datasets: { train: [tr.ds, other.ds], valid: va.ds }, features: { train: [tr.feats, other.feats], valid: va.feats }, imageCacheDir: join(work, 'img') });
  } finally {
    process.stderr.write = write;
  }
  assert.ok(Number.isFinite(r.epochs[0].loss));
  const log = lines.join('');
  assert.match(log, /data\.exclude: 31 of 32 items of generated:t kept/);
  assert.match(log, /data\.exclude: 11 of 12 items of generated:o kept/);
  assert.match(log, /sources: generated 31 items \(weight 1\), generated 11 items \(weight 1\)/);
});

test('data.augViews: steps draw augmented views (F from the view table, pixels from augment.ts); too few views are refused', async () => {
  // Two views per item whose features carry the class pattern more weakly; merged sources keep them.
  const withViews = (g: ReturnType<typeof generated>): ReturnType<typeof generated> => ({ ...g, feats: { ...g.feats, augmented: [g.feats.features.map((v) => v * 0.8), g.feats.features.map((v) => v * 0.7)] } });
  const a = withViews(tr);
  const o = withViews(generated(12, 8, 'q'));
  const r = await train(cfg(['optim.epochs=2', 'data.augViews=2', 'data.augP=0.5']), join(work, 'aug'), { progress: false, datasets: { train: a.ds, valid: va.ds }, features: { train: a.feats, valid: va.feats }, imageCacheDir: join(work, 'img') });
  assert.equal(r.epochs.length, 2);
  assert.ok(r.epochs.every((e) => Number.isFinite(e.loss)));
  const m = await train(cfg(['optim.epochs=1', 'data.augViews=1', 'data.augP=1', 'data.train=["x","z"]']), join(work, 'aug-multi'), { progress: false, datasets: { train: [a.ds, o.ds], valid: va.ds }, features: { train: [a.feats, o.feats], valid: va.feats }, imageCacheDir: join(work, 'img') });
  assert.ok(Number.isFinite(m.epochs[0].loss));
  await assert.rejects(train(cfg(['optim.epochs=1', 'data.augViews=3']), join(work, 'aug3'), { progress: false, datasets: { train: a.ds, valid: va.ds }, features: { train: a.feats, valid: va.feats }, imageCacheDir: join(work, 'img') }), /at most the 2 augmented views the feature tables hold for data\.augViews/);
  assert.throws(() => cfg(['data.augViews=-1']), /data\.augViews/);
  assert.throws(() => cfg(['data.augP=1.5']), /data\.augP/);
});

test('gatherFeatures: view k picks augmented row k, -1 the original or mirrored row', () => {
  const t: FeatureTable = { dim: 2, row: new Map([['a', 0], ['b', 1]]), features: Float32Array.of(1, 2, 3, 4), flipped: Float32Array.of(-1, -2, -3, -4), augmented: [Float32Array.of(10, 20, 30, 40), Float32Array.of(100, 200, 300, 400)] };
  assert.deepEqual([...gatherFeatures(t, ['a', 'b', 'b', 'a'], Uint8Array.of(1, 0, 1, 1), Int16Array.of(-1, -1, 1, 0))], [-1, -2, 3, 4, 300, 400, 10, 20]);
  assert.throws(() => gatherFeatures(t, ['a'], undefined, Int16Array.of(2)), /no cached augmented view 2/);
});

test('model.normalizeF: F standardised with the training features\' channel statistics, saved with the weights', async () => {
  const r = await run(cfg(['optim.epochs=1', 'model.dimMatch=projectF', 'model.normalizeF=true']), join(work, 'fnorm'));
  assert.ok(Number.isFinite(r.epochs[0].loss));
  const { model } = loadRunModel(join(work, 'fnorm'), 'final');
  const { mean, std } = featureStats(tr.feats.features, D);
  const state = model.stateDict();
  const gotMean = state.get('fnorm.mean')!.data<'float32'>() as Float32Array;
  const gotScale = state.get('fnorm.scale')!.data<'float32'>() as Float32Array;
  for (const d of [0, 73, 511]) {
    assert.ok(Math.abs(gotMean[d] - mean[d]) < 1e-6, `mean[${d}]`);
    assert.ok(Math.abs(gotScale[d] - 1 / std[d]) < 1e-3 * gotScale[d], `scale[${d}]`);
  }
  model.dispose();
});

test.after(() => rmSync(work, { recursive: true, force: true }));
