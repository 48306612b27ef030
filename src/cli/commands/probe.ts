import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { execSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { openDataset } from '../../data/index.js';
import { createEncoder, DEFAULT_ENCODER } from '../../encoders/registry.js';
import { loadPreprocess } from '../../encoders/preprocess-node.js';
import { parseFrames, requireDatasetFrame } from '../../features/reframe.js';
import { grayDataset } from '../../data/gray.js';
import { adjustBias, concatSets, labelledFeatures, sourcePriorOffsets, sourceRowWeights, type LabelledSet } from '../../features/labelled.js';
import { defaultCacheDir } from '../../features/store.js';
import { EXPRESSIONS, NUM_CLASSES } from '../../labels.js';
import { invalidParameter } from '../../errors.js';
import { excludedStems, excludeItems, type ExcludeBy } from '../../train/sources.js';


const usage = `Usage: cafe probe --train SPEC --valid SPEC --target SPEC [--target SPEC ...] [options]

Probe (logistic regression, or with --hidden one hidden layer; trained with libtorch) on cached frozen features:
trains on --train (repeatable:
several sources stacked; --exclude keeps a target's images out of them), picks the
weight decay on --valid only, reports accuracy and balanced accuracy on every --target. Features are standardised
with the training set's statistics. Targets without some classes (CK+48 has no neutral) are scored with the 7-way
argmax: predicting an absent class counts as an error.

Options:
  --encoder E       encoder (default ${DEFAULT_ENCODER}); features come from the cache, missing ones are computed
  --preprocess P    preprocessing override (clip | cafe | faceres | JSON path)
  --wd LIST         weight decays to try, comma-separated (default 0,1e-5,1e-4,1e-3,1e-2,1e-1)
  --steps N         Adam steps per fit (default 300 full-batch; 3000 minibatches with --hidden)
  --lr X            peak learning rate (default 0.01; 1e-3 with --hidden)
  --hidden N        a hidden layer of N ReLU units between the features and the classifier (default 0: linear),
                    fitted on minibatches with dropout
  --dropout P       with --hidden: dropout on the hidden units while fitting (default 0.5)
  --input-dropout P with --hidden: dropout on the input features while fitting (default 0.2)
  --batch-size N    with --hidden: rows per minibatch (default 512)
  --seed N          initialisation seed (default 0)
  --seeds K         fit K times, seeds N .. N+K-1, and keep the mean of their logits as one probe (a seed
                    ensemble; with --hidden, one layer of K x N units); default 1
  --source-weights W  share of the loss per --train source, comma-separated (e.g. 1,1: sources count equally
                    whatever their sizes); default: every image counts once
  --logit-adjust T  post-hoc logit adjustment: subtract T * log(class prior of the training set) from the logits
                    (folded into the bias; 1 = as if balanced, 0 = off, the default)
  --logit-adjust-loss T  logit-adjusted loss: while fitting, add T * log(class prior of the row's own --train
                    source) to its logits; the saved head leaves them out, so it scores as if the classes were
                    balanced (T 1) and no source's skew sits in the weights (0 = off, the default)
  --logit-adjust-prior P  with --logit-adjust-loss: source (default: each row its own source's prior) or
                    pooled (one prior over all --train rows, the ablation)
  --exclude DIR     folder of images kept out of every --train source (repeatable), e.g. photos/sfew-frames
  --exclude-by B    clip (default): an excluded image takes every image of its clip with it (same name without the
                    trailing _<frame number>: near-duplicate frames of a target); image: the same file name only
  --aug-views K      also train on K augmented views of every --train image (framing jitter, blur, low resolution,
                    light; cached like the images: see src/features/augment.ts); default 0
  --reframe F,...   also train on every --train image cut again in each of these canonical frames but its own
                    (ferplus: square, eyes at 0.41; sfew: 143 x 181, eyes at 0.25, face wider; see
                    src/features/reframe.ts): the head then reads each source's faces in either frame, whichever
                    frame the exported model cuts photos in (cafe export --align-frame); cached like the images
  --gray            read the colour datasets (all but FER+ / CK+, which are gray already) as luma, as a model
                    exported from FER+ reads photos (model.json colour 'gray'): the numbers are then the deployed
                    model's; cached apart from the colour features
  --balanced        class-balanced loss weights (N / (C * count)), against the training set's class skew
  --save-run DIR    also write the probe as a run folder (standardisation folded into fc) for cafe eval --run and
                    cafe export --run
  --cache-dir DIR   feature cache root (default $CAFE_CACHE_DIR or .cache/cafe/features)
  --out PREFIX      also write PREFIX.json and PREFIX.md (e.g. bench/results/probe)
  --json            print the result as JSON`;

const pct = (x: number) => (Number.isFinite(x) ? (100 * x).toFixed(2) : '-');

export const probe: Command = {
  name: ['probe'],
  summary: 'probe (linear or one hidden layer) on cached encoder features: train on one or more datasets, score on others',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        encoder: { type: 'string', default: DEFAULT_ENCODER },
        preprocess: { type: 'string' },
        train: { type: 'string', multiple: true },
        exclude: { type: 'string', multiple: true },
        'exclude-by': { type: 'string', default: 'clip' },
        'source-weights': { type: 'string' },
        'logit-adjust': { type: 'string' },
        'logit-adjust-loss': { type: 'string' },
        'logit-adjust-prior': { type: 'string' },
        valid: { type: 'string' },
        target: { type: 'string', multiple: true },
        wd: { type: 'string' },
        steps: { type: 'string' },
        hidden: { type: 'string' },
        dropout: { type: 'string' },
        'input-dropout': { type: 'string' },
        'batch-size': { type: 'string' },
        lr: { type: 'string' },
        seed: { type: 'string' },
        seeds: { type: 'string', default: '1' },
        balanced: { type: 'boolean', default: false },
        'aug-views': { type: 'string' },
        reframe: { type: 'string' },
        gray: { type: 'boolean', default: false },
        'cache-dir': { type: 'string' },
        'save-run': { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    });
    if (!values.train?.length || !values.valid || !values.target?.length) {
      console.error(usage);
      return 2;
    }
    const weightDecays = values.wd?.split(',').map(Number);
    const num = (k: 'hidden' | 'dropout' | 'input-dropout' | 'batch-size' | 'steps' | 'lr' | 'seed') => {
      const v = values[k];
      if (v === undefined) return undefined;
      const x = Number(v);
      if (!Number.isFinite(x)) throw invalidParameter(`--${k}`, 'a number', v);
      return x;
    };
    const hidden = num('hidden') ?? 0;
    if (!Number.isInteger(hidden) || hidden < 0) throw invalidParameter('--hidden', 'an integer >= 0', values.hidden);
    if (!hidden) for (const k of ['dropout', 'input-dropout', 'batch-size'] as const) if (values[k] !== undefined) throw invalidParameter(`--${k}`, 'only with --hidden N', values[k]);
    if (weightDecays?.some((x) => !(x >= 0))) throw invalidParameter('--wd', 'comma-separated numbers >= 0', values.wd);
    // Every flag is checked here, before any feature is loaded or fitted.
    const finite = (name: 'logit-adjust' | 'logit-adjust-loss') => {
      const v = values[name];
      const x = v !== undefined ? Number(v) : 0;
      if (!(x >= 0 && Number.isFinite(x))) throw invalidParameter(`--${name}`, 'a finite number >= 0', v);
      return x;
    };
    const tau = finite('logit-adjust');
    const laLoss = finite('logit-adjust-loss');
    const laPrior = values['logit-adjust-prior'] ?? 'source';
    if (laPrior !== 'source' && laPrior !== 'pooled') throw invalidParameter('--logit-adjust-prior', 'source or pooled', laPrior);
    if (values['logit-adjust-prior'] !== undefined && !laLoss) throw invalidParameter('--logit-adjust-prior', 'only with --logit-adjust-loss T', laPrior);
    // Each corrects for the class prior: two at once would correct twice.
    if (laLoss && (tau || values.balanced)) throw invalidParameter('--logit-adjust-loss', `not with ${tau ? '--logit-adjust' : '--balanced'} (each corrects for the class prior)`, values['logit-adjust-loss']);
    const seeds = Number(values.seeds);
    if (!Number.isInteger(seeds) || seeds < 1) throw invalidParameter('--seeds', 'an integer >= 1', values.seeds);
    const { trainProbe, predict, score } = await import('../../features/probe.js'); // loads libtorch only here
    const t0 = performance.now();
    const encoder = await createEncoder(values.encoder, { preprocess: values.preprocess ? loadPreprocess(values.preprocess) : undefined });
    const cacheDir = values['cache-dir'] ?? defaultCacheDir();
    // Target images kept out of every training source (e.g. photos/sfew-frames: full frames of SFEW Train images).
    const excludeBy = values['exclude-by'] as ExcludeBy;
    if (excludeBy !== 'clip' && excludeBy !== 'image') throw invalidParameter('--exclude-by', 'clip or image', excludeBy);
    const exclusion = excludedStems(values.exclude ?? [], excludeBy);
    const augViews = values['aug-views'] !== undefined ? Number(values['aug-views']) : 0;
    if (!Number.isInteger(augViews) || augViews < 0) throw invalidParameter('--aug-views', 'an integer >= 0', values['aug-views']);
    const reframe = values.reframe !== undefined ? parseFrames(values.reframe) : [];
    // Before any encoding: every training source must have a known frame to be re-framed from.
    if (reframe.length) for (const t of values.train) requireDatasetFrame(t);
    const load = async (spec: string, isTrain = false): Promise<LabelledSet> => {
      const opened = await openDataset(spec);
      const ds = isTrain ? excludeItems(opened, exclusion) : opened;
      if (ds.items.length < opened.items.length) console.error(`${ds.spec}: ${opened.items.length - ds.items.length} items excluded (--exclude)`);
      const s = await labelledFeatures(encoder, ds, { cacheDir, progress: true, augViews: isTrain ? augViews : 0, reframe: isTrain ? reframe : [], gray: values.gray && !grayDataset(ds.spec) });
      console.error(`${ds.spec}: ${s.labels.length} labelled rows (${s.cache.hits} cached, ${s.cache.computed} computed, ${s.dropped} dropped) in ${s.cache.seconds.toFixed(1)}s`);
      return s;
    };
    const shares = values['source-weights']?.split(',').map(Number);
    if (shares && (shares.length !== values.train.length || shares.some((w) => !(w >= 0)) || !shares.some((w) => w > 0)))
      throw invalidParameter('--source-weights', `${values.train.length} comma-separated numbers >= 0 (one per --train), not all 0`, values['source-weights']);
    let sampleWeights: Float32Array | undefined;
    let logitOffsets: Float32Array | undefined;
    let train: LabelledSet, valid: LabelledSet, targets: LabelledSet[];
    try {
      const sources: LabelledSet[] = [];
      for (const t of values.train) sources.push(await load(t, true));
      train = concatSets(sources);
      sampleWeights = sourceRowWeights(sources.map((s) => s.labels.length), shares);
      if (laLoss > 0) logitOffsets = sourcePriorOffsets(laPrior === 'pooled' ? [train] : sources, laLoss);
      valid = await load(values.valid);
      targets = [];
      for (const t of values.target) targets.push(await load(t));
    } finally {
      await encoder.dispose();
    }
    const tLoad = performance.now();
    const p = trainProbe(train, valid, {
      weightDecays,
      steps: num('steps'),
      lr: num('lr'),
      seed: num('seed'),
      seeds,
      hidden,
      dropout: num('dropout'),
      inputDropout: num('input-dropout'),
      batchSize: num('batch-size'),
      classWeights: values.balanced ? 'balanced' : 'none',
      sampleWeights,
      logitOffsets,
      onFit: (wd, acc, s, seed) => console.error(`  ${seeds > 1 ? `seed ${seed}, ` : ''}weight decay ${wd}: valid accuracy ${pct(acc)}% (${s.toFixed(1)}s)`),
    });
    // Post-hoc logit adjustment (Menon et al. 2021): logits - tau * log(training prior), folded into the bias. tau 1
    // scores as if the classes were balanced; the fit itself is unchanged.
    if (tau > 0) adjustBias(p.bias, train.labels, tau, train.soft);
    const tTrain = performance.now();
    const rows = [valid, ...targets].map((set) => {
      const sc = score(predict(p, set.features), set.labels);
      const missing = EXPRESSIONS.filter((e) => !set.classes.includes(e));
      return {
        target: set.spec,
        role: set === valid ? 'valid (model selection)' : 'target',
        n: sc.n,
        accuracy: sc.accuracy,
        balancedAccuracy: sc.balancedAccuracy,
        classes: set.classes.length,
        note: missing.length ? `no ${missing.join('/')} in this set: ${NUM_CLASSES}-way argmax, predicting ${missing.join('/')} counts as an error; balanced accuracy over its ${set.classes.length} classes` : '',
        perClassRecall: Object.fromEntries(EXPRESSIONS.map((e, c) => [e, sc.perClassRecall[c]])),
      };
    });
    let commit = 'unknown';
    try {
      commit = execSync('git rev-parse HEAD', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      /* not a git checkout */
    }
    const result = {
      command: `cafe probe ${argv.join(' ')}`,
      commit,
      date: new Date().toISOString(),
      encoder: { name: encoder.name, dim: encoder.dim, weightsHash: encoder.weightsHash },
      train: { spec: train.spec, n: train.labels.length, sourceWeights: shares ?? null, exclude: values.exclude ?? [], logitAdjust: tau, logitAdjustLoss: laLoss, logitAdjustPrior: laLoss ? laPrior : null },
      valid: { spec: valid.spec, n: valid.labels.length },
      hidden,
      seeds,
      chosenWeightDecay: p.weightDecay,
      grid: p.grid,
      results: rows,
      seconds: { features: (tLoad - t0) / 1000, train: (tTrain - tLoad) / 1000 },
    };
    if (values['save-run']) {
      const { saveProbeRun } = await import('../../features/probe-run.js');
      const v = rows[0];
      saveProbeRun(values['save-run'], p, {
        name: values['save-run'].split(/[\\/]/).filter(Boolean).pop()!,
        // The spec as given ('faceres:/path/to/faceres-deep.json'), not the encoder's display name: eval and export
        // reopen the encoder from it.
        encoder: values.encoder!,
        encoderWeights: encoder.weightsHash,
        train: values.train,
        valid: values.valid,
        exclude: values.exclude ?? [],
        excludeBy,
        sourceWeights: shares ?? [],
        validAccuracy: v.accuracy,
        validBalancedAccuracy: v.balancedAccuracy,
        classBalance: values.balanced ? 'reweight' : 'none',
        logitAdjust: tau,
        logitAdjustLoss: laLoss,
        logitAdjustPrior: laPrior,
        augViews,
        reframe,
        gray: values.gray,
        command: result.command,
        fit: p.fit,
      });
      console.error(`run folder: ${values['save-run']} (cafe eval --run / cafe export --run)`);
    }
    const md = [
      `# ${hidden ? `Probe with a hidden layer of ${hidden}` : 'Linear probe'}: ${encoder.name} features (${encoder.dim}-d)`,
      '',
      `Train: \`${train.spec}\` (${train.labels.length} images${values.balanced ? ', class-balanced loss' : ''}${shares ? `, source shares ${shares.join(':')}` : ''}${laLoss ? `, logit-adjusted loss tau ${laLoss} (${laPrior === 'pooled' ? 'one prior over all sources' : "each source's own prior"})` : ''}${tau ? `, post-hoc logit adjustment tau ${tau}` : ''}${seeds > 1 ? `, the mean of ${seeds} seeds' logits` : ''}); weight decay chosen on \`${valid.spec}\` (${valid.labels.length}): **${p.weightDecay}**.`,
      '',
      '| target | n | accuracy % | balanced accuracy % | note |',
      '|---|---:|---:|---:|---|',
      ...rows.map((r) => `| \`${r.target}\`${r.role === 'target' ? '' : ' (valid)'} | ${r.n} | ${pct(r.accuracy)} | ${pct(r.balancedAccuracy)} | ${r.note} |`),
      '',
      'Weight-decay grid (validation accuracy): ' + p.grid.map((g) => `${g.weightDecay}: ${pct(g.validAccuracy)}%`).join(', '),
      '',
      `Features loaded in ${result.seconds.features.toFixed(1)} s, probe trained in ${result.seconds.train.toFixed(1)} s.`,
      '',
      `Command: \`${result.command}\`  `,
      `Commit: \`${commit}\`, ${result.date}`,
      '',
    ].join('\n');
    if (values.out) {
      mkdirSync(dirname(values.out), { recursive: true });
      writeFileSync(`${values.out}.json`, JSON.stringify(result, null, 2) + '\n');
      writeFileSync(`${values.out}.md`, md);
    }
    console.log(values.json ? JSON.stringify(result, null, 2) : md);
    return 0;
  },
};
