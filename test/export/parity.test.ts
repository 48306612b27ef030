// ONNX export parity against the training core: a CafeModel (src/cafe/model.ts) with random weights and random
// BatchNorm statistics, saved as a run folder (config.json + best.safetensors), exported with exportRun, run by
// onnxruntime-node. Requirement (issue 6): max |logit difference| <= 1e-3, for every model variant and for fp16.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { exportRun, maxAbsDiff, runHead } from '../../src/export/export-run.js';
import { loadManifest } from '../../src/export/manifest.js';
import { nodeRuntime } from '../../src/runtime/node.js';

const TOL = 1e-3;
const D = 1024; // faceres
const S = 48; // FER+ native size, as in configs/cafe-cpu.json

type Variant = { kind: string; backbone: string; dimMatch: string; finalRelu: boolean; maskActivation: string; normalizeF?: boolean };
const BASE: Variant = { kind: 'cafe', backbone: 'resnet18', dimMatch: 'pool', finalRelu: true, maskActivation: 'sigmoid' };
const VARIANTS: Array<{ name: string; model: Variant; fp16: boolean }> = [
  { name: 'cafe pool sigmoid (default)', model: BASE, fp16: false },
  { name: 'cafe pool sigmoid fp16', model: BASE, fp16: true },
  { name: 'cafe projectf, no final ReLU', model: { ...BASE, dimMatch: 'projectf', finalRelu: false }, fp16: false },
  { name: 'cafe projectF, mask without sigmoid', model: { ...BASE, dimMatch: 'projectF', maskActivation: 'none' }, fp16: false },
  { name: 'baseline', model: { ...BASE, kind: 'baseline' }, fp16: false },
  { name: 'probe', model: { ...BASE, kind: 'probe' }, fp16: false },
  { name: 'concat', model: { ...BASE, kind: 'concat' }, fp16: false },
  { name: 'cafe MobileNetV2 projectF fp16', model: { ...BASE, backbone: 'mobilenetv2', dimMatch: 'projectF' }, fp16: true },
  { name: 'cafe projectF, F standardised (normalizeF)', model: { ...BASE, dimMatch: 'projectF', normalizeF: true }, fp16: false },
  { name: 'probe, F standardised (normalizeF)', model: { ...BASE, kind: 'probe', normalizeF: true }, fp16: false },
  { name: 'baseline MobileNetV2, no final ReLU6', model: { ...BASE, kind: 'baseline', backbone: 'mobilenetv2', finalRelu: false }, fp16: false },
];

async function libtorch(): Promise<typeof import('../../src/torch/index.js') | undefined> {
  const torch = await import('../../src/torch/index.js');
  return torch.nativeAvailable() ? torch : undefined;
}

for (const v of VARIANTS) {
  test(`export parity: ${v.name}`, async (t) => {
    const torch = await libtorch();
    if (!torch) return t.skip('libtorch not available (npm run build:native): parity needs the training core');
    const { CafeModel } = await import('../../src/cafe/model.js');
    const dir = mkdtempSync(join(tmpdir(), 'cafe-export-'));
    try {
      torch.manualSeed(7);
      const model = new CafeModel(v.model as never, D);
      // Non-trivial BatchNorm statistics and affine parameters: a wrong epsilon or swapped mean/var shows.
      const state = new Map<string, import('../../src/torch/index.js').Tensor>();
      for (const [k, p] of model.stateDict()) {
        if (k.endsWith('running_mean')) state.set(k, torch.randn(p.shape).mul(0.1));
        else if (k === 'fnorm.mean') state.set(k, torch.randn(p.shape)); // a non-trivial standardisation
        else if (k === 'fnorm.scale') state.set(k, torch.rand(p.shape).add(0.2));
        else if (k.endsWith('running_var')) state.set(k, torch.rand(p.shape).add(0.5));
        else if (/bn\d\.weight$|downsample\.1\.weight$/.test(k) || (p.shape.length === 1 && k.endsWith('.weight') && k.includes('features.'))) state.set(k, torch.rand(p.shape).add(0.5));
        else state.set(k, p);
      }
      model.loadStateDict(state);
      if (v.model.normalizeF) assert.ok(model.stateDict().has('fnorm.scale'), 'fnorm buffers in the state dict');
      model.eval();
      torch.saveSafetensors(join(dir, 'best.safetensors'), model.stateDict());
      const config = { data: { train: 'ferplus:/x:train', imageSize: S }, encoder: { name: 'faceres' }, model: v.model };
      writeFileSync(join(dir, 'config.json'), JSON.stringify(config));

      const x = torch.randn([3, 3, S, S]);
      const f = torch.rand([3, D]).mul(3);
      const ref = torch.noGrad(() => model.forward(x, f).logits).data<'float32'>() as Float32Array;

      const out = join(dir, 'model');
      const r = await exportRun(dir, out, { fp16: v.fp16 });
      const m = await loadManifest(nodeRuntime, out);
      assert.equal(m.featureDim, D);
      assert.equal(m.maskPreprocess!.size, S);
      assert.equal(m.colour, 'gray');
      const s = await ort.InferenceSession.create(readFileSync(join(out, 'head.onnx')));
      const got = await runHead(s, x.data<'float32'>() as Float32Array, f.data<'float32'>() as Float32Array, 3, S, D);
      await s.release();
      const diff = maxAbsDiff(got, ref);
      t.diagnostic(`max |logit diff| = ${diff.toExponential(2)}, ${(r.bytes / 1e6).toFixed(1)} MB`);
      assert.ok(diff <= TOL, `max |logit diff| ${diff} > ${TOL}`);
      // The export recorded the training core's logits on seeded inputs, and checked the file against them.
      assert.ok(m.reference && m.reference.logits.length === m.reference.n * 7, 'reference logits in model.json');
      assert.ok(m.parity!.trainingCoreVsExported <= TOL, `export-time parity ${m.parity!.trainingCoreVsExported}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
