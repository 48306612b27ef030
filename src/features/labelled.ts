// Joins cached features with a dataset's labels: the input of the probe (and of any feature-level training).
import { invalidParameter } from '../errors.js';
import { EXPRESSIONS, expressionIndex, NUM_CLASSES } from '../labels.js';
import type { Dataset } from '../data/types.js';
import type { Encoder } from '../encoders/types.js';
import { getFeatures, type FeatureOptions, type Features } from './extract.js';
import type { LabelledFeatures } from './probe.js';

export interface LabelledSet extends LabelledFeatures {
  spec: string;
  ids: string[];
  /** Classes present in the labels (EXPRESSIONS names), e.g. CK+48 has no neutral. */
  classes: string[];
  /** Unlabelled items and items the encoder could not read. */
  dropped: number;
  cache: Features['stats'];
}

/** Features of the labelled items of `dataset`, labels as class indices in EXPRESSIONS order. With {augViews: K}
 *  (training sets) every item also has K augmented rows after the originals, ids suffixed '#aug<k>'; with {reframe}
 *  a row per re-framed view after those, ids suffixed '#<frame>'. */
export async function labelledFeatures(encoder: Encoder, dataset: Dataset, opts: FeatureOptions = {}): Promise<LabelledSet> {
  const f = await getFeatures(encoder, dataset, opts);
  const label = new Map(dataset.items.map((it) => [it.id, it.label]));
  const keep: number[] = [];
  f.ids.forEach((id, i) => {
    if (label.get(id) !== undefined) keep.push(i);
  });
  const D = f.dim;
  const rows = (all: Float32Array) => {
    const out = new Float32Array(keep.length * D); // [n, D]
    keep.forEach((src, j) => out.set(all.subarray(src * D, (src + 1) * D), j * D));
    return out;
  };
  // The labelled items' rows; with {augViews: K}, K more views of the same items, stacked after them, then the
  // re-framed views ({reframe}).
  const views = [f.features, ...(f.augmented ?? []), ...(f.reframed ?? [])];
  const suffixes = ['', ...(f.augmented ?? []).map((_, k) => `#aug${k}`), ...(f.reframedInto ?? []).map((frame) => `#${frame}`)];
  const features = new Float32Array(views.length * keep.length * D); // [views * n, D]
  views.forEach((v, k) => features.set(rows(v), k * keep.length * D));
  const labels = new Int32Array(views.length * keep.length);
  keep.forEach((src, j) => {
    const c = expressionIndex(label.get(f.ids[src])!);
    for (let k = 0; k < views.length; k++) labels[k * keep.length + j] = c;
  });
  // Soft labels (FER+ mode=probability) for every view's rows alike; none when no item has one.
  const softOf = new Map(dataset.items.filter((it) => it.soft).map((it) => [it.id, it.soft!]));
  let soft: Float32Array | undefined;
  if (softOf.size) {
    soft = new Float32Array(labels.length * NUM_CLASSES); // [views * n, C]
    keep.forEach((src, j) => {
      const p = softOf.get(f.ids[src]) ?? oneHot(labels[j]);
      for (let k = 0; k < views.length; k++) soft!.set(p, (k * keep.length + j) * NUM_CLASSES);
    });
  }
  const ids = keep.map((i) => f.ids[i]);
  const present = new Set(labels);
  return {
    spec: dataset.spec,
    ids: suffixes.flatMap((suffix) => ids.map((id) => id + suffix)),
    features,
    labels,
    ...(soft ? { soft } : {}),
    dim: D,
    classes: EXPRESSIONS.filter((_, c) => present.has(c)),
    dropped: dataset.items.length - keep.length,
    cache: f.stats,
  };
}

/** Several labelled sets as one training set (rows stacked, source order). */
export function concatSets(sets: LabelledSet[]): LabelledSet {
  if (sets.length === 1) return sets[0];
  const dim = sets[0].dim;
  const bad = sets.find((s) => s.dim !== dim);
  if (bad) throw invalidParameter(`--train ${bad.spec}`, `${dim}-d features like ${sets[0].spec}`, bad.dim);
  const n = sets.reduce((a, s) => a + s.labels.length, 0);
  const features = new Float32Array(n * dim); // [N, D]
  const labels = new Int32Array(n);
  // Soft labels for all rows when any source has them: the others' rows one-hot.
  const soft = sets.some((s) => s.soft) ? new Float32Array(n * NUM_CLASSES) : undefined; // [N, C]
  let off = 0;
  for (const s of sets) {
    features.set(s.features, off * dim);
    labels.set(s.labels, off);
    if (soft) s.labels.forEach((l, i) => soft.set(s.soft ? s.soft.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES) : oneHot(l), (off + i) * NUM_CLASSES));
    off += s.labels.length;
  }
  return {
    spec: sets.map((s) => s.spec).join(' + '),
    ids: sets.flatMap((s, k) => s.ids.map((id) => `${k}|${id}`)),
    classes: [...new Set(sets.flatMap((s) => s.classes))],
    dropped: sets.reduce((a, s) => a + s.dropped, 0),
    cache: sets[0].cache,
    features,
    labels,
    ...(soft ? { soft } : {}),
    dim,
  };
}

function oneHot(c: number): number[] {
  const v = new Array<number>(NUM_CLASSES).fill(0);
  v[c] = 1;
  return v;
}

/**
 * Row weights [N] for sources of sizes `sizes` stacked in order, so that source k carries shares[k] / sum(shares) of
 * the total weight (N); undefined shares = every row 1.
 */
export function sourceRowWeights(sizes: number[], shares?: number[]): Float32Array | undefined {
  if (!shares) return undefined;
  const N = sizes.reduce((a, b) => a + b, 0);
  const total = shares.reduce((a, b) => a + b, 0);
  const out = new Float32Array(N);
  let off = 0;
  sizes.forEach((n, k) => {
    out.fill(n ? (shares[k] / total) * (N / n) : 0, off, off + n);
    off += n;
  });
  return out;
}

/** Class shares of `labels`, or the mean of the soft labels [N, C] when given; absent classes get the smallest present
 *  share, so that their log is finite. */
export function classPrior(labels: Int32Array, soft?: Float32Array): number[] {
  const counts = new Array<number>(NUM_CLASSES).fill(0);
  if (soft) for (let i = 0; i < labels.length; i++) for (let c = 0; c < NUM_CLASSES; c++) counts[c] += soft[i * NUM_CLASSES + c];
  else for (const l of labels) counts[l]++;
  const min = Math.min(...counts.filter((c) => c > 0));
  return counts.map((c) => (c || min) / labels.length);
}

/**
 * Logit offsets [N, C] for the logit-adjusted loss (ProbeConfig.logitOffsets) over sources stacked in order: every
 * row of source k gets tau * log(prior of source k), each source's prior from its own labels (soft when it has them).
 * Why per source: FER+ (35 % neutral, 0.5 % disgust) and SFEW Train (16 % neutral, 6 % disgust) are skewed
 * differently; one pooled prior would leave the smaller source's skew in the weights.
 */
export function sourcePriorOffsets(sources: Array<Pick<LabelledSet, 'labels' | 'soft'>>, tau: number): Float32Array {
  const N = sources.reduce((a, s) => a + s.labels.length, 0);
  const out = new Float32Array(N * NUM_CLASSES); // [N, C]
  let off = 0;
  for (const s of sources) {
    const lp = classPrior(s.labels, s.soft).map((p) => tau * Math.log(p));
    for (let i = 0; i < s.labels.length; i++) out.set(lp, (off + i) * NUM_CLASSES);
    off += s.labels.length;
  }
  return out;
}

/** Post-hoc logit adjustment in place: bias[c] -= tau * log(prior[c]), prior = class shares of `labels`, or the mean
 *  of the soft labels [N, C] when the fit used them (absent classes get the smallest present share, so they are not
 *  pushed to +infinity). */
export function adjustBias(bias: Float32Array, labels: Int32Array, tau: number, soft?: Float32Array): Float32Array {
  const prior = classPrior(labels, soft);
  for (let c = 0; c < bias.length; c++) bias[c] -= tau * Math.log(prior[c]);
  return bias;
}
