// A deployable model (model folder, as `cafe predict` loads it) and the peers, on the aligned-crop targets:
// FER+ test, SFEW 2.0 Val, CK+48 (all of it; no neutral there: 7-way argmax, predicting neutral counts as wrong).
// Crops are scored as the datasets ship them (no detection), like the training engineer's eval.
// Run: node --import tsx bench/predict-targets.ts [--model DIR] [--out bench/results/predict-targets] [--limit N] [--datasets DIR]
// (datasets: --datasets, else $CAFE_DATASETS, else ../shared/datasets beside the repository)
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { argmaxRows, score } from '../src/eval/metrics.js';
import { loadTargetCrops } from './helpers/target-crops.js';
import { loadExpressionModel } from '../src/recognizer/model.js';
import { defaultModelDir } from '../src/recognizer/shipped.js';
import { createFaceApi } from '../src/peers/faceapi.js';
import { createHumanEmotion } from '../src/peers/human-emotion.js';
import { nodeRuntime } from '../src/runtime/node.js';
import { createEncoder } from '../src/encoders/registry.js';
import type { RgbImage } from '../src/encoders/types.js';
import { writeAtomic } from '../src/util/atomic.js';
import { datasetsHint, datasetsRoot } from '../src/util/datasets.js';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const ROOT = datasetsRoot(opt('datasets'));
const OUT = opt('out') ?? 'bench/results/predict-targets';
const LIMIT = Number(opt('limit') ?? 0);
const TARGETS = [
  { name: 'FER+ test', spec: `ferplus:${join(ROOT, 'ferplus')}:test` },
  { name: 'SFEW 2.0 Val', spec: `sfew:${join(ROOT, 'sfew2', 'Val')}` },
  { name: 'CK+48', spec: `ckplus:${join(ROOT, 'ckplus48')}` },
];
if (!existsSync(ROOT)) {
  console.error(`skipped: ${datasetsHint(ROOT)}`);
  process.exit(0);
}

const model = await loadExpressionModel(resolve(opt('model') ?? defaultModelDir()), {}, nodeRuntime, createEncoder);
const faceapi = await createFaceApi();
const human = await createHumanEmotion(nodeRuntime);
const scorers: Array<[string, (c: RgbImage[]) => Promise<Float32Array[]>]> = [
  [model.manifest.name, (c) => model.predict(c)],
  ['face-api expression net (crop)', (c) => faceapi.predictCrops(c)],
  ["human's emotion net (crop)", (c) => human.predict(c)],
];
const rows: Array<{ target: string; model: string; n: number; skipped: number; accuracy: number; balancedAccuracy: number }> = [];
for (const t of TARGETS) {
  const { crops, truth, skipped } = await loadTargetCrops(t.spec, LIMIT);
  for (const [name, predict] of scorers) {
    const logits = new Float32Array(crops.length * 7);
    for (let i = 0; i < crops.length; i += 64) (await predict(crops.slice(i, i + 64))).forEach((p, k) => logits.set(p, (i + k) * 7));
    const s = score(argmaxRows(logits), truth);
    rows.push({
      target: t.name, model: name, n: s.n, skipped: skipped.length,
      accuracy: s.accuracy,
      balancedAccuracy: s.balancedAccuracy,
    });
    console.error(`${t.name} ${name}: ${(100 * rows[rows.length - 1].accuracy).toFixed(1)}%`);
  }
}
await model.dispose();
human.dispose();

const command = `node --import tsx bench/predict-targets.ts${args.length ? ' ' + args.join(' ') : ''}`;
const commit = execSync('git rev-parse HEAD', { encoding: 'utf8' }).trim();
const result = { command, commit, date: new Date().toISOString(), machine: `${cpus().length} x ${cpus()[0]?.model}`, loadAverage: loadavg(), model: model.manifest.name, rows };
const pct = (x: number) => (100 * x).toFixed(1);
const md = [
  '# Deployable model and peers on aligned-crop targets', '',
  `\`${command}\` at \`${commit}\`, ${result.date}. Crops as the datasets ship them, no detection; CK+48 has no neutral (7-way argmax).`, '',
  '| target | model | n | skipped | accuracy | balanced acc. |', '|---|---|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.target} | ${r.model} | ${r.n} | ${r.skipped} | ${pct(r.accuracy)}% | ${pct(r.balancedAccuracy)}% |`), '',
].join('\n');
for (const [ext, text] of [['json', JSON.stringify(result, null, 2) + '\n'], ['md', md]] as const) writeAtomic(`${OUT}.${ext}`, text);
console.log(md);
