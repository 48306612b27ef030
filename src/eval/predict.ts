// Inference over a loader: the classifier's logits on F~ (CAFE at test time uses neither channel loss).
import * as torch from '../torch/index.js';
import type { DataLoader } from '../data/loader.js';
import type { CafeModel } from '../cafe/model.js';
import { gatherFeatures, type FeatureTable } from '../features/table.js';
import { NUM_CLASSES } from '../labels.js';
import { Progress } from '../util/progress.js';

export interface Predictions {
  ids: string[];
  labels: Int32Array; // [N]
  logits: Float32Array; // [N, 7]
}

/** Runs the model in eval mode over every item of `loader` that has a label (and a feature, when it needs one). */
export async function predict(model: CafeModel, loader: DataLoader, features: FeatureTable | undefined, opts: { progress?: boolean; label?: string } = {}): Promise<Predictions> {
  model.eval();
  const bar = new Progress(loader.items.length, opts.label ?? `predict ${loader.dataset.spec}`, { silent: !opts.progress });
  const ids: string[] = [];
  const labels: number[] = [];
  const chunks: Float32Array[] = [];
  const size = loader.cache.size;
  for await (const batch of loader.epoch(0)) {
    const keep: number[] = [];
    for (let b = 0; b < batch.size; b++) if (batch.labels[b] >= 0 && (!features || features.row.has(batch.ids[b]))) keep.push(b);
    if (!keep.length) continue;
    const plane = 3 * size * size;
    const imgs = new Float32Array(keep.length * plane); // [k, 3, S, S]
    keep.forEach((b, j) => imgs.set(batch.images.subarray(b * plane, (b + 1) * plane), j * plane));
    const kids = keep.map((b) => batch.ids[b]);
    const logits = torch.tidy(() =>
      torch.noGrad(() => {
        const x = model.usesImage ? torch.tensor(imgs, [keep.length, 3, size, size]) : undefined;
        const F = model.usesFeature && features ? torch.tensor(gatherFeatures(features, kids), [keep.length, features.dim]) : undefined;
        return model.forward(x, F).logits.data<'float32'>().slice();
      }),
    );
    bar.tick(batch.size);
    chunks.push(logits);
    ids.push(...kids);
    for (const b of keep) labels.push(batch.labels[b]);
  }
  bar.done();
  const out = new Float32Array(ids.length * NUM_CLASSES);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return { ids, labels: Int32Array.from(labels), logits: out };
}
