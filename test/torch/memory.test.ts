// Native memory must not grow: libtorch allocations are invisible to V8, so release has to be deterministic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/torch/index.js';
import { nn } from '../../src/torch/index.js';

class Tiny extends nn.Layer {
  conv = this.registerModule('conv', new nn.Conv2d({ inChannels: 3, outChannels: 8, kernelSize: 3, padding: 1 }));
  bn = this.registerModule('bn', new nn.BatchNorm2d(8));
  fc = this.registerModule('fc', new nn.Linear(8, 4));
  forward(x: torch.Tensor): torch.Tensor {
    const h = torch.relu(this.bn.forward(this.conv.forward(x)));
    return this.fc.forward(torch.adaptiveAvgPool2d(h, 1).flatten(1));
  }
}

test('RSS stays flat (within 10%) and no tensor leaks across 1,000 training steps', () => {
  torch.manualSeed(0);
  const model = new Tiny();
  const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = torch.randn([8, 3, 16, 16]);
  const y = torch.randint(0, 4, [8]);
  const step = () => torch.tidy(() => {
    const loss = torch.crossEntropy(model.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    return loss.item();
  });
  for (let i = 0; i < 100; i++) step(); // warm-up: allocator caches, JIT
  const live = torch.liveTensors();
  const rss0 = process.memoryUsage().rss;
  let last = 0;
  for (let i = 0; i < 1000; i++) last = step();
  const rss1 = process.memoryUsage().rss;
  assert.equal(torch.liveTensors(), live, 'live tensor count unchanged');
  const growth = (rss1 - rss0) / rss0;
  console.log(`# rss ${(rss0 / 2 ** 20).toFixed(1)} -> ${(rss1 / 2 ** 20).toFixed(1)} MiB (${(growth * 100).toFixed(2)}%), loss ${last.toFixed(4)}`);
  assert.ok(Math.abs(growth) < 0.1, `RSS grew ${(growth * 100).toFixed(1)}%`);
  assert.ok(Number.isFinite(last));
});

test('tidy disposes intermediates, keeps the returned tensors, and cleans up on throw', () => {
  const before = torch.liveTensors();
  const kept = torch.tidy(() => {
    const a = torch.ones([4]);
    const b = a.mul(3);
    return { b, list: [b.add(1)] };
  });
  assert.equal(torch.liveTensors(), before + 2);
  assert.deepEqual(kept.list[0].toArray(), [4, 4, 4, 4]);
  kept.b.dispose();
  kept.list[0].dispose();
  assert.equal(torch.liveTensors(), before);
  assert.throws(() => torch.tidy(() => {
    torch.ones([3]).mul(2);
    throw new Error('boom');
  }), /boom/);
  assert.equal(torch.liveTensors(), before, 'tensors from a throwing tidy are released');
});

test('nested tidy moves returned tensors to the parent scope; keep() escapes every scope', () => {
  const before = torch.liveTensors();
  let escaped!: torch.Tensor;
  torch.tidy(() => {
    const inner = torch.tidy(() => torch.ones([2]).add(1));
    assert.equal(inner.isDisposed, false);
    escaped = torch.keep(torch.zeros([1]));
  });
  assert.equal(escaped.isDisposed, false);
  escaped.dispose();
  assert.equal(torch.liveTensors(), before);
});

test('grad handles and state dicts do not leak', () => {
  const before = torch.liveTensors();
  torch.tidy(() => {
    const w = torch.ones([3]).requiresGrad_();
    w.mul(2).sum().backward();
    assert.deepEqual(w.grad!.toArray(), [2, 2, 2]);
    w.zeroGrad();
    assert.equal(w.grad, undefined);
  });
  assert.equal(torch.liveTensors(), before);
});
