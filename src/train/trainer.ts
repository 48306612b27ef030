// The training loop for every row of the table (cafe, baseline, probe, concat), reading top to bottom:
// data -> cached features -> model + Adam + ExponentialLR -> (resume) -> epochs of steps -> validation on the
// source's own validation split -> checkpoint (atomic, every epoch) -> best / final weights.
//
// Run folder:
//   config.json                resolved config
//   metrics.jsonl              one line per epoch (rewritten on resume up to the checkpoint's epoch)
//   checkpoint.safetensors     model + optimizer state + epoch (metadata), replaced atomically every epoch
//   best.safetensors           weights of the best epoch on validation accuracy
//   final.safetensors          weights after the last epoch
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/index.js';
import { openDataset } from '../data/index.js';
import { DataLoader, type Batch } from '../data/loader.js';
import type { Dataset } from '../data/types.js';
import { IMAGENET } from '../data/transforms.js';
import { Rng, hashString } from '../util/rng.js';
import { Progress } from '../util/progress.js';
import { CafeModel } from '../cafe/model.js';
import { resolveConfig, type TrainConfig } from '../cafe/config.js';
import { balanceWeights, channelDropMask, classPrior, diversityLoss, groupLayout, logitAdjustment, separationLoss } from '../cafe/losses.js';
import { EXPRESSIONS, NUM_CLASSES } from '../labels.js';
import { absoluteSpec, gatherFeatures, loadFeatureTable, type FeatureTable } from '../features/table.js';
import { predict } from '../eval/predict.js';
import { argmaxRows, score } from '../eval/metrics.js';
import { fileError, invalidParameter } from '../errors.js';
import { writeAtomic } from '../util/atomic.js';
import { excludedStems, excludeItems, mergeSources, mergeTables, sourceSampleWeights, sourceSubset, splitMergedId, trainSpecs } from './sources.js';
import { augmentFace } from '../features/augment.js';
import { featureStats } from '../features/probe.js';
import type { RgbImage } from '../data/image.js';

export interface EpochMetrics {
  epoch: number;
  lr: number;
  loss: number;
  ce: number;
  sep: number;
  div: number;
  trainAccuracy: number;
  validAccuracy: number;
  validBalancedAccuracy: number;
  /** Mean of the mask M over the last batch of the epoch (cafe only): >= 0.5 with the faithful ReLU. */
  maskMean?: number;
  imagesPerSecond: number;
  seconds: number;
}

export interface TrainResult {
  runDir: string;
  epochs: EpochMetrics[];
  bestEpoch: number;
  bestValidAccuracy: number;
}

export interface TrainOptions {
  /** Print progress on stderr (default true). */
  progress?: boolean;
  /** Stop after this many epochs in this call (tests of resume); default: run to cfg.optim.epochs. */
  stopAfterEpochs?: number;
  /** Override datasets (tests with generated data); several training sources as a list. */
  datasets?: { train: Dataset | Dataset[]; valid: Dataset };
  /** Override feature tables (tests): one per training source, in order. */
  features?: { train?: FeatureTable | FeatureTable[]; valid?: FeatureTable };
  /** Image cache root (tests). */
  imageCacheDir?: string;
}


/** The epochs recorded in a run folder's metrics.jsonl, oldest first ([] before the first epoch ends). */
export function readHistory(runDir: string): EpochMetrics[] {
  const path = join(runDir, 'metrics.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as EpochMetrics);
}

/** Mirrors the chosen images of a CHW batch in place (the flip decision is ours so F can follow it). */
function flipBatch(b: Batch, size: number, flipped: Uint8Array): void {
  const img = b.images;
  for (let i = 0; i < b.size; i++) {
    if (!flipped[i]) continue;
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < size; y++) {
        const row = ((i * 3 + c) * size + y) * size;
        img.subarray(row, row + size).reverse();
      }
    }
  }
}

/**
 * The fixed random subset of labelled items (limit 0 = all). The draw is over all labelled items, so it does not
 * depend on how much of the feature cache is filled: a run resumed after the cache grew keeps its images. It comes
 * before the features are loaded, so a quick run (`data.trainLimit=400`) encodes its 400 images, not the split.
 */
function draw(ds: Dataset, limit: number, seed: number): Dataset {
  let items = ds.items.filter((it) => it.label !== undefined);
  if (limit > 0 && items.length > limit) {
    const idx = Int32Array.from({ length: items.length }, (_, i) => i);
    new Rng(seed ^ 0x5bd1e995).shuffle(idx);
    const chosen = Array.from(idx.subarray(0, limit)).sort((a, b) => a - b);
    items = chosen.map((i) => items[i]);
  }
  return { ...ds, items };
}

/** The items of `ds` that have a cached feature (all of them when the model needs none). */
function withFeatures(ds: Dataset, table: FeatureTable | undefined): Dataset {
  return table ? { ...ds, items: ds.items.filter((it) => table.row.has(it.id)) } : ds;
}

function stateWithPrefix(prefix: string, m: Map<string, Tensor>): Map<string, Tensor> {
  return new Map([...m].map(([k, v]) => [`${prefix}${k}`, v]));
}

export async function train(cfg: TrainConfig, runDir: string, opts: TrainOptions = {}): Promise<TrainResult> {
  const show = opts.progress ?? true;
  const log = (s: string) => show && process.stderr.write(s + '\n');
  torch.setNumThreads(cfg.threads);
  mkdirSync(runDir, { recursive: true });
  const ckptPath = join(runDir, 'checkpoint.safetensors');
  const resuming = existsSync(ckptPath);
  if (resuming) {
    // Resolved again so that a run saved before a config key existed compares with that key's default.
    const saved = resolveConfig(JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')));
    // optim.epochs may grow: the schedule is per epoch (ExponentialLR) and the data order depends on (seed, epoch)
    // only, so extending a finished run gives the weights a longer run from scratch would have.
    const same = (c: TrainConfig) => JSON.stringify({ ...c, optim: { ...c.optim, epochs: 0 } });
    if (same(saved) !== same(cfg)) throw fileError(join(runDir, 'config.json'), 'the run folder holds a different config; use a new --out or the same config to resume');
    if (cfg.optim.epochs < saved.optim.epochs) throw fileError(join(runDir, 'config.json'), `the run was planned for ${saved.optim.epochs} epochs; resuming may extend it, not shorten it (asked: ${cfg.optim.epochs})`);
    if (saved.optim.epochs !== cfg.optim.epochs) log(`planned epochs ${saved.optim.epochs} -> ${cfg.optim.epochs}`);
  }
  writeAtomic(join(runDir, 'config.json'), JSON.stringify(cfg, null, 2) + '\n');

  // Data: the training sources (minus data.exclude) merged into one set, cached features, loaders over the items
  // that have both.
  const exclusion = excludedStems(cfg.data.exclude, cfg.data.excludeBy);
  const sources = opts.datasets?.train ? [opts.datasets.train].flat() : await Promise.all(trainSpecs(cfg.data.train).map((s) => openDataset(absoluteSpec(s))));
  const merged = mergeSources(sources.map((ds) => excludeItems(ds, exclusion)));
  if (exclusion.keys.size > 0) merged.sources.forEach((ds, k) => log(`data.exclude: ${ds.items.length} of ${sources[k].items.length} items of ${ds.spec} kept`));
  const rawTrain = merged.dataset;
  const rawValid = opts.datasets?.valid ?? (await openDataset(absoluteSpec(cfg.data.valid)));
  const drawnTrain = draw(rawTrain, cfg.data.trainLimit, cfg.seed);
  const drawnValid = draw(rawValid, cfg.data.validLimit, cfg.seed);
  const needsF = cfg.model.kind !== 'baseline';
  let trainF: FeatureTable | undefined;
  let validF: FeatureTable | undefined;
  if (needsF) {
    // One feature cache entry per source: its rows are keyed by the source's own item ids.
    const featuresOf = (ds: Dataset) => loadFeatureTable(cfg.encoder.name, ds, { flip: cfg.data.flip > 0, augViews: cfg.data.augViews, cacheDir: cfg.encoder.cacheDir, allowPartial: cfg.encoder.allowPartial, progress: show });
    const tables: FeatureTable[] = opts.features?.train ? [opts.features.train].flat() : [];
    for (let k = tables.length; k < merged.sources.length; k++) tables.push(await featuresOf(sourceSubset(merged, drawnTrain.items, k)));
    trainF = mergeTables(tables);
    validF = opts.features?.valid ?? (await loadFeatureTable(cfg.encoder.name, drawnValid, { flip: false, cacheDir: cfg.encoder.cacheDir, allowPartial: cfg.encoder.allowPartial, progress: show }));
  }
  const trainSet = withFeatures(drawnTrain, trainF);
  const validSet = withFeatures(drawnValid, validF);
  log(`train: ${trainSet.items.length} of ${rawTrain.items.length} items; valid: ${validSet.items.length} of ${rawValid.items.length}`);
  // Source shares of each epoch (data.sourceWeights), as per-item sampling weights.
  const sourceOfId = new Map(rawTrain.items.map((it, i) => [it.id, merged.source[i]]));
  const trainSource = Int32Array.from(trainSet.items, (it) => sourceOfId.get(it.id)!);
  const weights = sourceSampleWeights(trainSource, merged.sources.length, cfg.data.sourceWeights);
  if (merged.sources.length > 1) {
    const count = merged.sources.map((_, k) => trainSource.filter((s) => s === k).length);
    log(`sources: ${merged.sources.map((ds, k) => `${ds.name} ${count[k]} items${weights ? ` (weight ${cfg.data.sourceWeights[k]})` : ''}`).join(', ')}`);
  }
  const image = { size: cfg.data.imageSize, margin: cfg.data.margin };
  const cache = opts.imageCacheDir ? { dir: opts.imageCacheDir } : undefined;
  const augment = { flip: 0, resizedCrop: 0, erase: cfg.data.erase, noise: cfg.data.noise };
  // Augmented views: the loader swaps in view k's pixels (the same deterministic view the encoder saw) and says which.
  if (cfg.data.augViews > 0 && trainF && (trainF.augmented?.length ?? 0) < cfg.data.augViews) throw invalidParameter('data.augViews', `at most the ${trainF.augmented?.length ?? 0} augmented views the feature tables hold`, cfg.data.augViews);
  const views = cfg.data.augViews > 0 ? { count: cfg.data.augViews, p: cfg.data.augP, apply: (img: RgbImage, id: string, k: number) => augmentFace({ ...img, channels: 3 }, splitMergedId(id, merged.sources.length).id, k) } : undefined;
  const trainLoader = await DataLoader.create(trainSet, { normalization: IMAGENET, image, batchSize: cfg.optim.batchSize, seed: cfg.seed, dropLast: true, augment, ...(cache ? { cache } : {}), ...(weights ? { weights } : {}), ...(views ? { views } : {}) });
  const validLoader = await DataLoader.create(validSet, { normalization: IMAGENET, image, batchSize: 128, shuffle: false, ...(cache ? { cache } : {}) });

  // Model, optimiser, schedule.
  torch.manualSeed(cfg.seed);
  const model = new CafeModel(cfg.model, trainF?.dim ?? 0);
  // model.normalizeF: statistics of the training features (original images); a resumed run loads them with the weights.
  if (model.fnorm && trainF) {
    const { mean, std } = featureStats(trainF.features, trainF.dim); // [D], [D]
    model.fnorm.setStats(mean, std);
  }
  const optimizer = new torch.optim.Adam(model.parameters(), { lr: cfg.optim.lr, weightDecay: cfg.optim.weightDecay });
  const scheduler = new torch.optim.ExponentialLR(optimizer, cfg.optim.gamma);
  const layout = cfg.model.kind === 'cafe' ? groupLayout(model.maskedDim, cfg.loss.groups) : undefined;
  // Class balance against the training set's prior (what the run trains on, after trainLimit).
  const prior = classPrior(trainSet.items.map((it) => EXPRESSIONS.indexOf(it.label!)), NUM_CLASSES);
  const ceWeight = cfg.loss.classBalance === 'reweight' ? balanceWeights(prior) : undefined; // [C]
  const logitShift = cfg.loss.classBalance === 'logit-adjust' ? logitAdjustment(prior, cfg.loss.tau) : undefined; // [C]
  if (cfg.loss.classBalance !== 'none') log(`class balance ${cfg.loss.classBalance}: training prior ${[...prior].map((p, c) => `${EXPRESSIONS[c]} ${(100 * p).toFixed(1)}%`).join(', ')}`);

  // Resume: weights, optimiser state, epoch, best so far; metrics.jsonl cut back to the checkpoint.
  let startEpoch = 0;
  let best = { epoch: -1, acc: -1 };
  let history: EpochMetrics[] = [];
  if (resuming) {
    const ck = torch.loadSafetensors(ckptPath);
    const meta = JSON.parse(ck.metadata.state);
    const modelState = new Map([...ck.tensors].filter(([k]) => k.startsWith('model.')).map(([k, v]) => [k.slice(6), v]));
    const optimState = new Map([...ck.tensors].filter(([k]) => k.startsWith('optim.')).map(([k, v]) => [k.slice(6), v]));
    model.loadStateDict(modelState, { source: ckptPath });
    optimizer.loadStateDict({ tensors: optimState, meta: meta.optimizer });
    for (const t of ck.tensors.values()) t.dispose();
    startEpoch = meta.epoch + 1;
    best = meta.best;
    history = readHistory(runDir).filter((m) => m.epoch < startEpoch);
    writeAtomic(join(runDir, 'metrics.jsonl'), history.map((m) => JSON.stringify(m) + '\n').join(''));
    log(`resumed from ${ckptPath} at epoch ${startEpoch}`);
  } else writeAtomic(join(runDir, 'metrics.jsonl'), '');

  const S = cfg.data.imageSize;
  const lastEpoch = Math.min(cfg.optim.epochs, opts.stopAfterEpochs !== undefined ? startEpoch + opts.stopAfterEpochs : Infinity);
  for (let epoch = startEpoch; epoch < lastEpoch; epoch++) {
    scheduler.setEpoch(epoch);
    model.train();
    const t0 = performance.now();
    const bar = new Progress(trainLoader.batchesPerEpoch * cfg.optim.batchSize, `${cfg.name} epoch ${epoch + 1}/${cfg.optim.epochs}`, { silent: !show });
    const sums = { loss: 0, ce: 0, sep: 0, div: 0, correct: 0, n: 0, steps: 0 };
    let maskMean: number | undefined;
    let step = 0;
    for await (const batch of trainLoader.epoch(epoch)) {
      // Every random draw of this step depends on (seed, epoch, step) only: runs repeat and resume exactly.
      const rng = new Rng((Math.imul(cfg.seed + 1, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca6b) ^ Math.imul(step + 1, 0xc2b2ae35) ^ hashString(cfg.name)) >>> 0);
      const B = batch.size;
      const flipped = new Uint8Array(B);
      for (let b = 0; b < B; b++) flipped[b] = rng.next() < cfg.data.flip && !(batch.view && batch.view[b] >= 0) ? 1 : 0; // a view has its own mirror draw
      if (model.usesImage) flipBatch(batch, S, flipped);
      const feats = trainF ? gatherFeatures(trainF, batch.ids, flipped, batch.view) : undefined; // [B, D]
      const keep = layout && cfg.loss.lambda > 0 ? channelDropMask(layout, cfg.loss.dropPerGroup, rng) : undefined;
      const r = torch.tidy(() => {
        optimizer.zeroGrad();
        const x = model.usesImage ? torch.tensor(batch.images, [B, 3, S, S]) : undefined;
        const F = feats ? torch.tensor(feats, [B, trainF!.dim]) : undefined;
        const y = torch.tensor(batch.labels, [B], 'int64');
        const out = model.forward(x, F);
        // Logit adjustment shifts the logits the loss sees only: the model (and its export) keeps the raw ones.
        const ceLogits = logitShift ? torch.add(out.logits, torch.tensor(logitShift, [1, NUM_CLASSES])) : out.logits;
        const ce = torch.crossEntropy(ceLogits, y, ceWeight ? { weight: torch.tensor(ceWeight, [NUM_CLASSES]) } : {});
        let loss = ce;
        let sep: Tensor | undefined;
        let div: Tensor | undefined;
        if (out.masked && layout) {
          if (keep) {
            sep = separationLoss(out.masked, y, layout, keep);
            loss = torch.add(loss, torch.mul(sep, cfg.loss.lambda));
          }
          if (cfg.loss.beta > 0) {
            div = diversityLoss(out.masked, layout);
            loss = torch.add(loss, torch.mul(div, cfg.loss.beta));
          }
        }
        loss.backward();
        optimizer.step();
        const pred = argmaxRows(out.logits.detach().data<'float32'>());
        let correct = 0;
        for (let b = 0; b < B; b++) if (pred[b] === batch.labels[b]) correct++;
        return { loss: loss.item(), ce: ce.item(), sep: sep?.item() ?? 0, div: div?.item() ?? 0, correct, mask: out.mask ? torch.mean(out.mask).item() : undefined };
      });
      sums.loss += r.loss;
      sums.ce += r.ce;
      sums.sep += r.sep;
      sums.div += r.div;
      sums.correct += r.correct;
      sums.n += B;
      sums.steps++;
      maskMean = r.mask;
      step++;
      const k = sums.steps;
      bar.tick(B, `loss ${(sums.loss / k).toFixed(3)} (ce ${(sums.ce / k).toFixed(3)} sep ${(sums.sep / k).toFixed(3)} div ${(sums.div / k).toFixed(3)}) acc ${((100 * sums.correct) / sums.n).toFixed(1)}%`);
    }
    const trainSeconds = (performance.now() - t0) / 1000;
    bar.done();

    const vp = await predict(model, validLoader, validF);
    const vs = score(argmaxRows(vp.logits), vp.labels);
    const k = Math.max(1, sums.steps);
    const m: EpochMetrics = {
      epoch,
      lr: optimizer.lr,
      loss: sums.loss / k,
      ce: sums.ce / k,
      sep: sums.sep / k,
      div: sums.div / k,
      trainAccuracy: sums.correct / Math.max(1, sums.n),
      validAccuracy: vs.accuracy,
      validBalancedAccuracy: vs.balancedAccuracy,
      ...(maskMean !== undefined ? { maskMean } : {}),
      imagesPerSecond: sums.n / trainSeconds,
      seconds: (performance.now() - t0) / 1000,
    };
    history.push(m);
    log(`epoch ${epoch + 1}: loss ${m.loss.toFixed(4)} train acc ${(100 * m.trainAccuracy).toFixed(2)}% valid acc ${(100 * m.validAccuracy).toFixed(2)}% (${m.imagesPerSecond.toFixed(1)} img/s)`);

    // Persist: best weights first, then the checkpoint (whose epoch marks the epoch as done), then the metrics line.
    const weights = model.stateDict();
    const meta = { config: JSON.stringify(cfg), epoch: String(epoch), encoderDim: String(trainF?.dim ?? 0) };
    if (m.validAccuracy > best.acc) {
      best = { epoch, acc: m.validAccuracy };
      torch.saveSafetensors(join(runDir, 'best.safetensors'), weights, meta);
    }
    const os = optimizer.stateDict();
    torch.saveSafetensors(ckptPath, new Map([...stateWithPrefix('model.', weights), ...stateWithPrefix('optim.', os.tensors)]), {
      config: JSON.stringify(cfg),
      state: JSON.stringify({ epoch, best, optimizer: os.meta }),
    });
    writeAtomic(join(runDir, 'metrics.jsonl'), history.map((h) => JSON.stringify(h) + '\n').join(''));
  }
  if (lastEpoch === cfg.optim.epochs) torch.saveSafetensors(join(runDir, 'final.safetensors'), model.stateDict(), { config: JSON.stringify(cfg), epoch: String(cfg.optim.epochs - 1), encoderDim: String(trainF?.dim ?? 0) });
  await trainLoader.close();
  await validLoader.close();
  model.dispose();
  optimizer.dispose();
  return { runDir, epochs: history, bestEpoch: best.epoch, bestValidAccuracy: best.acc };
}
