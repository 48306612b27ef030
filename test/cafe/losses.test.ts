// Channel losses against hand-computed values on tiny tensors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/torch/index.js';
import { balanceWeights, channelDropMask, classPrior, diversityLoss, groupLayout, groupMax, logitAdjustment, separationLoss } from '../../src/cafe/losses.js';
import { nativeAvailable } from '../../src/torch/index.js';
import { Rng } from '../../src/util/rng.js';

const close = (a: number, b: number, eps = 1e-5) => assert.ok(Math.abs(a - b) < eps, `${a} vs ${b}`);

test('group layout: 512 channels in 7 groups of 73 leave channel 511 unpooled; 1024 -> 146', () => {
  assert.deepEqual(groupLayout(512, 7), { numGroups: 7, cnum: 73, used: 511 });
  assert.deepEqual(groupLayout(1024, 7), { numGroups: 7, cnum: 146, used: 1022 });
  assert.throws(() => groupLayout(5, 7), /at least 7 channels/);
});

test('groupMax ignores trailing channels', () => {
  // D = 7, 2 groups of 3, channel 6 (value 100) never pooled.
  const x = torch.tensor([1, 5, 2, -1, -3, 0, 100], [1, 7]);
  assert.deepEqual(groupMax(x, groupLayout(7, 2)).toArray(), [5, 0]);
  x.dispose();
});

test('separation loss = CE over group maxima of the kept channels', () => {
  const layout = groupLayout(6, 2); // groups {0,1,2}, {3,4,5}
  const x = torch.tensor([0.2, 0.9, 0.1, 0.4, 0.3, 0.8, 0.5, 0.1, 0.3, 0.2, 0.6, 0.7], [2, 6]);
  const y = torch.tensor([0, 1], [2], 'int64');
  const keep = new Float32Array([1, 0, 1, 1, 1, 0]); // drop channel 1 and channel 5
  // sample 0: maxima [0.2, 0.4]; sample 1: [0.5, 0.6]
  const ce = (l: number[], t: number) => -l[t] + Math.log(l.reduce((a, v) => a + Math.exp(v), 0));
  const expected = (ce([0.2, 0.4], 0) + ce([0.5, 0.6], 1)) / 2;
  const l = separationLoss(x, y, layout, keep);
  close(l.item(), expected);
  // diversity: no dropout; maxima [0.9, 0.8] and [0.5, 0.7]; 1 - mean / cnum
  const d = diversityLoss(x, layout);
  close(d.item(), 1 - (0.9 + 0.8 + 0.5 + 0.7) / 4 / 3);
  for (const t of [x, y, l, d]) t.dispose();
});

test('channel drop mask: exactly `drop` zeros per group, seeded', () => {
  const layout = groupLayout(512, 7);
  const a = channelDropMask(layout, 10, new Rng(3));
  const b = channelDropMask(layout, 10, new Rng(3));
  assert.deepEqual(a, b);
  for (let g = 0; g < 7; g++) assert.equal(a.subarray(g * 73, (g + 1) * 73).filter((v) => v === 0).length, 10);
  assert.notDeepEqual(channelDropMask(layout, 10, new Rng(4)), a);
  assert.throws(() => channelDropMask(layout, 73, new Rng(0)), /dropPerGroup/);
});

test('class balance: prior, inverse-frequency weights, logit adjustment (against a hand-computed cross-entropy)', () => {
  const prior = classPrior([0, 0, 0, 1], 3); // class 2 absent: floored at 1 / N
  assert.deepEqual([...prior], [0.75, 0.25, 0.25]);
  const w = balanceWeights(Float32Array.from([0.5, 0.25, 0.25]));
  assert.deepEqual([...w].map((x) => +x.toFixed(6)), [0.666667, 1.333333, 1.333333]);
  const shift = logitAdjustment(Float32Array.from([0.5, 0.25, 0.25]), 1);
  // CE of logits [2, 1, 0] + log prior with target 1, by hand.
  const z = [2 + Math.log(0.5), 1 + Math.log(0.25), 0 + Math.log(0.25)];
  const ref = -(z[1] - Math.log(z.reduce((a, v) => a + Math.exp(v), 0)));
  if (!nativeAvailable()) return;
  const ce = torch.tidy(() => torch.crossEntropy(torch.add(torch.tensor(Float32Array.from([2, 1, 0]), [1, 3]), torch.tensor(shift, [1, 3])), torch.tensor(BigInt64Array.from([1n]), [1], 'int64')).item());
  assert.ok(Math.abs(ce - ref) < 1e-5, `${ce} vs ${ref}`);
});
