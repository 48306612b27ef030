// Export parity on real inputs: a run's weights in the training core (libtorch) vs its exported head (onnxruntime),
// on FER+ test images preprocessed exactly as in training (48 px, ImageNet mean/std) and their cached faceres
// features. Complements the seeded-random check recorded in model.json (random images are not faces: each check
// covers inputs the other does not).
//   node --import tsx bench/export-parity.ts --run runs/cpu-full-cafe --model models/cafe-ferplus [--n 512] [--out bench/results/export-parity]
//     [--spec SPEC | --datasets DIR]   (default spec ferplus:<datasets>/ferplus:test:mode=majority; datasets: --datasets,
//     else $CAFE_DATASETS, else ../shared/datasets beside the repository)
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import * as torch from '../src/torch/index.js';
import { openDataset } from '../src/data/index.js';
import { DataLoader } from '../src/data/loader.js';
import { loadRunModel } from '../src/eval/evaluate.js';
import { absoluteSpec, gatherFeatures, loadFeatureTable, disposeEncoders } from '../src/features/table.js';
import { IMAGENET } from '../src/data/transforms.js';
import { loadManifest } from '../src/export/manifest.js';
import { nodeRuntime } from '../src/runtime/node.js';
import { runHead } from '../src/export/export-run.js';
import { argmaxRows } from '../src/eval/metrics.js';
import { writeAtomic } from '../src/util/atomic.js';
import { datasetsRoot } from '../src/util/datasets.js';

const { values } = parseArgs({ options: { run: { type: 'string' }, model: { type: 'string' }, n: { type: 'string', default: '512' }, out: { type: 'string', default: 'bench/results/export-parity' }, spec: { type: 'string' }, datasets: { type: 'string' } } });
const spec = values.spec ?? `ferplus:${join(datasetsRoot(values.datasets), 'ferplus')}:test:mode=majority`;
if (!values.run || !values.model) throw new Error('usage: --run RUN --model MODEL_DIR');
const N = Number(values.n);
const { cfg, model } = loadRunModel(values.run, 'best');
model.eval();
const manifest = await loadManifest(nodeRuntime, values.model);
const session = await ort.InferenceSession.create(readFileSync(join(values.model, manifest.head!)));
const ds0 = await openDataset(absoluteSpec(spec));
const ds = { ...ds0, items: ds0.items.filter((it) => it.label !== undefined).slice(0, N) };
const feats = model.usesFeature ? await loadFeatureTable(cfg.encoder.name, ds, { flip: false, progress: false }) : undefined;
const S = cfg.data.imageSize;
const loader = await DataLoader.create(ds, { normalization: IMAGENET, image: { size: S, margin: cfg.data.margin }, batchSize: 64, shuffle: false });
let maxDiff = 0, sumDiff = 0, count = 0, agree = 0, n = 0, maxLogit = 0;
for await (const b of loader.epoch(0)) {
  const B = b.size;
  const F = feats ? gatherFeatures(feats, b.ids) : undefined;
  const ref = torch.tidy(() => torch.noGrad(() => model.forward(model.usesImage ? torch.tensor(b.images.slice(0, B * 3 * S * S), [B, 3, S, S]) : undefined, F ? torch.tensor(F, [B, feats!.dim]) : undefined).logits.data<'float32'>().slice())) as Float32Array;
  const got = await runHead(session, b.images.slice(0, B * 3 * S * S), F ?? new Float32Array(0), B, S, feats?.dim ?? 0);
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(got[i] - ref[i]);
    maxDiff = Math.max(maxDiff, d);
    maxLogit = Math.max(maxLogit, Math.abs(ref[i]));
    sumDiff += d;
    count++;
  }
  const pa = argmaxRows(ref), pb = argmaxRows(got);
  for (let i = 0; i < B; i++) if (pa[i] === pb[i]) agree++;
  n += B;
}
await loader.close();
await session.release();
await disposeEncoders();
model.dispose();
const commit = execSync('git rev-parse HEAD', { encoding: 'utf8' }).trim();
const command = `node --import tsx bench/export-parity.ts ${process.argv.slice(2).join(' ')}`;
const result = { command, commit, date: new Date().toISOString(), run: values.run, model: values.model, precision: manifest.precision, spec, images: n, maxAbsLogitDiff: maxDiff, meanAbsLogitDiff: sumDiff / count, maxAbsLogit: maxLogit, top1Agreement: agree / n, exportTime: manifest.parity };
writeAtomic(`${values.out}.json`, JSON.stringify(result, null, 2) + '\n');
writeAtomic(`${values.out}.md`, [
  '# Export parity on real inputs', '',
  `\`${command}\` at \`${commit}\`, ${result.date}.`, '',
  '| model | precision | images | max abs logit diff | mean abs logit diff | largest abs logit | top-1 agreement | at export (seeded random inputs) |',
  '|---|---|---:|---:|---:|---:|---:|---|',
  `| ${manifest.name} | ${manifest.precision} | ${n} | ${maxDiff.toExponential(2)} | ${(sumDiff / count).toExponential(2)} | ${maxLogit.toFixed(2)} | ${(100 * agree / n).toFixed(2)}% | ${Object.entries(manifest.parity ?? {}).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ')} |`, '',
].join('\n'));
console.log(JSON.stringify(result, null, 2));
