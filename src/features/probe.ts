// Linear probe: multinomial logistic regression on cached frozen features, trained in the torch core (libtorch).
// It measures how much expression information an encoder's features carry, before any CAFE training: train on one
// dataset, pick the L2 strength on that dataset's validation split only, score any list of targets.
import * as torch from '../torch/index.js';
import { invalidParameter } from '../errors.js';
import { NUM_CLASSES } from '../labels.js';
import { fitMlp, probeLoss } from './probe-mlp.js';

/** Features with class indices in EXPRESSIONS order. */
export interface LabelledFeatures {
  features: Float32Array; // [N, D]
  labels: Int32Array; // [N], 0..6
  /** Soft labels [N, 7] (rows sum to 1), when the set has annotator votes (FER+ `mode=probability`): the fit then
   *  minimises cross-entropy against them; `labels` stay the hard labels (class weights, priors, scoring). */
  soft?: Float32Array;
  dim: number;
}

export interface ProbeConfig {
  /** L2 coefficients tried (gradient += wd * w); chosen by validation accuracy. Default 0 and 1e-5 .. 1e-1. */
  weightDecays?: number[];
  /**
   * Adam steps per fit: full-batch for the linear probe (default 300: the loss has flattened by then on FER-sized
   * sets), minibatches with a hidden layer (default 3000 of 512 rows: ~19 passes over FER+ train with 2 views).
   */
  steps?: number;
  /** Peak learning rate, cosine-decayed to 0 (default 0.01 linear, 1e-3 with a hidden layer; standardised features). */
  lr?: number;
  /** Width of a hidden layer (Linear + ReLU, probe-mlp.ts); default 0 = linear. */
  hidden?: number;
  /** With a hidden layer: dropout on the hidden units while fitting (default 0.5). */
  dropout?: number;
  /** With a hidden layer: dropout on the input features while fitting (default 0.2). */
  inputDropout?: number;
  /** With a hidden layer: rows per minibatch (default 512). */
  batchSize?: number;
  /**
   * 'balanced' weights each class by N / (C * count) in the loss (sklearn's class_weight='balanced'): counters
   * FER+'s skew (35% neutral, 0.5% disgust) that makes the probe call subtle CK+ faces neutral. Default 'none'.
   */
  classWeights?: 'none' | 'balanced';
  /**
   * Per-row weights [N] of the training set (e.g. each source's share when several are stacked), multiplied with the
   * class weights; the loss is the weighted mean. Default: every row 1.
   */
  sampleWeights?: Float32Array;
  /**
   * Per-row logit offsets [N, C] added to the logits while fitting only: the logit-adjusted loss (Menon et al. 2021)
   * when row i's offsets are tau * log(prior of row i's source). The fitted head then carries no source's class prior
   * and scores as if the classes were balanced (tau 1), while each source's own skew is explained by its offsets
   * instead of by the weights. Default none.
   */
  logitOffsets?: Float32Array;
  /** libtorch seed for the initial weights (default 0). */
  seed?: number;
  /**
   * Fits from seeds seed .. seed + K - 1, kept as one probe (averageProbes: the mean of their logits). The first seed
   * chooses the weight decay; the others reuse it. Default 1.
   */
  seeds?: number;
  /** Called after each fit, for progress output. */
  onFit?: (wd: number, validAccuracy: number, seconds: number, seed: number) => void;
}

export interface Probe {
  dim: number;
  /** Train statistics the features are standardised with. */
  mean: Float32Array; // [D]
  std: Float32Array; // [D]
  weight: Float32Array; // [C, D], or [C, H] after a hidden layer
  bias: Float32Array; // [C]
  /** The hidden layer (ProbeConfig.hidden > 0), on standardised features: relu(W z + b). */
  hidden?: { weight: Float32Array; bias: Float32Array }; // [H, D], [H]
  /** The fit's settings as resolved (defaults filled in), kept with a saved run. */
  fit?: { steps: number; lr: number; seed: number; hidden: number; dropout?: number; inputDropout?: number; batchSize?: number; seeds?: number[]; hiddenPerFit?: number };
  weightDecay: number;
  /** Validation accuracy of every weight decay tried. */
  grid: Array<{ weightDecay: number; validAccuracy: number; trainLoss: number }>;
}

export interface ProbeScore {
  n: number;
  accuracy: number;
  /** Mean per-class recall over the classes present in the set. */
  balancedAccuracy: number;
  perClassRecall: Array<number | null>; // [C], null for classes absent from the set
  confusion: number[][]; // [true C][predicted C]
}

/** Per-dimension mean and std over rows (std floored so constant dimensions do not blow up). */
export function featureStats(x: Float32Array, dim: number): { mean: Float32Array; std: Float32Array } {
  const n = x.length / dim;
  const mean = new Float64Array(dim);
  const sq = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    for (let d = 0; d < dim; d++) {
      const v = x[o + d];
      mean[d] += v;
      sq[d] += v * v;
    }
  }
  const m = new Float32Array(dim);
  const s = new Float32Array(dim);
  for (let d = 0; d < dim; d++) {
    m[d] = mean[d] / n;
    s[d] = Math.sqrt(Math.max(sq[d] / n - m[d] * m[d], 0)) || 1;
    if (s[d] < 1e-6) s[d] = 1;
  }
  return { mean: m, std: s };
}

export function standardise(x: Float32Array, mean: Float32Array, std: Float32Array): Float32Array {
  const dim = mean.length;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const d = i % dim;
    out[i] = (x[i] - mean[d]) / std[d];
  }
  return out;
}

/** Argmax class of each row under the probe (plain TypeScript: scoring needs no libtorch). */
export function predict(probe: Pick<Probe, 'dim' | 'mean' | 'std' | 'weight' | 'bias' | 'hidden'>, features: Float32Array): Int32Array {
  const D = probe.dim;
  const C = probe.bias.length;
  const H = probe.hidden ? probe.hidden.bias.length : 0;
  const n = features.length / D;
  const out = new Int32Array(n);
  const z = new Float32Array(D);
  const h = new Float32Array(H);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < D; d++) z[d] = (features[i * D + d] - probe.mean[d]) / probe.std[d];
    let x = z;
    if (probe.hidden) {
      const { weight: hw, bias: hb } = probe.hidden;
      for (let k = 0; k < H; k++) {
        let s = hb[k];
        const w = k * D;
        for (let d = 0; d < D; d++) s += hw[w + d] * z[d];
        h[k] = s > 0 ? s : 0;
      }
      x = h;
    }
    const K = x.length;
    let best = -Infinity;
    for (let c = 0; c < C; c++) {
      let s = probe.bias[c];
      const w = c * K;
      for (let d = 0; d < K; d++) s += probe.weight[w + d] * x[d];
      if (s > best) {
        best = s;
        out[i] = c;
      }
    }
  }
  return out;
}

export function score(pred: Int32Array, labels: Int32Array, classes = NUM_CLASSES): ProbeScore {
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    confusion[labels[i]][pred[i]]++;
    if (labels[i] === pred[i]) correct++;
  }
  const perClassRecall = confusion.map((row, c) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total ? row[c] / total : null;
  });
  const present = perClassRecall.filter((r): r is number => r !== null);
  return {
    n: labels.length,
    accuracy: labels.length ? correct / labels.length : NaN,
    balancedAccuracy: present.length ? present.reduce((a, b) => a + b, 0) / present.length : NaN,
    perClassRecall,
    confusion,
  };
}

function checkSet(s: LabelledFeatures, name: string): void {
  if (s.features.length !== s.labels.length * s.dim) throw invalidParameter(`${name}.features`, `${s.labels.length} x ${s.dim} floats`, s.features.length);
  for (const l of s.labels) if (!(l >= 0 && l < NUM_CLASSES)) throw invalidParameter(`${name}.labels`, `class indices 0..${NUM_CLASSES - 1}`, l);
  if (s.soft && s.soft.length !== s.labels.length * NUM_CLASSES) throw invalidParameter(`${name}.soft`, `${s.labels.length} x ${NUM_CLASSES} floats`, s.soft.length);
}

/** One full-batch fit; returns weights [C, D], bias [C] and the final training loss. */
function fit(x: torch.Tensor, y: torch.Tensor, dim: number, wd: number, steps: number, lr: number, seed: number, weight?: torch.Tensor, rowWeight?: torch.Tensor, offset?: torch.Tensor) {
  torch.manualSeed(seed);
  const lin = new torch.nn.Linear(dim, NUM_CLASSES);
  const opt = new torch.optim.Adam(lin.parameters(), { lr, weightDecay: wd });
  let loss = NaN;
  for (let s = 0; s < steps; s++) {
    opt.lr = lr * 0.5 * (1 + Math.cos((Math.PI * s) / steps));
    loss = torch.tidy(() => {
      opt.zeroGrad();
      const l = probeLoss(lin.forward(x), y, weight, rowWeight, offset); // logits [N, C]
      l.backward();
      opt.step();
      return l.item();
    });
  }
  const [w, b] = lin.parameters();
  const out = { weight: w.data<'float32'>() as Float32Array, bias: b.data<'float32'>() as Float32Array, loss };
  opt.dispose();
  for (const p of lin.parameters()) p.dispose();
  return out;
}

/** Trains on `train`, chooses the weight decay by accuracy on `valid`, refits nothing (the chosen fit is kept). */
export function trainProbe(train: LabelledFeatures, valid: LabelledFeatures, cfg: ProbeConfig = {}): Probe {
  checkSet(train, 'train');
  checkSet(valid, 'valid');
  if (valid.dim !== train.dim) throw invalidParameter('valid.dim', `${train.dim} (as train)`, valid.dim);
  const grid = cfg.weightDecays ?? [0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1];
  const H = cfg.hidden ?? 0;
  if (!Number.isInteger(H) || H < 0) throw invalidParameter('hidden', 'an integer >= 0', H);
  const steps = cfg.steps ?? (H ? 3000 : 300);
  const lr = cfg.lr ?? (H ? 1e-3 : 0.01);
  const mlp = { hidden: H, dropout: cfg.dropout ?? 0.5, inputDropout: cfg.inputDropout ?? 0.2, batchSize: cfg.batchSize ?? 512 };
  for (const [k, v] of Object.entries({ dropout: mlp.dropout, inputDropout: mlp.inputDropout })) if (!(v >= 0 && v < 1)) throw invalidParameter(k, 'a probability in [0, 1)', v);
  if (!Number.isInteger(mlp.batchSize) || mlp.batchSize < 1) throw invalidParameter('batchSize', 'a positive integer', mlp.batchSize);
  const { mean, std } = featureStats(train.features, train.dim);
  const x = torch.tensor(standardise(train.features, mean, std), [train.labels.length, train.dim]); // [N, D]
  // Targets: class indices [N] (int64), or the soft labels [N, C] (float) when the set has them; crossEntropy takes
  // either, and every fit below indexes rows of y the same way.
  const y = train.soft
    ? torch.tensor(train.soft, [train.labels.length, NUM_CLASSES]) // [N, C]
    : torch.tensor(BigInt64Array.from(train.labels, (v) => BigInt(v)), [train.labels.length], 'int64'); // [N]
  let weight: torch.Tensor | undefined;
  if (cfg.classWeights === 'balanced') {
    const counts = new Array<number>(NUM_CLASSES).fill(0);
    for (const l of train.labels) counts[l]++;
    // Absent classes get weight 0 (they have no terms anyway).
    weight = torch.tensor(counts.map((c) => (c ? train.labels.length / (NUM_CLASSES * c) : 0)), [NUM_CLASSES]); // [C]
  }
  let rowWeight: torch.Tensor | undefined;
  if (cfg.sampleWeights) {
    const sw = cfg.sampleWeights;
    if (sw.length !== train.labels.length || sw.some((v) => !(v >= 0))) throw invalidParameter('sampleWeights', `${train.labels.length} weights >= 0`, sw.length);
    const cw = weight ? (weight.data<'float32'>() as Float32Array) : undefined;
    rowWeight = torch.tensor(Float32Array.from(sw, (v, i) => v * (cw ? cw[train.labels[i]] : 1)), [train.labels.length]); // [N]
  }
  let offset: torch.Tensor | undefined;
  if (cfg.logitOffsets) {
    const lo = cfg.logitOffsets;
    if (lo.length !== train.labels.length * NUM_CLASSES || lo.some((v) => !Number.isFinite(v))) throw invalidParameter('logitOffsets', `${train.labels.length} x ${NUM_CLASSES} finite numbers`, lo.length);
    offset = torch.tensor(lo, [train.labels.length, NUM_CLASSES]); // [N, C]
  }
  const seed0 = cfg.seed ?? 0;
  const seeds = cfg.seeds ?? 1;
  if (!Number.isInteger(seeds) || seeds < 1) throw invalidParameter('seeds', 'an integer >= 1', seeds);
  const results: Probe['grid'] = [];
  // One fit on the tensors above, scored on valid and recorded in the grid.
  const fitOne = (wd: number, seed: number): { candidate: Probe; validAccuracy: number } => {
    const t0 = performance.now();
    let candidate: Probe;
    let loss: number;
    if (H) {
      const f = fitMlp(x, y, train.dim, wd, steps, lr, seed, mlp, weight, rowWeight, offset);
      candidate = { dim: train.dim, mean, std, weight: f.weight, bias: f.bias, hidden: { weight: f.hiddenWeight, bias: f.hiddenBias }, fit: { steps, lr, seed, ...mlp }, weightDecay: wd, grid: results };
      loss = f.loss;
    } else {
      const f = fit(x, y, train.dim, wd, steps, lr, seed, weight, rowWeight, offset);
      candidate = { dim: train.dim, mean, std, weight: f.weight, bias: f.bias, fit: { steps, lr, seed, hidden: 0 }, weightDecay: wd, grid: results };
      loss = f.loss;
    }
    const validAccuracy = score(predict(candidate, valid.features), valid.labels).accuracy;
    results.push({ weightDecay: wd, validAccuracy, trainLoss: loss });
    cfg.onFit?.(wd, validAccuracy, (performance.now() - t0) / 1000, seed);
    return { candidate, validAccuracy };
  };
  const fits: Probe[] = [];
  try {
    let best: { candidate: Probe; validAccuracy: number } | undefined;
    for (const wd of grid) {
      const r = fitOne(wd, seed0);
      // Ties go to the stronger regulariser (later in an increasing grid): simpler model, same validation score.
      if (!best || r.validAccuracy >= best.validAccuracy) best = r;
    }
    fits.push(best!.candidate);
    for (let k = 1; k < seeds; k++) fits.push(fitOne(best!.candidate.weightDecay, seed0 + k).candidate);
  } finally {
    x.dispose();
    y.dispose();
    weight?.dispose();
    rowWeight?.dispose();
    offset?.dispose();
  }
  return averageProbes(fits);
}

/**
 * The mean of several fits' logits as one probe (a seed ensemble): linear probes average their weights; probes with a
 * hidden layer stack their hidden units ([sum H, D]) and read them with each fc scaled by 1 / K, so the one wider
 * MLP computes exactly the mean of the K logit vectors and exports, evaluates and runs as any probe. Every fit must
 * come from the same training set (same standardisation) and have the same shape.
 */
export function averageProbes(probes: Probe[]): Probe {
  if (!probes.length) throw invalidParameter('probes', 'at least one fit', 0);
  if (probes.length === 1) return probes[0];
  const [p0] = probes;
  const K = probes.length;
  const C = p0.bias.length;
  for (const p of probes) {
    const same = p.dim === p0.dim && p.bias.length === C && !!p.hidden === !!p0.hidden && p.mean.every((v, i) => v === p0.mean[i]) && p.std.every((v, i) => v === p0.std[i]);
    if (!same) throw invalidParameter('probes', 'fits of the same training set and shape', `dim ${p.dim}, hidden ${p.hidden ? p.hidden.bias.length : 0}`);
  }
  const bias = new Float32Array(C);
  for (const p of probes) p.bias.forEach((v, c) => (bias[c] += v / K));
  const seeds = probes.map((p) => p.fit?.seed ?? 0);
  if (!p0.hidden) {
    const weight = new Float32Array(p0.weight.length); // [C, D]
    for (const p of probes) p.weight.forEach((v, i) => (weight[i] += v / K));
    return { ...p0, weight, bias, fit: p0.fit && { ...p0.fit, seeds }, grid: gridOf(probes) };
  }
  const Hs = probes.map((p) => p.hidden!.bias.length);
  const H = Hs.reduce((a, b) => a + b, 0);
  const D = p0.dim;
  const hw = new Float32Array(H * D); // [H, D]: the fits' hidden units stacked
  const hb = new Float32Array(H);
  const weight = new Float32Array(C * H); // [C, H]: each fit's fc over its own units, / K
  let off = 0;
  probes.forEach((p, k) => {
    const h = Hs[k];
    hw.set(p.hidden!.weight, off * D);
    hb.set(p.hidden!.bias, off);
    for (let c = 0; c < C; c++) for (let j = 0; j < h; j++) weight[c * H + off + j] = p.weight[c * h + j] / K;
    off += h;
  });
  return { ...p0, weight, bias, hidden: { weight: hw, bias: hb }, fit: p0.fit && { ...p0.fit, hidden: H, hiddenPerFit: Hs[0], seeds }, grid: gridOf(probes) };
}

/** The fits' weight-decay records, each once (fits from one trainProbe call share theirs). */
function gridOf(probes: Probe[]): Probe['grid'] {
  return [...new Set(probes.map((p) => p.grid))].flat();
}
