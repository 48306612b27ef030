// Fused encoders' features: each part's rows joined column-wise over the ids every part has, in dataset order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinTables, tableOf } from '../../src/features/join.js';
import type { Dataset } from '../../src/data/types.js';

test('joinTables: dataset order, only ids in every part, parts side by side; flipped only when every part has it', () => {
  const dataset = { items: ['a', 'b', 'c'].map((id) => ({ id })) } as unknown as Dataset;
  const p1 = tableOf({ ids: ['c', 'a', 'b'], dim: 1, features: Float32Array.of(3, 1, 2), flipped: Float32Array.of(-3, -1, -2) });
  const p2 = tableOf({ ids: ['a', 'c'], dim: 2, features: Float32Array.of(10, 11, 30, 31), flipped: Float32Array.of(-10, -11, -30, -31) });
  const t = joinTables([p1, p2], dataset);
  assert.equal(t.dim, 3);
  assert.deepEqual([...t.row], [['a', 0], ['c', 1]]);
  assert.deepEqual([...t.features], [1, 10, 11, 3, 30, 31]);
  assert.deepEqual([...t.flipped!], [-1, -10, -11, -3, -30, -31]);
  const noFlip = joinTables([p1, tableOf({ ids: ['a'], dim: 1, features: Float32Array.of(7) })], dataset);
  assert.deepEqual([...noFlip.features], [1, 7]);
  assert.equal(noFlip.flipped, undefined);
});
