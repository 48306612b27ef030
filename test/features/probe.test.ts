// Linear probe: scoring arithmetic, and a libtorch fit on separable synthetic features.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { featureStats, predict, score, trainProbe, type LabelledFeatures } from '../../src/features/probe.js';
import { nativeAvailable } from '../../src/torch/index.js';

test('score: accuracy, balanced accuracy over present classes, absent-class predictions count as errors', () => {
  // 4 items of class 1, 2 of class 2; one class-1 item predicted as class 0 (neutral, absent from the set).
  const labels = Int32Array.from([1, 1, 1, 1, 2, 2]);
  const pred = Int32Array.from([1, 1, 1, 0, 2, 1]);
  const s = score(pred, labels);
  assert.equal(s.n, 6);
  assert.equal(s.accuracy, 4 / 6);
  assert.equal(s.balancedAccuracy, (3 / 4 + 1 / 2) / 2);
  assert.equal(s.perClassRecall[0], null);
  assert.equal(s.confusion[1][0], 1);
});

test('featureStats: per-dimension mean/std; constant dimensions get std 1', () => {
  const { mean, std } = featureStats(Float32Array.from([1, 5, 3, 5]), 2);
  assert.deepEqual(Array.from(mean), [2, 5]);
  assert.deepEqual(Array.from(std), [1, 1]);
});

/** Class c sits at +3 on dimension c; `twoSided`: at +3 or -3 at random, which no linear map reads (a hidden layer does). */
function synthetic(n: number, seed: number, dim = 16, twoSided = false): LabelledFeatures {
  let s = seed;
  const r = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) - 0.5;
  const features = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 7;
    labels[i] = c;
    // Class c sits at +3 on dimension c, plus noise; a large offset and scale on the last dimension test standardising.
    const at = twoSided && r() < 0 ? -3 : 3;
    for (let d = 0; d < dim; d++) features[i * dim + d] = (d === c ? at : 0) + r() + (d === dim - 1 ? 1000 + 100 * r() : 0);
  }
  return { features, labels, dim };
}

test('trainProbe (libtorch) separates synthetic classes and picks a weight decay on validation', { skip: !nativeAvailable() && 'libtorch addon not built' }, () => {
  const seen: number[] = [];
  const p = trainProbe(synthetic(700, 1), synthetic(210, 2), { weightDecays: [0, 1e-2], steps: 100, onFit: (wd) => seen.push(wd) });
  assert.deepEqual(seen, [0, 1e-2]);
  assert.equal(p.grid.length, 2);
  assert.ok([0, 1e-2].includes(p.weightDecay));
  const test = synthetic(350, 3);
  const s = score(predict(p, test.features), test.labels);
  assert.ok(s.accuracy > 0.95, `accuracy ${s.accuracy}`);
});

test('concatSets: several training sources stacked in order, ids per source, classes united; widths must agree', async () => {
  const { concatSets } = await import('../../src/features/labelled.js');
  const set = (spec: string, rows: number[][], labels: number[], classes: string[]) => ({
    spec, ids: labels.map((_, i) => `img${i}`), classes, dropped: 1, cache: { hits: 0, computed: 0, seconds: 0, interrupted: false },
    features: Float32Array.from(rows.flat()), labels: Int32Array.from(labels), dim: rows[0].length,
  });
  const a = set('a', [[1, 2], [3, 4]], [0, 1], ['neutral', 'happiness']);
  const b = set('b', [[5, 6]], [6], ['anger']);
  const m = concatSets([a, b]);
  assert.deepEqual([...m.features], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual([...m.labels], [0, 1, 6]);
  assert.deepEqual(m.ids, ['0|img0', '0|img1', '1|img0']);
  assert.deepEqual(m.classes, ['neutral', 'happiness', 'anger']);
  assert.equal(m.dropped, 2);
  assert.equal(concatSets([a]), a);
  assert.throws(() => concatSets([a, set('c', [[1, 2, 3]], [0], ['neutral'])]), /--train c/);
});

test('sourceRowWeights: each source carries its share of the total weight', async () => {
  const { sourceRowWeights } = await import('../../src/features/labelled.js');
  assert.equal(sourceRowWeights([3, 1]), undefined);
  const w = sourceRowWeights([3, 1], [1, 1])!; // 4 rows: the one row of source 1 weighs as much as the three of source 0
  assert.deepEqual([...w].map((v) => +v.toFixed(4)), [0.6667, 0.6667, 0.6667, 2]);
  assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) - 4) < 1e-5);
});

test('trainProbe sampleWeights: rows of weight 0 do not count; all-1 weights equal no weights', { skip: !nativeAvailable() && 'libtorch addon not built' }, () => {
  const clean = synthetic(140, 5, 8);
  const valid = synthetic(70, 6, 8);
  // A block of the same points with wrong labels, then weighted 0.
  const noise = synthetic(140, 7, 8);
  const stacked = { dim: 8, features: new Float32Array([...clean.features, ...noise.features]), labels: Int32Array.from([...clean.labels, ...noise.labels.map((l) => (l + 3) % 7)]) };
  const w = new Float32Array(280).fill(1, 0, 140);
  const o = { weightDecays: [1e-3], steps: 150 };
  const a = trainProbe(stacked, valid, { ...o, sampleWeights: w });
  const b = trainProbe({ ...clean }, valid, o);
  assert.ok(score(predict(a, valid.features), valid.labels).accuracy > 0.95);
  assert.ok(score(predict(b, valid.features), valid.labels).accuracy > 0.95);
  const c = trainProbe(stacked, valid, o); // the wrong labels counted: worse
  assert.ok(score(predict(c, valid.features), valid.labels).accuracy < score(predict(a, valid.features), valid.labels).accuracy);
  const d = trainProbe(clean, valid, { ...o, sampleWeights: new Float32Array(140).fill(1) });
  for (let i = 0; i < b.weight.length; i++) assert.ok(Math.abs(b.weight[i] - d.weight[i]) < 1e-4);
  assert.throws(() => trainProbe(clean, valid, { ...o, sampleWeights: new Float32Array(3) }), /sampleWeights/);
});

test('adjustBias: subtracts tau * log(training prior); tau 1 makes a prior-only model predict uniformly', async () => {
  const { adjustBias } = await import('../../src/features/labelled.js');
  const labels = Int32Array.from([0, 0, 0, 1]); // prior 0.75 / 0.25, classes 2..6 absent
  const bias = Float32Array.from([Math.log(0.75), Math.log(0.25), 0, 0, 0, 0, 0]);
  adjustBias(bias, labels, 1);
  assert.ok(Math.abs(bias[0]) < 1e-6 && Math.abs(bias[1]) < 1e-6);
  assert.ok(Math.abs(bias[2] + Math.log(0.25)) < 1e-6, 'absent classes get the smallest present share');
  const b2 = adjustBias(Float32Array.from([0, 0, 0, 0, 0, 0, 0]), labels, 0.5);
  assert.ok(Math.abs(b2[0] + 0.5 * Math.log(0.75)) < 1e-6);
});

test('trainProbe with a hidden layer reads what a linear probe cannot; same seed, same fit', { skip: !nativeAvailable() && 'libtorch addon not built' }, () => {
  const train = synthetic(1400, 1, 8, true), valid = synthetic(350, 2, 8, true), held = synthetic(350, 3, 8, true);
  const linear = trainProbe(train, valid, { weightDecays: [1e-3] });
  const cfg = { weightDecays: [1e-3], hidden: 32, steps: 600, lr: 3e-3, batchSize: 128 };
  const mlp = trainProbe(train, valid, cfg);
  assert.equal(mlp.hidden!.weight.length, 32 * 8); // [H, D]
  assert.equal(mlp.hidden!.bias.length, 32);
  assert.equal(mlp.weight.length, 7 * 32); // [C, H]
  const acc = (p: typeof mlp) => score(predict(p, held.features), held.labels).accuracy;
  assert.ok(acc(linear) < 0.7, `linear ${acc(linear)}`);
  assert.ok(acc(mlp) > 0.95, `hidden layer ${acc(mlp)}`);
  const again = trainProbe(train, valid, cfg);
  assert.deepEqual(again.weight, mlp.weight);
  assert.deepEqual(again.hidden!.weight, mlp.hidden!.weight);
  assert.throws(() => trainProbe(train, valid, { ...cfg, dropout: 1 }), /dropout/);
  assert.throws(() => trainProbe(train, valid, { ...cfg, hidden: 2.5 }), /hidden/);
});

test('soft labels: labelledFeatures keeps them for every view, concatSets one-hots the sources without, adjustBias reads their prior', async () => {
  const { labelledFeatures, concatSets, adjustBias } = await import('../../src/features/labelled.js');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const root = mkdtempSync(join(tmpdir(), 'cafe-soft-'));
  try {
    const px = { kind: 'pixels' as const, width: 4, height: 4, channels: 1 as const, data: new Uint8Array(16).fill(7) };
    const soft0 = [0.6, 0, 0, 0, 0, 0, 0.4]; // neutral 0.6, anger 0.4
    const ds = {
      spec: 'votes:/x', name: 'votes', skipped: [], notes: [],
      items: [
        { id: 'a', source: px, label: 'neutral' as const, soft: soft0 },
        { id: 'b', source: { ...px, data: new Uint8Array(16).fill(9) }, label: 'happiness' as const },
      ],
    };
    const enc = {
      name: 'mean', dim: 1, preprocess: { size: 4, resize: 'bilinear' as const, crop: 'none' as const, colour: 'gray' as const, scale: 255, mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] },
      weightsHash: 'w', weightsPath: '<mean>',
      async encode(batch: import('../../src/encoders/types.js').EncoderInput) {
        return Float32Array.from((batch as import('../../src/encoders/types.js').RgbImage[]).map((im) => im.data[0]));
      },
      async dispose() {},
    };
    const s = await labelledFeatures(enc, ds, { cacheDir: join(root, 'cache'), augViews: 1 });
    assert.deepEqual(s.ids, ['a', 'b', 'a#aug0', 'b#aug0']);
    const oneHotB = [0, 1, 0, 0, 0, 0, 0];
    assert.deepEqual([...s.soft!].map((v) => +v.toFixed(4)), [...soft0, ...oneHotB, ...soft0, ...oneHotB], 'item b has no votes: its hard label');
    // A source without soft labels stacked after it: one-hot rows.
    const hard = { spec: 'h', ids: ['c'], classes: ['surprise'], dropped: 0, cache: s.cache, features: Float32Array.from([1]), labels: Int32Array.from([3]), dim: 1 };
    const m = concatSets([s, hard]);
    assert.deepEqual([...m.soft!.subarray(4 * 7)], [0, 0, 0, 1, 0, 0, 0]);
    assert.equal(concatSets([hard, hard]).soft, undefined, 'no soft labels anywhere: none');
    // Prior from the soft rows: neutral (0.6 + 0.6) / 5 rows, anger 0.8 / 5.
    const bias = adjustBias(new Float32Array(7), m.labels, 1, m.soft);
    assert.ok(Math.abs(bias[0] + Math.log(1.2 / 5)) < 1e-6);
    assert.ok(Math.abs(bias[6] + Math.log(0.8 / 5)) < 1e-6);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('trainProbe with soft labels fits the vote shares, hard labels push to certainty; linear and hidden alike', { skip: !nativeAvailable() && 'libtorch addon not built' }, () => {
  // Features without signal (all 0: standardised they stay 0), every row voted 70 % happiness / 30 % surprise: the
  // fitted probabilities approach 0.7 / 0.3; with the hard label (happiness) they go to certainty.
  const n = 200;
  const set = { dim: 4, features: new Float32Array(n * 4), labels: new Int32Array(n).fill(1) };
  const soft = new Float32Array(n * 7);
  for (let i = 0; i < n; i++) soft.set([0, 0.7, 0, 0.3, 0, 0, 0], i * 7);
  const softmax = (z: number[]) => {
    const e = z.map((v) => Math.exp(v - Math.max(...z)));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / sum);
  };
  // The logits of a zero feature row: the bias (linear), fc(relu(hidden bias)) with a hidden layer.
  const probs = (p: ReturnType<typeof trainProbe>) => {
    if (!p.hidden) return softmax(Array.from(p.bias));
    const H = p.hidden.bias.length;
    const h = Array.from(p.hidden.bias, (v) => Math.max(0, v));
    return softmax(Array.from(p.bias, (b, c) => b + h.reduce((a, v, j) => a + v * p.weight[c * H + j], 0)));
  };
  const o = { weightDecays: [0], steps: 300, lr: 0.1 };
  const sp = probs(trainProbe({ ...set, soft }, set, o));
  assert.ok(Math.abs(sp[1] - 0.7) < 0.02 && Math.abs(sp[3] - 0.3) < 0.02, `soft ${sp.map((v) => v.toFixed(3))}`);
  const hp = probs(trainProbe(set, set, o));
  assert.ok(hp[1] > 0.98, `hard ${hp[1]}`);
  assert.throws(() => trainProbe({ ...set, soft: new Float32Array(3) }, set, o), /train\.soft/);
  const mp = probs(trainProbe({ ...set, soft }, set, { weightDecays: [0], hidden: 8, steps: 300, batchSize: 64, lr: 1e-2, dropout: 0, inputDropout: 0 }));
  assert.ok(Math.abs(mp[1] - 0.7) < 0.03 && Math.abs(mp[3] - 0.3) < 0.03, `hidden ${mp.map((v) => v.toFixed(3))}`);
});

test('sourcePriorOffsets: tau * log(prior) per row, each source its own prior (soft when it has them)', async () => {
  const { sourcePriorOffsets, classPrior } = await import('../../src/features/labelled.js');
  const a = { labels: Int32Array.from([0, 0, 0, 1]) }; // 0.75 / 0.25, the rest absent
  const softB = new Float32Array(2 * 7);
  softB.set([0.5, 0, 0, 0, 0, 0, 0.5], 0);
  softB.set([0, 0, 0, 0, 0, 0, 1], 7);
  const b = { labels: Int32Array.from([0, 6]), soft: softB }; // vote shares: neutral 0.25, anger 0.75
  assert.deepEqual(classPrior(a.labels).map((v) => +v.toFixed(4)), [0.75, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25]);
  const o = sourcePriorOffsets([a, b], 0.5);
  assert.equal(o.length, 6 * 7);
  for (let i = 0; i < 4; i++) {
    assert.ok(Math.abs(o[i * 7] - 0.5 * Math.log(0.75)) < 1e-6);
    assert.ok(Math.abs(o[i * 7 + 1] - 0.5 * Math.log(0.25)) < 1e-6);
  }
  for (let i = 4; i < 6; i++) {
    assert.ok(Math.abs(o[i * 7] - 0.5 * Math.log(0.25)) < 1e-6);
    assert.ok(Math.abs(o[i * 7 + 6] - 0.5 * Math.log(0.75)) < 1e-6);
    assert.ok(Math.abs(o[i * 7 + 3] - 0.5 * Math.log(0.25)) < 1e-6, 'absent: the smallest present share');
  }
});

test('trainProbe logitOffsets (logit-adjusted loss): a skewed source no longer skews the head; zero offsets change nothing', { skip: !nativeAvailable() && 'libtorch addon not built' }, async () => {
  const { sourcePriorOffsets } = await import('../../src/features/labelled.js');
  // Two overlapping classes on one dimension (class 0 around -0.5, class 1 around +0.5, unit noise): source A is 90 % class
  // 0, source B balanced. Scored on a balanced set.
  const { mulberry32 } = await import('../../src/util/rng.js');
  const u = mulberry32(7);
  const r = () => u() * 2 - 1;
  const gauss = () => r() + r() + r(); // sum of 3 uniforms on [-1, 1]: mean 0, variance 1
  const make = (n0: number, n1: number): LabelledFeatures => {
    const labels = Int32Array.from([...new Array(n0).fill(0), ...new Array(n1).fill(1)]);
    return { dim: 1, labels, features: Float32Array.from(labels, (c) => (c ? 0.5 : -0.5) + gauss()) };
  };
  const A = make(900, 100), B = make(100, 100), held = make(1000, 1000);
  const train: LabelledFeatures = { dim: 1, features: Float32Array.from([...A.features, ...B.features]), labels: Int32Array.from([...A.labels, ...B.labels]) };
  const recall = (p: ReturnType<typeof trainProbe>) => score(predict(p, held.features), held.labels).perClassRecall;
  // Linear (full batch) and with a hidden layer (minibatches: each row's offsets follow it into its batch).
  for (const o of [{ weightDecays: [0], steps: 300 }, { weightDecays: [0], steps: 600, hidden: 8, dropout: 0, inputDropout: 0, batchSize: 256, lr: 0.01 }]) {
    const plain = recall(trainProbe(train, held, o));
    const la = recall(trainProbe(train, held, { ...o, logitOffsets: sourcePriorOffsets([A, B], 1) }));
    assert.ok(plain[0]! - plain[1]! > 0.3, `plain fit leans to the majority class: ${plain}`);
    assert.ok(Math.abs(la[0]! - la[1]!) < 0.15, `logit-adjusted loss scores as if balanced: ${la}`);
    assert.ok(la[0]! + la[1]! > plain[0]! + plain[1]!, 'balanced accuracy rises');
  }
  const o = { weightDecays: [0], steps: 300 };
  const zero = trainProbe(train, held, { ...o, logitOffsets: new Float32Array(train.labels.length * 7) });
  assert.deepEqual(zero.weight, trainProbe(train, held, o).weight);
  assert.throws(() => trainProbe(train, held, { ...o, logitOffsets: new Float32Array(3) }), /logitOffsets/);
});

test('averageProbes: one probe whose logits are the mean of the fits\' logits (hidden units stacked; linear weights averaged)', { skip: !nativeAvailable() && 'libtorch addon not built' }, async () => {
  const { averageProbes } = await import('../../src/features/probe.js');
  const train = synthetic(280, 1, 8), valid = synthetic(70, 2, 8), held = synthetic(35, 3, 8);
  // Logits of probe p on row i, by hand: standardise, optional relu(hidden), fc.
  const logits = (p: ReturnType<typeof trainProbe>, i: number) => {
    const z = Array.from({ length: p.dim }, (_, d) => (held.features[i * p.dim + d] - p.mean[d]) / p.std[d]);
    const x = p.hidden ? Array.from(p.hidden.bias, (b, k) => Math.max(0, z.reduce((a, v, d) => a + v * p.hidden!.weight[k * p.dim + d], b))) : z;
    return Array.from(p.bias, (b, c) => x.reduce((a, v, d) => a + v * p.weight[c * x.length + d], b));
  };
  for (const hidden of [0, 16]) {
    const fits = [0, 1].map((seed) => trainProbe(train, valid, { weightDecays: [1e-3], steps: 60, hidden, seed, batchSize: 64 }));
    const m = averageProbes(fits);
    // trainProbe({ seeds: 2 }) fits the same two on one set of tensors and merges them the same way.
    const both = trainProbe(train, valid, { weightDecays: [1e-3], steps: 60, hidden, seed: 0, seeds: 2, batchSize: 64 });
    assert.deepEqual([both.weight, both.bias, both.hidden?.weight], [m.weight, m.bias, m.hidden?.weight]);
    assert.equal(both.grid.length, 2);
    assert.equal(m.hidden?.bias.length, hidden ? 32 : undefined);
    assert.deepEqual(m.fit?.seeds, [0, 1]);
    for (let i = 0; i < 35; i++) {
      const want = logits(fits[0], i).map((v, c) => (v + logits(fits[1], i)[c]) / 2);
      logits(m, i).forEach((v, c) => assert.ok(Math.abs(v - want[c]) < 1e-4, `hidden ${hidden}, row ${i}, class ${c}: ${v} vs ${want[c]}`));
    }
  }
  assert.equal(averageProbes([trainProbe(train, valid, { weightDecays: [1e-3], steps: 10 })]).fit?.seeds, undefined, 'one fit is returned as it is');
  const other = trainProbe(synthetic(280, 9, 8), valid, { weightDecays: [1e-3], steps: 10 });
  assert.throws(() => averageProbes([trainProbe(train, valid, { weightDecays: [1e-3], steps: 10 }), other]), /same training set/);
});
