// A fitted probe saved as a run folder: standardisation folded into fc gives the same logits, and `cafe export`
// turns the folder into a head whose logits on raw features match the probe's on standardised ones.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { foldStandardisation, saveProbeRun } from '../../src/features/probe-run.js';
import type { Probe } from '../../src/features/probe.js';
import { nativeAvailable } from '../../src/torch/index.js';

function probe(D: number, C = 7): Probe {
  let s = 3;
  const r = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) - 0.5;
  return {
    dim: D,
    mean: Float32Array.from({ length: D }, () => 10 * r()),
    std: Float32Array.from({ length: D }, () => 0.5 + Math.abs(r())),
    weight: Float32Array.from({ length: C * D }, r),
    bias: Float32Array.from({ length: C }, r),
    weightDecay: 0.01,
    grid: [],
  };
}

/** The probe's own logits: W (x - mean) / std + b. */
function probeLogits(p: Probe, x: Float32Array): Float32Array {
  const C = p.bias.length, D = p.dim, n = x.length / D;
  const out = new Float32Array(n * C);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < C; c++) {
      let v = p.bias[c];
      for (let d = 0; d < D; d++) v += p.weight[c * D + d] * ((x[i * D + d] - p.mean[d]) / p.std[d]);
      out[i * C + c] = v;
    }
  return out;
}

test('foldStandardisation: raw features through the folded fc give the standardised probe\'s logits', () => {
  const p = probe(5);
  const x = Float32Array.from({ length: 3 * 5 }, (_, i) => Math.sin(i) * 8);
  const { weight, bias } = foldStandardisation(p);
  const ref = probeLogits(p, x);
  for (let i = 0; i < 3; i++)
    for (let c = 0; c < 7; c++) {
      let v = bias[c];
      for (let d = 0; d < 5; d++) v += weight[c * 5 + d] * x[i * 5 + d];
      assert.ok(Math.abs(v - ref[i * 7 + c]) < 1e-4);
    }
});

test('saveProbeRun -> cafe export: the exported head reproduces the probe', { skip: !nativeAvailable() && 'libtorch addon not built' }, async () => {
  const { exportRun } = await import('../../src/export/export-run.js');
  const dir = mkdtempSync(join(tmpdir(), 'cafe-probe-run-'));
  try {
    const p = probe(6);
    const cfg = saveProbeRun(join(dir, 'run'), p, {
      name: 'probe-test', encoder: 'onnx:/models/x.onnx', train: ['ferplus:/d/ferplus:train', 'sfew:/d/sfew2:train'], valid: 'ferplus:/d/ferplus:valid',
      exclude: ['/d/photos/sfew-frames'], sourceWeights: [1, 1], logitAdjust: 0, validAccuracy: 0.5, validBalancedAccuracy: 0.4, classBalance: 'reweight', command: 'cafe probe ...',
    });
    assert.equal(cfg.model.kind, 'probe');
    assert.deepEqual(cfg.data.train, ['ferplus:/d/ferplus:train', 'sfew:/d/sfew2:train']);
    assert.equal(JSON.parse(readFileSync(join(dir, 'run', 'metrics.jsonl'), 'utf8')).validAccuracy, 0.5);
    const { manifest } = await exportRun(join(dir, 'run'), join(dir, 'model'));
    assert.equal(manifest.featureDim, 6);
    assert.equal(manifest.colour, 'gray'); // FER+ among the sources
    assert.ok(manifest.parity!.trainingCoreVsExported! < 1e-4);
    const s = await ort.InferenceSession.create(join(dir, 'model', 'head.onnx'));
    const x = Float32Array.from({ length: 2 * 6 }, (_, i) => Math.cos(i) * 5);
    const out = (await s.run({ features: new ort.Tensor('float32', x, [2, 6]) })).logits.data as Float32Array;
    const ref = probeLogits(p, x);
    for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(out[i] - ref[i]) < 1e-3, `logit ${i}: ${out[i]} vs ${ref[i]}`);
    await s.release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
