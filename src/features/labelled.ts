// Joins cached features with a dataset's labels: the input of the probe (and of any feature-level training).
import { EXPRESSIONS, expressionIndex } from '../labels.js';
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

/** Features of the labelled items of `dataset`, labels as class indices in EXPRESSIONS order. */
export async function labelledFeatures(encoder: Encoder, dataset: Dataset, opts: FeatureOptions = {}): Promise<LabelledSet> {
  const f = await getFeatures(encoder, dataset, opts);
  const label = new Map(dataset.items.map((it) => [it.id, it.label]));
  const keep: number[] = [];
  f.ids.forEach((id, i) => {
    if (label.get(id) !== undefined) keep.push(i);
  });
  const D = f.dim;
  const features = new Float32Array(keep.length * D); // [n, D]
  const labels = new Int32Array(keep.length);
  keep.forEach((src, j) => {
    features.set(f.features.subarray(src * D, (src + 1) * D), j * D);
    labels[j] = expressionIndex(label.get(f.ids[src])!);
  });
  const present = new Set(labels);
  return {
    spec: dataset.spec,
    ids: keep.map((i) => f.ids[i]),
    features,
    labels,
    dim: D,
    classes: EXPRESSIONS.filter((_, c) => present.has(c)),
    dropped: dataset.items.length - keep.length,
    cache: f.stats,
  };
}
