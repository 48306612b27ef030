// CafeModel: shapes of every row, gradients reach every parameter, the faithful mask is >= 0.5, the free one is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/torch/index.js';
import { CafeModel } from '../../src/cafe/model.js';
import { DEFAULT_CONFIG, resolveConfig, type TrainConfig } from '../../src/cafe/config.js';
import { diversityLoss, groupLayout, separationLoss, channelDropMask } from '../../src/cafe/losses.js';
import { Rng } from '../../src/util/rng.js';

const model = (o: Partial<TrainConfig['model']>) => ({ ...DEFAULT_CONFIG.model, ...o });

test('every row: logits [B, 7]; cafe exposes F~ of the matched width', () => {
  torch.manualSeed(0);
  const x = torch.randn([2, 3, 32, 32]);
  const F = torch.randn([2, 1024]);
  const cases: Array<[Partial<TrainConfig['model']>, number | undefined]> = [
    [{ kind: 'cafe', dimMatch: 'pool' }, 512],
    [{ kind: 'cafe', dimMatch: 'projectF' }, 512],
    [{ kind: 'cafe', dimMatch: 'projectf' }, 1024],
    [{ kind: 'baseline' }, undefined],
    [{ kind: 'probe' }, undefined],
    [{ kind: 'concat' }, undefined],
  ];
  for (const [m, width] of cases) {
    const net = new CafeModel(model(m), 1024);
    const out = torch.tidy(() => {
      const o = net.forward(x, F);
      return { logits: o.logits.shape, masked: o.masked?.shape };
    });
    assert.deepEqual(out.logits, [2, 7], JSON.stringify(m));
    assert.deepEqual(out.masked?.[1], width, JSON.stringify(m));
    net.dispose();
  }
  x.dispose();
  F.dispose();
});

test('full CAFE loss sends a gradient to every parameter', () => {
  torch.manualSeed(1);
  for (const dimMatch of ['pool', 'projectF', 'projectf'] as const) {
    const net = new CafeModel(model({ kind: 'cafe', dimMatch }), 1024);
    torch.tidy(() => {
      const o = net.forward(torch.randn([4, 3, 32, 32]), torch.randn([4, 1024]));
      const y = torch.tensor([0, 1, 2, 3], [4], 'int64');
      const layout = groupLayout(net.maskedDim, 7);
      const loss = torch.add(torch.add(torch.crossEntropy(o.logits, y), torch.mul(separationLoss(o.masked!, y, layout, channelDropMask(layout, 10, new Rng(0))), 1.5)), torch.mul(diversityLoss(o.masked!, layout), 5));
      loss.backward();
    });
    for (const [name, p] of net.namedParameters()) {
      const g = p.grad;
      assert.ok(g, `${dimMatch}: ${name} has no gradient`);
      assert.ok(torch.tidy(() => torch.sum(torch.abs(g)).item()) > 0, `${dimMatch}: ${name} gradient is zero`);
    }
    net.dispose();
  }
});

test('faithful mask (ReLU before sigmoid) stays >= 0.5; finalRelu=false lets it go below', () => {
  torch.manualSeed(2);
  const x = torch.randn([4, 3, 32, 32]);
  const F = torch.randn([4, 512]);
  const minMask = (finalRelu: boolean) => {
    const net = new CafeModel(model({ kind: 'cafe', finalRelu }), 512);
    net.eval();
    const v = torch.tidy(() => torch.noGrad(() => torch.amin(net.forward(x, F).mask!).item()));
    net.dispose();
    return v;
  };
  assert.ok(minMask(true) >= 0.5);
  assert.ok(minMask(false) < 0.5);
  x.dispose();
  F.dispose();
});

test('config: presets, dotted overrides, validation', () => {
  const c = resolveConfig({ model: { kind: 'baseline' } }, ['optim.epochs=3', 'loss.beta=0', 'data.train=ferplus:/x:train']);
  assert.equal(c.model.kind, 'baseline');
  assert.equal(c.optim.epochs, 3);
  assert.equal(c.loss.beta, 0);
  assert.equal(c.data.train, 'ferplus:/x:train');
  assert.equal(c.optim.lr, 2e-4); // paper default untouched
  assert.throws(() => resolveConfig({}, ['model.kind=foo']), /model.kind/);
  assert.throws(() => resolveConfig({}, ['optim.nope=1']), /optim.nope/);
  assert.throws(() => resolveConfig({}, ['optim.epochs=abc']), /optim.epochs/);
  // The hidden layer belongs to the probe head only.
  assert.equal(resolveConfig({ model: { kind: 'probe', hidden: 16 } }).model.hidden, 16);
  assert.throws(() => resolveConfig({}, ['model.hidden=16']), /model.hidden/);
  assert.throws(() => resolveConfig({ model: { kind: 'probe', hidden: -1 } }), /model.hidden/);
});
