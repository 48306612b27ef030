// Every differentiable op's autograd gradient against central finite differences, in float64.
// Tolerance: |analytic - numeric| <= 1e-6 + 1e-5 * |numeric|, with eps = 1e-6.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/torch/index.js';
import { uniform } from '../helpers/rng.js';

const EPS = 1e-6;
const ATOL = 1e-6;
const RTOL = 1e-5;

interface Input {
  shape: number[];
  data?: Float64Array;
  lo?: number;
  hi?: number;
}

/** Checks d(sum(w * f(x...)))/dx for random fixed w. Returns the worst error. */
function gradcheck(f: (...xs: torch.Tensor[]) => torch.Tensor, inputs: Input[], seed = 1, reseed?: number): number {
  const datas = inputs.map((inp, i) => inp.data ?? uniform(inp.shape.reduce((a, b) => a * b, 1), seed * 100 + i, inp.lo ?? -1, inp.hi ?? 1));
  const evalAt = (ds: Float64Array[], withGrad: boolean): { value: number; grads?: Float64Array[] } => torch.tidy(() => {
    if (reseed !== undefined) torch.manualSeed(reseed);
    const xs = ds.map((d, i) => torch.tensor(d, inputs[i].shape, 'float64'));
    if (withGrad) xs.forEach((x) => x.requiresGrad_(true));
    const out = f(...xs);
    const w = torch.tensor(uniform(out.numel, seed + 7, 0.5, 1.5), out.shape, 'float64');
    const s = out.mul(w).sum();
    if (!withGrad) return { value: s.item() };
    s.backward();
    return { value: s.item(), grads: xs.map((x) => (x.grad ? (x.grad.data() as Float64Array) : new Float64Array(x.numel))) };
  });
  const analytic = evalAt(datas, true).grads!;
  let worst = 0;
  datas.forEach((d, i) => {
    for (let k = 0; k < d.length; k++) {
      const orig = d[k];
      d[k] = orig + EPS;
      const plus = torch.noGrad(() => evalAt(datas, false).value);
      d[k] = orig - EPS;
      const minus = torch.noGrad(() => evalAt(datas, false).value);
      d[k] = orig;
      const numeric = (plus - minus) / (2 * EPS);
      const err = Math.abs(analytic[i][k] - numeric);
      assert.ok(err <= ATOL + RTOL * Math.abs(numeric), `input ${i}[${k}]: analytic ${analytic[i][k]} vs numeric ${numeric}`);
      worst = Math.max(worst, err);
    }
  });
  return worst;
}

const long = (v: number[]) => torch.tensor(v, [v.length], 'int64');
const cases: Array<[string, (...xs: torch.Tensor[]) => torch.Tensor, Input[], number?]> = [
  ['add (broadcast)', (a, b) => a.add(b, 0.7), [{ shape: [3, 4] }, { shape: [4] }]],
  ['add scalar', (a) => a.add(2.5), [{ shape: [5] }]],
  ['sub (broadcast)', (a, b) => a.sub(b), [{ shape: [2, 3] }, { shape: [2, 1] }]],
  ['mul (broadcast)', (a, b) => a.mul(b), [{ shape: [2, 3] }, { shape: [3] }]],
  ['div (broadcast)', (a, b) => a.div(b), [{ shape: [2, 3] }, { shape: [3], lo: 0.5, hi: 2 }]],
  ['pow', (a) => a.pow(3), [{ shape: [6] }]],
  ['neg', (a) => a.neg(), [{ shape: [4] }]],
  ['exp', (a) => a.exp(), [{ shape: [4] }]],
  ['log', (a) => a.log(), [{ shape: [4], lo: 0.2, hi: 3 }]],
  ['sqrt', (a) => a.sqrt(), [{ shape: [4], lo: 0.2, hi: 3 }]],
  ['abs', (a) => a.abs(), [{ shape: [6] }]],
  ['relu', (a) => a.relu(), [{ shape: [8] }]],
  ['sigmoid', (a) => a.sigmoid(), [{ shape: [8] }]],
  ['tanh', (a) => a.tanh(), [{ shape: [8] }]],
  ['clamp', (a) => a.clamp(-0.5, 0.5), [{ shape: [8] }]],
  ['matmul', (a, b) => a.matmul(b), [{ shape: [3, 4] }, { shape: [4, 2] }]],
  ['linear', (x, w, b) => torch.linear(x, w, b), [{ shape: [2, 5] }, { shape: [3, 5] }, { shape: [3] }]],
  ['conv2d stride/padding', (x, w, b) => torch.conv2d(x, w, b, { stride: 2, padding: 1 }), [{ shape: [2, 2, 5, 5] }, { shape: [3, 2, 3, 3] }, { shape: [3] }]],
  ['conv2d groups/dilation', (x, w) => torch.conv2d(x, w, undefined, { groups: 2, dilation: 2, padding: 2 }), [{ shape: [1, 4, 5, 5] }, { shape: [4, 2, 3, 3] }]],
  ['batchNorm (training)', (x, w, b) => torch.batchNorm(x, undefined, undefined, { weight: w, bias: b, training: true }), [{ shape: [3, 2, 2, 2] }, { shape: [2] }, { shape: [2] }]],
  ['batchNorm (eval)', (x, w, b) => torch.batchNorm(x, torch.tensor([0.1, -0.2], [2], 'float64'), torch.tensor([0.7, 1.3], [2], 'float64'),
    { weight: w, bias: b, training: false }), [{ shape: [2, 2, 2, 2] }, { shape: [2] }, { shape: [2] }]],
  ['maxPool2d', (x) => torch.maxPool2d(x, 3, { stride: 2, padding: 1 }), [{ shape: [1, 2, 5, 5] }]],
  ['avgPool2d', (x) => torch.avgPool2d(x, 2), [{ shape: [1, 2, 4, 4] }]],
  ['adaptiveAvgPool2d', (x) => torch.adaptiveAvgPool2d(x, [2, 1]), [{ shape: [2, 2, 5, 3] }]],
  ['softmax', (x) => x.softmax(1), [{ shape: [3, 4] }]],
  ['logSoftmax', (x) => x.logSoftmax(-1), [{ shape: [3, 4] }]],
  ['crossEntropy (class indices)', (x) => torch.crossEntropy(x, long([0, 3, 1])), [{ shape: [3, 4] }]],
  ['crossEntropy (weights, smoothing)', (x) => torch.crossEntropy(x, long([0, 3, 1]), {
    weight: torch.tensor([1, 2, 0.5, 1.5], [4], 'float64'), labelSmoothing: 0.1 }), [{ shape: [3, 4] }]],
  ['crossEntropy (probabilities)', (x) => torch.crossEntropy(x, torch.tensor(uniform(12, 5, 0, 1), [3, 4], 'float64').softmax(1)), [{ shape: [3, 4] }]],
  ['crossEntropy (sum)', (x) => torch.crossEntropy(x, long([2, 2]), { reduction: 'sum' }), [{ shape: [2, 3] }]],
  ['mseLoss', (a, b) => torch.mseLoss(a, b), [{ shape: [3, 2] }, { shape: [3, 2] }]],
  ['reshape', (a) => a.reshape([3, -1]).mul(torch.tensor([1, 2, 3], [3, 1], 'float64')), [{ shape: [2, 3] }]],
  ['view + transpose', (a) => a.view([3, 2]).transpose(0, 1), [{ shape: [6] }]],
  ['permute', (a) => a.permute([2, 0, 1]), [{ shape: [2, 3, 2] }]],
  ['flatten', (a) => a.flatten(1), [{ shape: [2, 2, 3] }]],
  ['unsqueeze/squeeze/expand', (a) => torch.expand(a.unsqueeze(0), [3, 4]).squeeze(0), [{ shape: [4] }]],
  ['cat', (a, b) => torch.cat([a, b], 1), [{ shape: [2, 2] }, { shape: [2, 3] }]],
  ['stack', (a, b) => torch.stack([a, b], 0), [{ shape: [3] }, { shape: [3] }]],
  ['slice (step)', (a) => a.slice(1, 1, 6, 2), [{ shape: [2, 6] }]],
  ['indexSelect', (a) => a.indexSelect(0, long([2, 0, 2])), [{ shape: [3, 2] }]],
  ['gather', (a) => torch.gather(a, 1, torch.tensor([0, 2, 1, 1], [2, 2], 'int64')), [{ shape: [2, 3] }]],
  ['flip', (a) => a.flip([0, 1]), [{ shape: [2, 3] }]],
  ['sum (dims)', (a) => a.sum([0, 2], true), [{ shape: [2, 3, 2] }]],
  ['mean', (a) => a.mean(1), [{ shape: [2, 3] }]],
  ['amax', (a) => a.amax(1), [{ shape: [3, 5] }]],
  ['max (dim) values', (a) => a.max(1).values, [{ shape: [3, 5] }]],
  ['where', (a, b) => torch.where(a.detach().gt(0), a, b), [{ shape: [6] }, { shape: [6] }]],
  ['maskedFill', (a) => torch.maskedFill(a, a.detach().lt(0), 0), [{ shape: [6] }]],
  ['dropout (training, fixed seed)', (a) => torch.dropout(a, 0.3, true), [{ shape: [20] }], 99],
];

for (const [name, f, inputs, reseed] of cases) {
  test(`gradcheck: ${name}`, () => {
    const worst = gradcheck(f, inputs, 1, reseed);
    assert.ok(worst < 1e-5);
  });
}

test('no tensors leak from gradcheck', () => {
  const before = torch.liveTensors();
  gradcheck((a, b) => a.mul(b).sigmoid(), [{ shape: [3] }, { shape: [3] }]);
  assert.equal(torch.liveTensors(), before);
});
