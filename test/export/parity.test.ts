// ONNX export parity: a random CAFE head (ResNet-18 mask CNN with random BatchNorm statistics + mask layer +
// classifier) built with the training core, saved as safetensors, exported with `exportRun`, run by
// onnxruntime-node. Requirement (issue 6): max |logit difference| <= 1e-3, fp32 and fp16.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { exportRun } from '../../src/export/export-run.js';
import { readManifest } from '../../src/export/manifest.js';

const TOL = 1e-3;

async function libtorch(): Promise<typeof import('../../src/torch/index.js') | undefined> {
  const torch = await import('../../src/torch/index.js');
  return torch.nativeAvailable() ? torch : undefined;
}

test('export: ONNX head matches the training core (fp32 and fp16)', async (t) => {
  const torch = await libtorch();
  if (!torch) return t.skip('libtorch not available (npm run build:native): parity needs the training core');
  const { resnet18 } = await import('../../src/models/resnet.js');
  const dir = mkdtempSync(join(tmpdir(), 'cafe-export-'));
  try {
    torch.manualSeed(7);
    const D = 96;
    const S = 64;
    const mask = resnet18({ numClasses: D, inputSize: S });
    // Non-trivial BatchNorm statistics, so a wrong epsilon or a swapped mean/var shows.
    const state = new Map<string, import('../../src/torch/index.js').Tensor>();
    for (const [k, v] of mask.stateDict()) {
      if (k.endsWith('running_mean')) state.set(`mask.${k}`, torch.randn(v.shape).mul(0.1));
      else if (k.endsWith('running_var')) state.set(`mask.${k}`, torch.rand(v.shape).add(0.5));
      else if (k.endsWith('bn1.weight') || k.endsWith('bn2.weight')) state.set(`mask.${k}`, torch.rand(v.shape).add(0.5));
      else if (k.endsWith('num_batches_tracked')) continue;
      else state.set(`mask.${k}`, v);
    }
    mask.loadStateDict(new Map([...state].map(([k, v]) => [k.slice(5), v])), { strict: false });
    const cw = torch.randn([7, D]).mul(0.1);
    const cb = torch.randn([7]).mul(0.1);
    state.set('classifier.weight', cw);
    state.set('classifier.bias', cb);
    torch.saveSafetensors(join(dir, 'best.safetensors'), state);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ encoder: 'faceres', imageSize: S }));

    const x = torch.randn([3, 3, S, S]);
    const f = torch.rand([3, D]).mul(3);
    mask.eval();
    const ref = torch.noGrad(() => torch.linear(f.mul(torch.sigmoid(mask.forward(x))), cw, cb)).data<'float32'>() as Float32Array;

    for (const fp16 of [false, true]) {
      const out = join(dir, fp16 ? 'out16' : 'out32');
      const r = await exportRun(dir, out, { fp16 });
      const m = readManifest(out);
      assert.equal(m.featureDim, D);
      assert.equal(m.maskPreprocess!.size, S);
      const s = await ort.InferenceSession.create(readFileSync(join(out, 'head.onnx')));
      const y = await s.run({
        image: new ort.Tensor('float32', x.data<'float32'>() as Float32Array, [3, 3, S, S]),
        features: new ort.Tensor('float32', f.data<'float32'>() as Float32Array, [3, D]),
      });
      await s.release();
      const got = y.logits.data as Float32Array;
      const diff = Math.max(...got.map((v, i) => Math.abs(v - ref[i])));
      t.diagnostic(`${fp16 ? 'fp16' : 'fp32'}: max |logit diff| = ${diff.toExponential(2)}, ${(r.bytes / 1e6).toFixed(1)} MB`);
      assert.ok(diff <= TOL, `${fp16 ? 'fp16' : 'fp32'} max |logit diff| ${diff} > ${TOL}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
