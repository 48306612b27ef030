// The peers' rows of the cross-domain table: face-api's expression net and human's emotion net, used as shipped, on
// the same targets as `cafe eval` with the same scoring (src/eval/metrics: 7-way argmax; CK+48 over its 6 classes).
// Crops are fed as the datasets ship them (both nets resize internally); the items scored are the ones cafe eval
// scores (SFEW Val's all-black images are left out by both).
//   node --import tsx bench/cafe-peers.ts [--out-dir bench/results/cafe] [--limit N] [--datasets DIR]
// (datasets: --datasets, else $CAFE_DATASETS, else ../shared/datasets beside the repository)
// Writes <out-dir>/peer-<name>.{json,md} and confusion PNGs; bench/cafe-table.ts turns them into rows.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EXPRESSIONS } from '../src/labels.js';
import { absoluteSpec } from '../src/features/table.js';
import { argmaxRows, score } from '../src/eval/metrics.js';
import { reportMarkdown, writeConfusionPng, type TargetReport } from '../src/eval/report.js';
import { createFaceApi } from '../src/peers/faceapi.js';
import { createHumanEmotion } from '../src/peers/human-emotion.js';
import { nodeRuntime } from '../src/runtime/node.js';
import type { RgbImage } from '../src/encoders/types.js';
import { loadTargetCrops } from './helpers/target-crops.js';
import { Progress } from '../src/util/progress.js';
import { writeAtomic } from '../src/util/atomic.js';
import { datasetsHint, datasetsRoot } from '../src/util/datasets.js';

const { values } = parseArgs({ options: { 'out-dir': { type: 'string', default: 'bench/results/cafe' }, limit: { type: 'string', default: '0' }, datasets: { type: 'string' } } });
const D = datasetsRoot(values.datasets);
if (!existsSync(D)) {
  console.error(`skipped: ${datasetsHint(D)}`);
  process.exit(0);
}
const TARGETS = [`ferplus:${join(D, 'ferplus')}:test:mode=majority`, `sfew:${join(D, 'sfew2')}:val`, `ckplus:${join(D, 'ckplus48')}`];
const LIMIT = Number(values.limit);

const faceapi = await createFaceApi();
const human = await createHumanEmotion(nodeRuntime);
const peers: Array<{ row: string; what: string; predict: (c: RgbImage[]) => Promise<Float32Array[]> }> = [
  { row: 'peer-faceapi', what: "face-api's expression net (@vladmandic/face-api, as shipped)", predict: (c) => faceapi.predictCrops(c) },
  { row: 'peer-human', what: "human's emotion net (@vladmandic/human, as shipped)", predict: (c) => human.predict(c) },
];
const reports = new Map<string, TargetReport[]>(peers.map((p) => [p.row, []]));
const timing = new Map<string, number>(peers.map((p) => [p.row, 0]));

for (const spec of TARGETS) {
  const { spec: dsSpec, crops, truth, skipped } = await loadTargetCrops(absoluteSpec(spec), LIMIT);
  for (const p of peers) {
    const bar = new Progress(crops.length, `${p.row} ${dsSpec}`);
    const logits = new Float32Array(crops.length * 7);
    const t0 = performance.now();
    for (let i = 0; i < crops.length; i += 64) {
      const probs = await p.predict(crops.slice(i, i + 64));
      probs.forEach((pr, k) => logits.set(pr, (i + k) * 7));
      bar.tick(Math.min(64, crops.length - i));
    }
    timing.set(p.row, timing.get(p.row)! + (performance.now() - t0) / 1000);
    bar.done();
    const s = score(argmaxRows(logits), truth);
    const absent = EXPRESSIONS.filter((_, c) => !s.present.includes(c));
    const note = [absent.length ? `no ${absent.join('/')} in this set: 7-way argmax, predicting ${absent.join('/')} counts as an error` : '', skipped.length ? `${skipped.length} unreadable or blank images left out` : ''].filter(Boolean).join('; ');
    reports.get(p.row)!.push({ target: dsSpec, scores: s, note });
    console.error(`${p.row} ${dsSpec}: ${(100 * s.accuracy).toFixed(2)}% (n=${s.n}, skipped ${skipped.length})`);
  }
}
human.dispose();

const commit = execSync('git rev-parse HEAD', { encoding: 'utf8' }).trim();
const command = `node --import tsx bench/cafe-peers.ts${process.argv.slice(2).length ? ' ' + process.argv.slice(2).join(' ') : ''}`;
for (const p of peers) {
  const rs = reports.get(p.row)!;
  const mean = (k: 'accuracy' | 'balancedAccuracy' | 'macroF1') => rs.reduce((a, r) => a + r.scores[k], 0) / rs.length;
  const prefix = join(values['out-dir']!, p.row);
  const result = { command, commit, date: new Date().toISOString(), peer: p.row, what: p.what, seconds: timing.get(p.row), targets: rs, mean: { accuracy: mean('accuracy'), balancedAccuracy: mean('balancedAccuracy'), macroF1: mean('macroF1') } };
  for (const [i, r] of rs.entries()) await writeConfusionPng(`${prefix}-${i}-confusion.png`, r.scores.confusion, `${p.row} on ${r.target}`);
  writeAtomic(`${prefix}.json`, JSON.stringify(result, null, 2) + '\n');
  writeAtomic(`${prefix}.md`, reportMarkdown(`${p.what}`, rs, [`\`${command}\` at \`${commit}\``]));
}
