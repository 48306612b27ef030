// The models shipped in models/: within the 25 MB budget, loadable, and (for an exported CAFE model) its parity:
// fp16 vs fp32 as measured at export, and against the training core on the source run's weights when both the run
// folder and libtorch are here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadManifest, parityInputs, type CafeManifest } from '../../src/export/manifest.js';
import { nodeRuntime } from '../../src/runtime/node.js';
import { maxAbsDiff, runHead } from '../../src/export/export-run.js';
import { SHIPPED_MODELS } from '../../src/recognizer/shipped.js';
import { packageRoot } from '../../src/util/package-root.js';

const MODELS = join(packageRoot(), 'models');
const CAFE = join(MODELS, 'cafe-ferplus');
const BUDGET = 25e6;

/** The shipped head's logits on one batch, through onnxruntime (as `cafe predict` runs it). */
async function shippedLogits(m: CafeManifest, image: Float32Array, features: Float32Array, n: number): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(readFileSync(join(CAFE, m.head!)));
  try {
    return await runHead(s, image, features, n, m.maskPreprocess!.size, m.featureDim!);
  } finally {
    await s.release();
  }
}

function du(dir: string): number {
  return readdirSync(dir).reduce((n, f) => {
    const p = join(dir, f);
    const s = statSync(p);
    return n + (s.isDirectory() ? du(p) : s.size);
  }, 0);
}

test('models/: at most 25 MB, every shipped folder has a valid model.json', async () => {
  assert.ok(du(MODELS) <= BUDGET, `models/ is ${du(MODELS)} bytes`);
  const present = SHIPPED_MODELS.filter((m) => existsSync(join(MODELS, m, 'model.json')));
  assert.ok(present.length >= 1, 'no shipped model');
  for (const m of present) await loadManifest(nodeRuntime, join(MODELS, m));
});

test('shipped CAFE model: head vs the training-core logits recorded at export (no libtorch needed)', { skip: existsSync(join(CAFE, 'model.json')) ? false : 'models/cafe-ferplus not exported yet (stand-in in use)' }, async (t) => {
  const m = await loadManifest(nodeRuntime, CAFE);
  if (m.precision === 'fp16') assert.ok(m.parity!.fp16VsFp32 <= 1e-3, `fp16 vs fp32 ${m.parity!.fp16VsFp32}`);
  // Against the training core's logits recorded at export (seeded inputs): runs everywhere, no libtorch needed.
  assert.ok(m.reference, 'model.json has no training-core reference logits (export with libtorch present)');
  {
    const { n, seed, logits } = m.reference!;
    const S = m.maskPreprocess!.size;
    const { image, features } = parityInputs(seed, n, S, m.featureDim!);
    const diff = maxAbsDiff(await shippedLogits(m, image, features, n), logits);
    t.diagnostic(`shipped ${m.precision} head vs recorded training-core logits: max |diff| = ${diff.toExponential(2)}`);
    assert.ok(diff <= 1e-3, `max |logit diff| ${diff}`);
  }
});

test('shipped CAFE model: against the training core on the source run\'s weights', { skip: existsSync(join(CAFE, 'model.json')) ? false : 'models/cafe-ferplus not exported yet (stand-in in use)' }, async (t) => {
  const m = await loadManifest(nodeRuntime, CAFE);
  const weights = m.source?.weights as string | undefined;
  const torch = await import('../../src/torch/index.js');
  if (!weights || !existsSync(weights) || !torch.nativeAvailable()) return t.skip('source run weights or libtorch absent: training-core parity not checked here');
  const { CafeModel } = await import('../../src/cafe/model.js');
  const cfg = m.source!.trainingConfig as { model: never };
  const model = new CafeModel(cfg.model, m.featureDim!);
  const { tensors } = torch.loadSafetensors(weights);
  model.loadStateDict(tensors);
  model.eval();
  const S = m.maskPreprocess!.size;
  // Fresh seeded inputs (not the recorded ones), drawn like real faces and features (see parityInputs).
  const n = 8;
  const { image, features } = parityInputs(3, n, S, m.featureDim!);
  const ref = torch.tidy(() => torch.noGrad(() => model.forward(torch.tensor(image, [n, 3, S, S]), torch.tensor(features, [n, m.featureDim!])).logits.data<'float32'>().slice())) as Float32Array;
  model.dispose();
  for (const v of tensors.values()) v.dispose();
  const diff = maxAbsDiff(await shippedLogits(m, image, features, n), ref);
  t.diagnostic(`shipped ${m.precision} head vs training core: max |logit diff| = ${diff.toExponential(2)}`);
  assert.ok(diff <= 1e-3, `max |logit diff| ${diff}`);
});
