// tfjs-to-onnx on tiny hand-made graphs: a convolution and a pool converted and run, and the layouts and paddings the
// converter cannot read refused with the node's name (the real graphs are covered by the faceres, mesh and centernet
// tests against tfjs itself).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { tfjsToOnnx } from '../../src/encoders/tfjs-to-onnx.js';
import { encodeOnnxModel } from '../../src/encoders/onnx-writer.js';
import type { TfjsGraph, TfjsNode } from '../../src/encoders/tfjs-graph.js';

const b64 = (s: string) => btoa(s);
const ints = (v: number[]) => ({ list: { i: v.map(String) } });

/** x [1, 4, 4, 1] -> 2 x 2 conv (kernel 1, 2, 3, 4; one channel) -> 2 x 2 max pool, stride 2. */
function graph(conv: { data_format?: string; padding?: string } = {}, pool: { data_format?: string; padding?: string } = {}): TfjsGraph {
  const attrs = (o: { data_format?: string; padding?: string }, extra: Record<string, unknown>) => ({
    data_format: { s: b64(o.data_format ?? 'NHWC') },
    padding: { s: b64(o.padding ?? 'VALID') },
    ...extra,
  });
  const nodes: TfjsNode[] = [
    { name: 'x', op: 'Placeholder', attr: { shape: { shape: { dim: [{ size: '1' }, { size: '4' }, { size: '4' }, { size: '1' }] } } } },
    { name: 'w', op: 'Const' },
    { name: 'conv', op: 'Conv2D', input: ['x', 'w'], attr: attrs(conv, { strides: ints([1, 1, 1, 1]) }) },
    { name: 'pool', op: 'MaxPool', input: ['conv'], attr: attrs(pool, { ksize: ints([1, 2, 2, 1]), strides: ints([1, 2, 2, 1]) }) },
  ];
  return { nodes, weights: new Map([['w', { shape: [2, 2, 1, 1], data: Float32Array.of(1, 2, 3, 4) }]]), inputs: [{ name: 'x', shape: [1, 4, 4, 1] }] };
}

test('tfjs-to-onnx: a VALID conv and a SAME pool, converted to NCHW, give the reference values', async () => {
  const g = tfjsToOnnx(graph({}, { padding: 'SAME' }), { output: 'pool' });
  const session = await ort.InferenceSession.create(encodeOnnxModel(g));
  const x = Float32Array.from({ length: 16 }, (_, i) => i); // x[r][c] = 4 r + c
  const out = (await session.run({ pixel_values: new ort.Tensor('float32', x, [1, 1, 4, 4]) })).features;
  // conv[r][c] = x[r][c] + 2 x[r][c+1] + 3 x[r+1][c] + 4 x[r+1][c+1] = 10 x[r][c] + 34 (3 x 3); SAME pool of 3 x 3 by
  // 2 x 2, stride 2: windows start at 0 and 2, the second clipped at the edge.
  const conv = (r: number, c: number) => 10 * (4 * r + c) + 34;
  assert.deepEqual(out.dims, [1, 1, 2, 2]);
  assert.deepEqual(Array.from(out.data as Float32Array), [conv(1, 1), conv(1, 2), conv(2, 1), conv(2, 2)]);
  await session.release();
});

test('tfjs-to-onnx: NCHW convolutions and pools and EXPLICIT paddings are refused, naming the node', () => {
  assert.throws(() => tfjsToOnnx(graph({ data_format: 'NCHW' }), { output: 'pool' }), /'NHWC' for data_format of conv but received 'NCHW'/);
  assert.throws(() => tfjsToOnnx(graph({}, { data_format: 'NCHW' }), { output: 'pool' }), /'NHWC' for data_format of pool but received 'NCHW'/);
  assert.throws(() => tfjsToOnnx(graph({ padding: 'EXPLICIT' }), { output: 'pool' }), /'SAME' or 'VALID' for padding of conv but received 'EXPLICIT'/);
  assert.throws(() => tfjsToOnnx(graph({}, { padding: 'EXPLICIT' }), { output: 'pool' }), /'SAME' or 'VALID' for padding of pool but received 'EXPLICIT'/);
});
