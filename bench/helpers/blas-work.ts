// One BLAS measurement in a fresh process (bench/blas.ts runs it under each BLAS via LD_LIBRARY_PATH): prints JSON
// with the BLAS that libtorch loaded and the timings of two workloads on generated data of the real shapes.
//   probe: cafe's linear probe (src/features/probe.ts), 1024-d faceres features, N rows, one weight decay, S steps
//   train: cafe's trainer (src/train/trainer.ts), CAFE at 48 px with projectF, batch 32, one epoch of M images
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '../../src/torch/index.js';
import { blasInfo } from '../../src/torch/native.js';
import { trainProbe } from '../../src/features/probe.js';
import { train } from '../../src/train/trainer.js';
import { resolveConfig } from '../../src/cafe/config.js';
import { Rng } from '../../src/util/rng.js';
import { EXPRESSIONS } from '../../src/labels.js';
import type { Dataset } from '../../src/data/types.js';

const [workload, threadsArg, sizeArg, stepsArg] = process.argv.slice(2);
const threads = Number(threadsArg);
torch.setNumThreads(threads);
const rng = new Rng(7);
const D = 1024;

function features(n: number): { features: Float32Array; labels: Int32Array; dim: number } {
  const f = new Float32Array(n * D);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 7;
    for (let d = 0; d < D; d++) f[i * D + d] = (Math.floor(d / 146) === labels[i] ? 0.5 : 0) + rng.next() - 0.5;
  }
  return { features: f, labels, dim: D };
}

let result: Record<string, unknown>;
if (workload === 'probe') {
  const n = Number(sizeArg);
  const steps = Number(stepsArg);
  const tr = features(n);
  const va = features(512);
  const t0 = performance.now();
  trainProbe(tr, va, { weightDecays: [1e-2], steps });
  const s = (performance.now() - t0) / 1000;
  result = { workload, rows: n, steps, seconds: s, secondsPer300Steps: (s / steps) * 300 };
} else {
  const n = Number(sizeArg);
  const items: Dataset['items'] = [];
  const feats = new Float32Array(n * D);
  for (let i = 0; i < n; i++) {
    const data = new Uint8Array(48 * 48);
    for (let p = 0; p < data.length; p++) data[p] = (rng.next() * 255) | 0;
    items.push({ id: `g${i}`, source: { kind: 'pixels', width: 48, height: 48, channels: 1, data }, label: EXPRESSIONS[i % 7] });
    for (let d = 0; d < D; d++) feats[i * D + d] = rng.next();
  }
  const ds: Dataset = { spec: 'generated:blas', name: 'generated', items, skipped: [], notes: [] };
  const table = { dim: D, row: new Map(items.map((it, i) => [it.id, i])), features: feats, flipped: feats };
  const work = mkdtempSync(join(tmpdir(), 'cafe-blas-'));
  const cfg = resolveConfig({ name: 'blas', threads, data: { imageSize: 48, train: 'x', valid: 'y' }, model: { dimMatch: 'projectF' } }, ['optim.epochs=1', 'optim.batchSize=32', 'optim.lr=0.001']);
  const r = await train(cfg, join(work, 'run'), { progress: false, datasets: { train: ds, valid: { ...ds, items: items.slice(0, 64) } }, features: { train: table, valid: table }, imageCacheDir: join(work, 'img') });
  rmSync(work, { recursive: true, force: true });
  result = { workload, images: n, imagesPerSecond: r.epochs[0].imagesPerSecond };
}
console.log(JSON.stringify({ blas: blasInfo(), threads, ...result }));
