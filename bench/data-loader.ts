// Loader throughput: images/s delivered for FERPlus at 112x112 with training augmentation, cold cache (decode + resize
// + write the cache, then one epoch) and warm cache (one epoch from the cache).
// Run: node --import tsx bench/data-loader.ts [--spec SPEC | --datasets DIR] [--size 112] [--batch 64] [--epochs 2]
// Default spec ferplus:<datasets>/ferplus:train; datasets: --datasets, else $CAFE_DATASETS, else ../shared/datasets
// beside the repository.
// Writes bench/results/data-loader.{json,md}.
import { execSync } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDataset } from '../src/data/index.js';
import { DataLoader } from '../src/data/loader.js';
import { datasetsRoot } from '../src/util/datasets.js';

const { values } = parseArgs({
  options: {
    spec: { type: 'string' },
    datasets: { type: 'string' },
    size: { type: 'string', default: '112' },
    batch: { type: 'string', default: '64' },
    epochs: { type: 'string', default: '2' },
  },
});
const spec = values.spec ?? `ferplus:${join(datasetsRoot(values.datasets), 'ferplus')}:train`;
const size = Number(values.size);
const batchSize = Number(values.batch);
const warmEpochs = Number(values.epochs);
// ImageNet statistics: the ResNet-18 backbone CAFE fine-tunes.
const normalization = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

async function runEpoch(loader: DataLoader, epoch: number): Promise<{ images: number; seconds: number }> {
  const t0 = performance.now();
  let images = 0;
  for await (const b of loader.epoch(epoch)) images += b.size;
  return { images, seconds: (performance.now() - t0) / 1000 };
}

const loadBefore = loadavg()[0];
const cacheDir = await mkdtemp(join(tmpdir(), 'cafe-bench-cache-'));
try {
  const tOpen = performance.now();
  const dataset = await openDataset(spec);
  const openSeconds = (performance.now() - tOpen) / 1000;
  const opts = { normalization, image: { size }, batchSize, augment: true, seed: 0, cache: { dir: cacheDir } } as const;

  const tCold = performance.now();
  const cold = await DataLoader.create(dataset, opts);
  const buildSeconds = (performance.now() - tCold) / 1000;
  const coldEpoch = await runEpoch(cold, 0);
  const coldSeconds = (performance.now() - tCold) / 1000;
  await cold.close();

  const warm = await DataLoader.create(dataset, opts);
  if (warm.cache.built) throw new Error('expected the second open to reuse the cache');
  const warmRuns = [];
  for (let e = 1; e <= warmEpochs; e++) warmRuns.push(await runEpoch(warm, e));
  await warm.close();
  const warmBest = warmRuns.reduce((a, b) => (a.images / a.seconds > b.images / b.seconds ? a : b));

  const commit = execSync('git rev-parse HEAD', { encoding: 'utf8' }).trim();
  const result = {
    command: `node --import tsx bench/data-loader.ts${values.spec ? ` --spec ${values.spec}` : ''}${values.datasets ? ` --datasets ${values.datasets}` : ''} --size ${size} --batch ${batchSize} --epochs ${warmEpochs}`,
    commit,
    date: new Date().toISOString(),
    machine: { cpus: availableParallelism(), model: cpus()[0]?.model ?? '?', node: process.version, uvThreadpool: process.env.UV_THREADPOOL_SIZE ?? '4 (default)', loadAverage1m: { before: +loadBefore.toFixed(2), after: +loadavg()[0].toFixed(2) } },
    spec: dataset.spec,
    items: dataset.items.length,
    cachedItems: coldEpoch.images,
    skippedByCache: cold.cache.failed.length,
    size,
    batchSize,
    augmentation: 'flip p=0.5, Gaussian noise p=0.5, random erasing p=0.5 scale 0.02-0.25 (DEFAULT_AUGMENT)',
    openSeconds: +openSeconds.toFixed(3),
    cold: { cacheBuildSeconds: +buildSeconds.toFixed(2), epochSeconds: +coldEpoch.seconds.toFixed(2), totalSeconds: +coldSeconds.toFixed(2), imagesPerSecond: Math.round(coldEpoch.images / coldSeconds), cacheBuildImagesPerSecond: Math.round(dataset.items.length / buildSeconds) },
    warm: { epochs: warmRuns.map((r) => ({ seconds: +r.seconds.toFixed(2), imagesPerSecond: Math.round(r.images / r.seconds) })), imagesPerSecond: Math.round(warmBest.images / warmBest.seconds) },
  };
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/data-loader.json', JSON.stringify(result, null, 2) + '\n');
  const md = [
    '# Data loader throughput',
    '',
    `Command: \`${result.command}\``,
    '',
    `Commit: \`${commit}\` — ${result.date}`,
    '',
    `Machine: ${result.machine.cpus} CPUs (${result.machine.model}), Node ${result.machine.node}, UV_THREADPOOL_SIZE ${result.machine.uvThreadpool}; 1-min load average ${result.machine.loadAverage1m.before} before, ${result.machine.loadAverage1m.after} after (the machine is shared: a load above the CPU count means other jobs took CPU from this run)`,
    '',
    `Dataset: \`${result.spec}\` — ${result.items} items, ${result.skippedByCache} skipped by the cache build; ${size}x${size}, batch ${batchSize}; augmentation: ${result.augmentation}; normalisation ImageNet mean/std.`,
    '',
    '| phase | seconds | images/s |',
    '|---|---:|---:|',
    `| open dataset (read label.csv, list files) | ${result.openSeconds} | |`,
    `| cold: cache build (decode PNG, resize, write) | ${result.cold.cacheBuildSeconds} | ${result.cold.cacheBuildImagesPerSecond} |`,
    `| cold: first epoch after the build | ${result.cold.epochSeconds} | ${Math.round(coldEpoch.images / coldEpoch.seconds)} |`,
    `| **cold total (build + epoch)** | ${result.cold.totalSeconds} | **${result.cold.imagesPerSecond}** |`,
    ...result.warm.epochs.map((e, i) => `| warm epoch ${i + 1} | ${e.seconds} | ${e.imagesPerSecond} |`),
    `| **warm (best epoch)** | | **${result.warm.imagesPerSecond}** |`,
    '',
    'Images/s counts images delivered as augmented, normalised float32 NCHW batches; no model runs, so this is the ceiling the data layer puts on training.',
    '',
  ].join('\n');
  await writeFile('bench/results/data-loader.md', md);
  console.log(md);
} finally {
  await rm(cacheDir, { recursive: true, force: true });
}
