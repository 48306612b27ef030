// Op values against hand-computed results (one test per op family), and the no-leak invariant for each.
import { test, afterEach, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/torch/index.js';

let live = 0;
beforeEach(() => {
  live = torch.liveTensors();
});
afterEach(() => {
  // Every test runs its tensors inside tidy(): anything left over is a leak.
  assert.equal(torch.liveTensors(), live, 'tensors leaked');
});

const t = (v: number[], shape?: number[], dtype: torch.DType = 'float32') => torch.tensor(v, shape ?? [v.length], dtype);
const close = (a: number[], b: number[], tol = 1e-5) => {
  assert.equal(a.length, b.length);
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) <= tol, `[${i}] ${x} vs ${b[i]}`));
};

test('creation: tensor/zeros/ones/full/arange, dtypes round-trip', () => torch.tidy(() => {
  assert.deepEqual(t([1, 2, 3, 4], [2, 2]).shape, [2, 2]);
  assert.deepEqual(torch.zeros([2, 3]).toArray(), [0, 0, 0, 0, 0, 0]);
  assert.deepEqual(torch.full([2], 7, 'int64').toArray(), [7, 7]);
  assert.deepEqual(torch.arange(5).toArray(), [0, 1, 2, 3, 4]);
  assert.deepEqual(torch.arange(1, { start: 0, step: 0.25, dtype: 'float32' }).toArray(), [0, 0.25, 0.5, 0.75]);
  for (const dt of ['float32', 'float64', 'int64', 'int32', 'int16', 'int8', 'uint8'] as const) {
    const x = t([1, 2, 3], [3], dt);
    assert.equal(x.dtype, dt);
    assert.deepEqual(x.toArray(), [1, 2, 3]);
  }
  const h = t([1.5, -2, 65504], [3], 'float16');
  assert.equal(h.dtype, 'float16');
  assert.deepEqual(h.toArray(), [1.5, -2, 65504]);
  assert.deepEqual(Array.from(h.data() as Uint16Array), [0x3e00, 0xc000, 0x7bff]); // IEEE half bits
  assert.deepEqual(t([0, 1, 1], [3], 'bool').toArray(), [0, 1, 1]);
  assert.deepEqual(t([1.25], [1], 'bfloat16').toArray(), [1.25]);
  const f = torch.tensor(new Float32Array([1, 2]), [2]);
  assert.ok(f.data() instanceof Float32Array);
  assert.ok(torch.tensor(new BigInt64Array([5n]), [1]).data() instanceof BigInt64Array);
  assert.deepEqual(torch.scalar(3).shape, []);
}));

test('to(): dtype conversion and device', () => torch.tidy(() => {
  const x = t([1.7, -1.7]);
  assert.deepEqual(x.to({ dtype: 'int64' }).toArray(), [1, -1]);
  assert.equal(x.to({ device: 'cpu' }).device, 'cpu');
}));

test('arithmetic with broadcasting and scalars', () => torch.tidy(() => {
  const a = t([1, 2, 3, 4, 5, 6], [2, 3]);
  const b = t([10, 20, 30]);
  assert.deepEqual(a.add(b).toArray(), [11, 22, 33, 14, 25, 36]);
  assert.deepEqual(a.add(b, 2).toArray(), [21, 42, 63, 24, 45, 66]);
  assert.deepEqual(a.sub(1).toArray(), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(a.mul(t([2], [1])).toArray(), [2, 4, 6, 8, 10, 12]);
  close(a.div(4).toArray(), [0.25, 0.5, 0.75, 1, 1.25, 1.5]);
  assert.deepEqual(a.pow(2).toArray(), [1, 4, 9, 16, 25, 36]);
  assert.deepEqual(t([3], [1], 'int64').add(1).dtype, 'int64', 'int + integer scalar stays int');
  assert.deepEqual(t([3], [1], 'int64').mul(0.5).toArray(), [1.5], 'int * fractional scalar promotes');
}));

test('unary math', () => torch.tidy(() => {
  const x = t([-2, 0, 1]);
  assert.deepEqual(x.neg().toArray(), [2, -0, -1]);
  assert.deepEqual(x.abs().toArray(), [2, 0, 1]);
  assert.deepEqual(x.relu().toArray(), [0, 0, 1]);
  close(x.sigmoid().toArray(), [1 / (1 + Math.exp(2)), 0.5, 1 / (1 + Math.exp(-1))]);
  close(x.tanh().toArray(), [Math.tanh(-2), 0, Math.tanh(1)]);
  close(x.exp().toArray(), [Math.exp(-2), 1, Math.E]);
  close(t([1, 4]).log().toArray(), [0, Math.log(4)]);
  close(t([4, 9]).sqrt().toArray(), [2, 3]);
  assert.deepEqual(x.clamp(-1, 0.5).toArray(), [-1, 0, 0.5]);
  assert.deepEqual(torch.sign(x).toArray(), [-1, 0, 1]);
}));

test('comparisons, where, maskedFill, logicalNot', () => torch.tidy(() => {
  const x = t([1, 5, 3]);
  assert.deepEqual(x.gt(2).toArray(), [0, 1, 1]);
  assert.deepEqual(x.le(t([1, 4, 3])).toArray(), [1, 0, 1]);
  assert.deepEqual(x.eq(3).toArray(), [0, 0, 1]);
  assert.deepEqual(torch.where(x.gt(2), x, -1).toArray(), [-1, 5, 3]);
  assert.deepEqual(torch.where(x.gt(2), x, t([7, 8, 9])).toArray(), [7, 5, 3]);
  assert.deepEqual(torch.maskedFill(x, x.lt(4), 0).toArray(), [0, 5, 0]);
  assert.deepEqual(torch.logicalNot(x.gt(2)).toArray(), [1, 0, 0]);
}));

test('matmul and linear', () => torch.tidy(() => {
  const a = t([1, 2, 3, 4], [2, 2]);
  const b = t([5, 6, 7, 8], [2, 2]);
  assert.deepEqual(a.matmul(b).toArray(), [19, 22, 43, 50]);
  // y = x W^T + b
  assert.deepEqual(torch.linear(t([1, 1], [1, 2]), t([1, 2, 3, 4], [2, 2]), t([10, 20])).toArray(), [13, 27]);
}));

test('conv2d: identity kernel, stride, padding, groups', () => torch.tidy(() => {
  const x = torch.arange(16, { dtype: 'float32' }).reshape([1, 1, 4, 4]);
  assert.deepEqual(torch.conv2d(x, t([1], [1, 1, 1, 1])).toArray(), x.toArray());
  // 2x2 sum kernel, stride 2: sums of each 2x2 block
  assert.deepEqual(torch.conv2d(x, torch.ones([1, 1, 2, 2]), undefined, { stride: 2 }).toArray(), [10, 18, 42, 50]);
  const p = torch.conv2d(x, torch.ones([1, 1, 3, 3]), t([1]), { padding: 1 });
  assert.deepEqual(p.shape, [1, 1, 4, 4]);
  assert.equal(p.toArray()[0], 0 + 1 + 4 + 5 + 1);
  const g = torch.conv2d(torch.ones([1, 2, 2, 2]), t([1, 2], [2, 1, 1, 1]), undefined, { groups: 2 });
  assert.deepEqual(g.toArray(), [1, 1, 1, 1, 2, 2, 2, 2]);
}));

test('batchNorm: training normalises with batch stats and updates running stats; eval uses running stats', () => torch.tidy(() => {
  const x = t([1, 3, 5, 7], [4, 1, 1, 1]); // mean 4, biased var 5, unbiased var 20/3
  const rm = torch.zeros([1]);
  const rv = torch.ones([1]);
  const y = torch.batchNorm(x, rm, rv, { training: true, momentum: 0.1, eps: 0 });
  close(y.toArray(), [-3, -1, 1, 3].map((v) => v / Math.sqrt(5)));
  close(rm.toArray(), [0.4]);
  close(rv.toArray(), [0.9 + 0.1 * (20 / 3)]);
  const e = torch.batchNorm(x, rm, rv, { training: false, eps: 0, weight: t([2]), bias: t([1]) });
  close(e.toArray(), [1, 3, 5, 7].map((v) => (2 * (v - 0.4)) / Math.sqrt(0.9 + 0.1 * (20 / 3)) + 1), 1e-4);
}));

test('pooling', () => torch.tidy(() => {
  const x = torch.arange(16, { dtype: 'float32' }).reshape([1, 1, 4, 4]);
  assert.deepEqual(torch.maxPool2d(x, 2).toArray(), [5, 7, 13, 15]);
  assert.deepEqual(torch.maxPool2d(x, 3, { stride: 2, padding: 1 }).toArray(), [5, 7, 13, 15]);
  assert.deepEqual(torch.avgPool2d(x, 2).toArray(), [2.5, 4.5, 10.5, 12.5]);
  assert.deepEqual(torch.adaptiveAvgPool2d(x, 1).toArray(), [7.5]);
  assert.deepEqual(torch.adaptiveAvgPool2d(x, [2, 1]).toArray(), [3.5, 11.5]);
}));

test('softmax, logSoftmax, crossEntropy (hard, soft, smoothing, weights, ignoreIndex)', () => torch.tidy(() => {
  const z = t([1, 2, 3, 1, 1, 1], [2, 3]);
  const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
  const s = e[0] + e[1] + e[2];
  close(z.softmax(1).toArray().slice(0, 3), e.map((v) => v / s));
  close(z.logSoftmax(1).toArray().slice(3), [Math.log(1 / 3), Math.log(1 / 3), Math.log(1 / 3)]);
  const ls = [Math.log(e[0] / s), Math.log(e[1] / s), Math.log(e[2] / s)];
  const y = t([2, 0], [2], 'int64');
  close([torch.crossEntropy(z, y).item()], [(-ls[2] + Math.log(3)) / 2]);
  close([torch.crossEntropy(z, y, { reduction: 'sum' }).item()], [-ls[2] + Math.log(3)]);
  close(torch.crossEntropy(z, y, { reduction: 'none' }).toArray(), [-ls[2], Math.log(3)]);
  // Soft targets: -sum p log q
  const p = t([0.5, 0, 0.5, 1, 0, 0], [2, 3]);
  close([torch.crossEntropy(z, p).item()], [(-(0.5 * ls[0] + 0.5 * ls[2]) + Math.log(3)) / 2]);
  // Label smoothing 0.3 over 3 classes on row 0 with target 2: target dist = 0.1, 0.1, 0.8
  close(torch.crossEntropy(z, y, { labelSmoothing: 0.3, reduction: 'none' }).toArray().slice(0, 1), [-(0.1 * ls[0] + 0.1 * ls[1] + 0.8 * ls[2])]);
  // Class weights: weighted mean (sum w_i l_i / sum w_i)
  const w = t([1, 1, 3]);
  close([torch.crossEntropy(z, y, { weight: w }).item()], [(3 * -ls[2] + 1 * Math.log(3)) / 4]);
  close([torch.crossEntropy(z, t([2, -100], [2], 'int64')).item()], [-ls[2]]);
  close([torch.mseLoss(t([1, 2]), t([2, 4])).item()], [2.5]);
}));

test('shape ops', () => torch.tidy(() => {
  const x = torch.arange(6, { dtype: 'float32' }).reshape([2, 3]);
  assert.deepEqual(x.reshape([3, -1]).shape, [3, 2]);
  assert.deepEqual(x.transpose(0, 1).toArray(), [0, 3, 1, 4, 2, 5]);
  assert.deepEqual(x.permute([1, 0]).contiguous().view([6]).toArray(), [0, 3, 1, 4, 2, 5]);
  assert.deepEqual(x.unsqueeze(0).shape, [1, 2, 3]);
  assert.deepEqual(x.unsqueeze(-1).squeeze(-1).shape, [2, 3]);
  assert.deepEqual(torch.flatten(x.reshape([1, 2, 3]), 1).shape, [1, 6]);
  assert.deepEqual(torch.cat([x, x], 0).shape, [4, 3]);
  assert.deepEqual(torch.stack([x, x], 1).shape, [2, 2, 3]);
  assert.deepEqual(x.slice(1, 1, 3).toArray(), [1, 2, 4, 5]);
  assert.deepEqual(x.slice(1, 0, 100, 2).toArray(), [0, 2, 3, 5]);
  assert.deepEqual(x.slice(1, -1, 3).toArray(), [2, 5]);
  assert.deepEqual(x.indexSelect(1, t([2, 0], [2], 'int64')).toArray(), [2, 0, 5, 3]);
  assert.deepEqual(torch.gather(x, 1, t([1, 1, 0, 2], [2, 2], 'int64')).toArray(), [1, 1, 3, 5]);
  assert.deepEqual(x.flip(1).toArray(), [2, 1, 0, 5, 4, 3]);
  assert.deepEqual(torch.expand(t([1, 2], [2, 1]), [2, 3]).toArray(), [1, 1, 1, 2, 2, 2]);
}));

test('reductions', () => torch.tidy(() => {
  const x = t([1, 5, 3, 4, 2, 6], [2, 3]);
  assert.equal(x.sum().item(), 21);
  assert.deepEqual(x.sum(0).toArray(), [5, 7, 9]);
  assert.deepEqual(x.sum([1], true).shape, [2, 1]);
  assert.equal(x.mean().item(), 3.5);
  assert.deepEqual(x.mean(1).toArray(), [3, 4]);
  assert.deepEqual(x.amax(1).toArray(), [5, 6]);
  assert.deepEqual(torch.amin(x, 0).toArray(), [1, 2, 3]);
  const m = x.max(1);
  assert.deepEqual(m.values.toArray(), [5, 6]);
  assert.deepEqual(m.indices.toArray(), [1, 2]);
  assert.deepEqual(torch.min(x, 1).indices.toArray(), [0, 1]);
  assert.deepEqual(x.argmax(1).toArray(), [1, 2]);
  assert.equal(x.argmax().item(), 5);
}));

test('dropout: identity in eval, scaled mask in training', () => torch.tidy(() => {
  const x = torch.ones([1000]);
  assert.deepEqual(torch.dropout(x, 0.5, false).toArray(), x.toArray());
  torch.manualSeed(3);
  const d = torch.dropout(x, 0.25, true).toArray();
  assert.ok(d.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6));
  const kept = d.filter((v) => v !== 0).length;
  assert.ok(kept > 700 && kept < 800, `kept ${kept}`);
}));

test('random: manualSeed and Generator make draws reproducible', () => torch.tidy(() => {
  torch.manualSeed(42);
  const a = torch.rand([5]).toArray();
  torch.manualSeed(42);
  assert.deepEqual(torch.rand([5]).toArray(), a);
  const g1 = new torch.Generator(7);
  const g2 = new torch.Generator(7);
  assert.deepEqual(torch.randn([4], { generator: g1 }).toArray(), torch.randn([4], { generator: g2 }).toArray());
  assert.deepEqual(torch.randperm(6, { generator: g1 }).toArray().sort(), [0, 1, 2, 3, 4, 5]);
  const r = torch.randint(3, 5, [100], { generator: g1 }).toArray();
  assert.ok(r.every((v) => v === 3 || v === 4));
  const u = torch.rand([1000], { generator: g1 }).toArray();
  assert.ok(u.every((v) => v >= 0 && v < 1));
}));

test('autograd: requiresGrad, backward, grad, zeroGrad, noGrad, detach', () => torch.tidy(() => {
  const w = t([1, 2, 3]).requiresGrad_();
  assert.equal(w.isLeaf, true);
  const y = w.mul(w).sum(); // dy/dw = 2w
  assert.equal(y.requiresGrad, true);
  y.backward();
  assert.deepEqual(w.grad!.toArray(), [2, 4, 6]);
  w.mul(3).sum().backward(); // accumulates
  assert.deepEqual(w.grad!.toArray(), [5, 7, 9]);
  w.zeroGrad(false);
  assert.deepEqual(w.grad!.toArray(), [0, 0, 0]);
  w.zeroGrad();
  assert.equal(w.grad, undefined);
  const z = torch.noGrad(() => w.mul(2));
  assert.equal(z.requiresGrad, false);
  assert.equal(torch.isGradEnabled(), true);
  assert.equal(w.mul(2).detach().requiresGrad, false);
  const g = t([1, 1, 1]);
  w.mul(2).backward(g);
  assert.deepEqual(w.grad!.toArray(), [2, 2, 2]);
}));

test('threads', () => {
  const n = torch.getNumThreads();
  torch.setNumThreads(2);
  assert.equal(torch.getNumThreads(), 2);
  torch.setNumThreads(n);
  assert.throws(() => torch.setNumThreads(0), /integer >= 1/);
});
