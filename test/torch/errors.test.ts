// Bad input becomes a JS exception with a message; the process never aborts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '../../src/torch/index.js';
import { resnet18 } from '../../src/models/resnet.js';

const throwsWith = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: Error) => {
  assert.match(e.message, re);
  return true;
});

test('shape mismatch in matmul (caught by libtorch) is an Error', () => {
  throwsWith(() => torch.matmul(torch.zeros([2, 3]), torch.zeros([4, 5])), /cannot be multiplied/);
});
test('shape mismatch in add broadcast', () => {
  throwsWith(() => torch.add(torch.zeros([2, 3]), torch.zeros([4])), /size of tensor a \(3\) must match/);
});
test('linear checks feature width in TypeScript', () => {
  throwsWith(() => torch.linear(torch.zeros([2, 5]), torch.zeros([3, 4])), /Expected last dimension 4/);
});
test('conv2d checks rank and channels', () => {
  throwsWith(() => torch.conv2d(torch.zeros([1, 2, 3]), torch.zeros([1, 2, 1, 1])), /4-D tensor/);
  throwsWith(() => torch.conv2d(torch.zeros([1, 3, 8, 8]), torch.zeros([4, 2, 3, 3])), /Expected 2 channels/);
});
test('ResNet rejects wrong input channels', () => {
  const m = resnet18({ numClasses: 2 });
  throwsWith(() => m.forward(torch.zeros([1, 1, 32, 32])), /\[N, 3, H, W\]/);
  m.dispose();
});
test('reshape to an incompatible shape', () => {
  throwsWith(() => torch.zeros([2, 3]).reshape([4, 2]), /shape with 6 elements/);
});
test('wrong dtypes: float class targets of the wrong shape, int targets of a float dtype, bool masks', () => {
  throwsWith(() => torch.crossEntropy(torch.zeros([2, 3]), torch.zeros([2])), /probabilities of shape \[2, 3\]/);
  throwsWith(() => torch.crossEntropy(torch.zeros([2, 3]), torch.tensor([0, 1], [2], 'int32')), /int64 class indices/);
  throwsWith(() => torch.where(torch.zeros([2]), torch.zeros([2]), 0), /bool tensor/);
  throwsWith(() => torch.indexSelect(torch.zeros([3]), 0, torch.zeros([1])), /int64 or int32/);
  // A dtype clash only libtorch sees: in-place float into an int tensor.
  throwsWith(() => torch.addInPlace(torch.zeros([2], 'int64'), 0.5), /can't be cast/);
});
test('class index out of range is an Error, not an abort', () => {
  throwsWith(() => torch.crossEntropy(torch.zeros([2, 3]), torch.tensor([0, 7], [2], 'int64')), /out of bounds|Target 7/);
});
test('disposed tensors cannot be used', () => {
  const t = torch.ones([2]);
  t.dispose();
  assert.equal(t.isDisposed, true);
  throwsWith(() => t.add(1), /was disposed/);
  throwsWith(() => t.data(), /was disposed/);
  t.dispose(); // idempotent
});
test('data length must match the shape; unknown dtypes are rejected', () => {
  throwsWith(() => torch.tensor(new Float32Array(5), [2, 3]), /6 elements for shape \[2, 3\]/);
  throwsWith(() => torch.zeros([2], 'complex64' as torch.DType), /dtype/);
  throwsWith(() => torch.zeros([-1]), /non-negative integers/);
});
test('item() needs exactly one element', () => {
  throwsWith(() => torch.zeros([2]).item(), /one element/);
});
test('backward on a non-scalar without gradient', () => {
  const x = torch.ones([3]).requiresGrad_();
  throwsWith(() => x.mul(2).backward(), /scalar outputs/);
});
test('missing and malformed safetensors files name the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cafe-err-'));
  throwsWith(() => torch.loadSafetensors(join(dir, 'nope.safetensors')), /nope\.safetensors: no such file/);
  const bad = join(dir, 'bad.safetensors');
  writeFileSync(bad, Buffer.from([1, 2, 3]));
  throwsWith(() => torch.loadSafetensors(bad), /bad\.safetensors: not a safetensors file/);
  const huge = Buffer.alloc(16);
  huge.writeBigUInt64LE(1000n);
  writeFileSync(bad, huge);
  throwsWith(() => torch.loadSafetensors(bad), /header length 1000 does not fit/);
  const hdr = Buffer.from('{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(hdr.length));
  writeFileSync(bad, Buffer.concat([len, hdr, Buffer.alloc(8)]));
  throwsWith(() => torch.loadSafetensors(bad), /tensor 'w' runs past the end/);
});
test('loading a state dict with wrong keys or shapes names them', () => {
  const m = new torch.nn.Linear(3, 2);
  throwsWith(() => m.loadStateDict(new Map([['weight', torch.zeros([2, 3])]]), { source: 'x.safetensors' }), /missing keys: bias/);
  throwsWith(() => m.loadStateDict(new Map([['weight', torch.zeros([2, 4])], ['bias', torch.zeros([2])]])), /state\['weight'\]/);
});
test('invalid optimiser arguments', () => {
  const p = [torch.zeros([2]).requiresGrad_()];
  throwsWith(() => new torch.optim.Adam(p, { lr: -1 }), /positive number for lr/);
  throwsWith(() => new torch.optim.Adam([], {}), /non-empty array/);
  throwsWith(() => new torch.optim.Adam(p, { betas: [1.5, 0.9] }), /betas\[0\]/);
});
test('non-tensor arguments to the native layer are TypeErrors', async () => {
  const n = torch.loadNative();
  assert.throws(() => (n.add as (...a: unknown[]) => unknown)({}, 1), TypeError);
  assert.throws(() => n.conv2d(torch.zeros([1, 1, 2, 2]).handle, torch.zeros([1, 1, 1, 1]).handle, null, [1] as never, 'x' as never, [1, 1], 1), TypeError);
});
