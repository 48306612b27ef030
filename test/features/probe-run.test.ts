// A fitted probe saved as a run folder: standardisation folded into fc gives the same logits, and `cafe export`
// turns the folder into a head whose logits on raw features match the probe's on standardised ones.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { foldStandardisation, saveProbeRun } from '../../src/features/probe-run.js';
import type { Probe } from '../../src/features/probe.js';
import { nativeAvailable } from '../../src/torch/index.js';
import { writeImage } from '../data/fixtures.js';

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

test('saveProbeRun with a hidden layer -> cafe export and cafe eval: standardisation folded into the hidden layer, same logits', { skip: !nativeAvailable() && 'libtorch addon not built' }, async () => {
  const { exportRun } = await import('../../src/export/export-run.js');
  const { loadRunModel } = await import('../../src/eval/evaluate.js');
  const torch = await import('../../src/torch/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'cafe-probe-mlp-'));
  try {
    const D = 6, H = 4;
    const base = probe(D);
    const first = probe(D, H); // hidden layer on standardised features: weight [H, D], bias [H]
    const p: Probe = { ...base, weight: probe(H).weight, hidden: { weight: first.weight, bias: first.bias } };
    const cfg = saveProbeRun(join(dir, 'run'), p, {
      name: 'probe-mlp', encoder: 'onnx:/models/x.onnx', train: ['ferplus:/d/ferplus:train'], valid: 'ferplus:/d/ferplus:valid',
      exclude: [], sourceWeights: [], logitAdjust: 0, validAccuracy: 0.5, validBalancedAccuracy: 0.4, classBalance: 'none', command: 'cafe probe --hidden 4', fit: { hidden: H, steps: 10, lr: 1e-3, seed: 3 }, gray: true,
    });
    // --gray is kept with the weights: cafe eval --run then reads colour targets as gray too.
    const { loadRunModel } = await import('../../src/eval/evaluate.js');
    const loaded = loadRunModel(join(dir, 'run'));
    assert.equal(loaded.gray, true);
    loaded.model.dispose();
    assert.equal(cfg.model.hidden, H);
    assert.equal(cfg.seed, 3); // the fit's seed, so a refit from config.json is the same fit
    // Reference: fc(relu(W1 (x - mean) / std + b1)).
    const x = Float32Array.from({ length: 3 * D }, (_, i) => Math.cos(i) * 5);
    const ref = new Float32Array(3 * 7);
    for (let i = 0; i < 3; i++) {
      const h = Array.from({ length: H }, (_, k) => {
        let v = first.bias[k];
        for (let d = 0; d < D; d++) v += first.weight[k * D + d] * ((x[i * D + d] - base.mean[d]) / base.std[d]);
        return Math.max(v, 0);
      });
      for (let c = 0; c < 7; c++) ref[i * 7 + c] = p.bias[c] + h.reduce((a, v, k) => a + p.weight[c * H + k] * v, 0);
    }
    const { manifest } = await exportRun(join(dir, 'run'), join(dir, 'model'));
    assert.equal(manifest.featureDim, D);
    assert.equal(manifest.align!.size, 48); // FER+ among the sources: its 48 px crops
    assert.equal((await exportRun(join(dir, 'run'), join(dir, 'model96'), { alignSize: 96 })).manifest.align!.size, 96);
    assert.deepEqual(manifest.align, { size: 48, eyeY: 0.41, eyeDistance: 0.27, aspect: 1 });
    const sfew = (await exportRun(join(dir, 'run'), join(dir, 'model-sfew'), { alignSize: 143, alignFrame: 'sfew' })).manifest.align!;
    assert.deepEqual(sfew, { size: 143, eyeY: 0.25, eyeDistance: 0.37, aspect: 181 / 143 });
    await assert.rejects(exportRun(join(dir, 'run'), join(dir, 'model-bad'), { alignFrame: 'cinema' as never }), /Expected ferplus or sfew for alignFrame/);
    assert.ok(manifest.parity!.trainingCoreVsExported! < 1e-4);
    const s = await ort.InferenceSession.create(join(dir, 'model', 'head.onnx'));
    const out = (await s.run({ features: new ort.Tensor('float32', x, [3, D]) })).logits.data as Float32Array;
    for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(out[i] - ref[i]) < 1e-3, `exported logit ${i}: ${out[i]} vs ${ref[i]}`);
    await s.release();
    // The training core (cafe eval --run) reads the same folder.
    const { model } = loadRunModel(join(dir, 'run'));
    const logits = torch.tidy(() => model.forward(undefined, torch.tensor(x, [3, D])).logits.data<'float32'>() as Float32Array);
    for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(logits[i] - ref[i]) < 1e-3, `training-core logit ${i}: ${logits[i]} vs ${ref[i]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cafe probe --save-run keeps the encoder spec as given (with its path) and its weights; eval refuses other weights', { skip: !nativeAvailable() && 'libtorch addon not built' }, async () => {
  const { main } = await import('../../src/cli/main.js');
  const { evaluateRun } = await import('../../src/eval/evaluate.js');
  const { loadSafetensors } = await import('../../src/torch/index.js');
  const { defaultFaceresPath } = await import('../../src/encoders/faceres.js');
  const { nodeRuntime } = await import('../../src/runtime/node.js');
  const dir = mkdtempSync(join(tmpdir(), 'cafe-probe-spec-'));
  try {
    // faceres' files under another path: a spec with a path argument, as for faceres-deep from human-models.
    const src = defaultFaceresPath(nodeRuntime);
    mkdirSync(join(dir, 'elsewhere'));
    copyFileSync(src, join(dir, 'elsewhere', 'faceres.json'));
    copyFileSync(src.replace(/\.json$/, '.bin'), join(dir, 'elsewhere', 'faceres.bin'));
    const spec = `faceres:${join(dir, 'elsewhere', 'faceres.json')}`;
    for (const [split, n] of [['train', 4], ['valid', 2]] as const)
      for (const [ci, c] of ['Angry', 'Happy', 'Sad'].entries())
        for (let i = 0; i < n; i++) await writeImage(join(dir, split, c, `${c}${i}.png`), { w: 24, h: 24, channels: 3, seed: 100 * ci + 10 * i + (split === 'train' ? 1 : 2) });
    const err = console.error;
    const log = console.log;
    const said: string[] = [];
    console.error = (...a: unknown[]) => said.push(a.join(' '));
    console.log = () => undefined;
    let code: number;
    try {
      code = await main(['probe', '--encoder', spec, '--train', `folder:${join(dir, 'train')}`, '--valid', `folder:${join(dir, 'valid')}`, '--target', `folder:${join(dir, 'valid')}`, '--wd', '0.01', '--steps', '20', '--cache-dir', join(dir, 'cache'), '--save-run', join(dir, 'run'), '--logit-adjust-loss', '1']);
      assert.equal(await main(['probe', '--encoder', spec, '--train', `folder:${join(dir, 'train')}`, '--valid', `folder:${join(dir, 'valid')}`, '--target', `folder:${join(dir, 'valid')}`, '--cache-dir', join(dir, 'cache'), '--logit-adjust-loss=-1']), 2);
      for (const bad of [['--logit-adjust-loss', '1', '--logit-adjust-prior', 'each'], ['--logit-adjust-prior', 'pooled'], ['--logit-adjust-loss', '1', '--balanced'], ['--logit-adjust-loss', 'Infinity'], ['--seeds', '0']])
        assert.equal(await main(['probe', '--encoder', spec, '--train', `folder:${join(dir, 'train')}`, '--valid', `folder:${join(dir, 'valid')}`, '--target', `folder:${join(dir, 'valid')}`, '--cache-dir', join(dir, 'cache'), ...bad]), 2, bad.join(' '));
      // A seed ensemble with a hidden layer saves one wider layer.
      assert.equal(await main(['probe', '--encoder', spec, '--train', `folder:${join(dir, 'train')}`, '--valid', `folder:${join(dir, 'valid')}`, '--target', `folder:${join(dir, 'valid')}`, '--wd', '0.01', '--steps', '20', '--cache-dir', join(dir, 'cache'), '--hidden', '4', '--seeds', '2', '--save-run', join(dir, 'run2')]), 0);
    } finally {
      console.error = err;
      console.log = log;
    }
    assert.equal(code, 0, said.join('\n'));
    const cfg = JSON.parse(readFileSync(join(dir, 'run', 'config.json'), 'utf8'));
    assert.equal(cfg.encoder.name, spec);
    const st = loadSafetensors(join(dir, 'run', 'best.safetensors'));
    assert.match(st.metadata.encoderWeights, /^[0-9a-f]{64}$/);
    assert.equal(st.metadata.logitAdjustLoss, '1');
    assert.equal(st.metadata.logitAdjustPrior, 'source');
    assert.deepEqual([cfg.loss.classBalance, cfg.loss.tau], ['logit-adjust', 1]);
    for (const line of ['--logit-adjust-loss', 'Infinity', '--seeds']) assert.ok(said.some((l) => l.includes(line)), `an error names ${line}`);
    const cfg2 = JSON.parse(readFileSync(join(dir, 'run2', 'config.json'), 'utf8'));
    assert.equal(cfg2.model.hidden, 8);
    const st2 = loadSafetensors(join(dir, 'run2', 'best.safetensors'));
    assert.deepEqual(st2.tensors.get('hidden.weight')!.shape, [8, 1024]);
    const fit2 = JSON.parse(st2.metadata.fit);
    assert.deepEqual([fit2.seeds, fit2.hiddenPerFit], [[0, 1], 4]);
    for (const t of st2.tensors.values()) t.dispose();
    assert.match(st.metadata.madeBy, /--logit-adjust-loss 1/);
    for (const t of st.tensors.values()) t.dispose();
    // A probe fitted on other weights than the encoder opens here is refused, not silently scored.
    saveProbeRun(join(dir, 'other'), probe(1024), {
      name: 'other', encoder: 'faceres', encoderWeights: 'f'.repeat(64), train: ['ferplus:/d/ferplus:train'], valid: 'ferplus:/d/ferplus:valid',
      exclude: [], sourceWeights: [], logitAdjust: 0, validAccuracy: 0.5, validBalancedAccuracy: 0.4, classBalance: 'none', command: 'cafe probe ...',
    });
    await assert.rejects(evaluateRun(join(dir, 'other'), [`folder:${join(dir, 'valid')}`], { progress: false }), /fitted on features of weights ffffffffffff/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
