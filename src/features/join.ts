// Features of fused encoders ('faceres+facemesh'): each part is cached and read on its own; the trainer, the probe and
// the evaluator see one table whose columns are the parts side by side, over the items every part has.
import { concatRows } from '../encoders/concat.js';
import type { Dataset } from '../data/types.js';
import type { FeatureTable } from './table.js';

/** Rows by item id over features [N, D] (and their mirrored images') in `ids` order. */
export function tableOf(f: { ids: string[]; dim: number; features: Float32Array; flipped?: Float32Array; augmented?: Float32Array[]; reframed?: Float32Array[] }): FeatureTable {
  return { dim: f.dim, row: new Map(f.ids.map((id, i) => [id, i])), features: f.features, ...(f.flipped ? { flipped: f.flipped } : {}), ...(f.augmented ? { augmented: f.augmented } : {}), ...(f.reframed ? { reframed: f.reframed } : {}) };
}

/** Tables of one dataset joined column-wise over the ids all of them have (dataset order); flipped rows (augmented
 *  views) only when every part has them (as many). */
export function joinTables(parts: FeatureTable[], dataset: Dataset): FeatureTable {
  const ids = dataset.items.map((it) => it.id).filter((id) => parts.every((t) => t.row.has(id)));
  const dims = parts.map((t) => t.dim);
  const pick = (t: FeatureTable, src: Float32Array) => {
    const out = new Float32Array(ids.length * t.dim); // [ids, D_k]
    ids.forEach((id, i) => {
      const r = t.row.get(id)!;
      out.set(src.subarray(r * t.dim, (r + 1) * t.dim), i * t.dim);
    });
    return out;
  };
  const join = (which: 'features' | 'flipped') => concatRows(parts.map((t) => pick(t, t[which]!)), dims, ids.length);
  const K = Math.min(...parts.map((t) => t.augmented?.length ?? 0));
  const augmented = Array.from({ length: K }, (_, k) => concatRows(parts.map((t) => pick(t, t.augmented![k])), dims, ids.length));
  // Every part was asked for the same frames, so they have the same re-framed views.
  const R = Math.min(...parts.map((t) => t.reframed?.length ?? 0));
  const reframed = Array.from({ length: R }, (_, k) => concatRows(parts.map((t) => pick(t, t.reframed![k])), dims, ids.length));
  return {
    dim: dims.reduce((a, b) => a + b, 0),
    row: new Map(ids.map((id, i) => [id, i])),
    features: join('features'),
    ...(parts.every((t) => t.flipped) ? { flipped: join('flipped') } : {}),
    ...(K ? { augmented } : {}),
    ...(R ? { reframed } : {}),
  };
}
