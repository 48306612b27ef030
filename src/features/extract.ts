// getFeatures(): frozen-encoder features of a dataset, from the cache when there, computed (and cached) when not.
// Training and the probe call this; `cafe features extract` is a thin CLI over it.
import { flipImage, toGray } from '../encoders/preprocess.js';
import { preprocessHash } from '../encoders/preprocess-node.js';
import type { Encoder, RgbImage } from '../encoders/types.js';
import { isConcatEncoder } from '../encoders/concat.js';
import { joinTables, tableOf } from './join.js';
import type { Dataset, DatasetItem } from '../data/types.js';
import { Progress } from '../util/progress.js';
import { parseSpec } from '../data/spec.js';
import { resolve as resolvePath } from 'node:path';
import { decodeItem } from './decode.js';
import { augmentFace, augmentView } from './augment.js';
import { reframeFace, reframeView, requireDatasetFrame } from './reframe.js';
import type { AlignFrameName } from '../detect/align.js';
import { invalidParameter } from '../errors.js';
import { defaultCacheDir, entryDir, EntryStore, itemSignature, writeMeta, type Located, type View } from './store.js';

export interface FeatureOptions {
  /** Also compute features of the horizontally flipped images (CAFE trains with flip augmentation). Default false. */
  flip?: boolean;
  /** Also compute K augmented views per image (augment.ts: framing jitter, blur, low resolution, light). Default 0. */
  augViews?: number;
  /** Also compute the crops re-framed into these canonical frames (reframe.ts), each frame but the dataset's own;
   *  the dataset must have a known frame (datasetFrame). Default none. */
  reframe?: AlignFrameName[];
  /** Read every image as luma repeated on 3 channels (toGray), as a model exported with colour 'gray' reads photos:
   *  features of a colour dataset then match what the deployed model sees. Its own cache entry. Default false. */
  gray?: boolean;
  /** Cache root (default $CAFE_CACHE_DIR or .cache/cafe/features). */
  cacheDir?: string;
  /** Items per shard: the unit of resumption, ~4 MB at D = 1024 (default 1024). */
  shardSize?: number;
  /** Images decoded concurrently by sharp (default 8: keeps libuv's threads busy while onnxruntime runs). */
  decodeConcurrency?: number;
  /** Show a progress bar on stderr (default false in the library, true in the CLI). */
  progress?: boolean;
  /** Label for the progress bar (default: the dataset spec). */
  label?: string;
  /** Stops after the shard in flight; what was written stays cached. */
  signal?: AbortSignal;
}

export interface Features {
  /** Ids of the items with features, in dataset order (failed items left out: see skipped). */
  ids: string[];
  /** [N, dim] row-major, row i = ids[i]. */
  features: Float32Array;
  /** [N, dim] features of the mirrored images, when asked for with {flip: true}. */
  flipped?: Float32Array;
  /** K arrays [N, dim]: the augmented views, when asked for with {augViews: K}. */
  augmented?: Float32Array[];
  /** [N, dim] per re-framed view, in the order of `reframedInto` (frames of {reframe} but the dataset's own). */
  reframed?: Float32Array[];
  reframedInto?: AlignFrameName[];
  dim: number;
  /** Items that could not be encoded (bad files), with reasons; cached, so they are reported again, not retried. */
  skipped: Array<{ id: string; reason: string }>;
  /** Item counts served from the cache and computed by this call (computed > 0 only on a miss). */
  stats: { hits: number; computed: number; seconds: number; interrupted: boolean };
  /** Entry directory the features live in. */
  cacheEntry: string;
}

/**
 * 'ferplus:/data/ferplus:test:mode=plurality' -> 'ferplus:/data/ferplus'. The path is made absolute: the cache is
 * keyed by it, and `cafe features extract --data ferplus:../data/ferplus` must fill the entry `cafe train` reads.
 */
export function datasetRoot(spec: string): string {
  try {
    const p = parseSpec(spec);
    return `${p.adapter}:${resolvePath(p.path)}`;
  } catch {
    return spec; // hand-built datasets in tests may use free-form specs
  }
}

interface Work {
  item: DatasetItem;
  sig: string;
  views: View[];
}

/** Decodes items with bounded concurrency; failures come back as Error values instead of rejecting. */
async function decodeAll(items: DatasetItem[], concurrency: number): Promise<Array<RgbImage | Error>> {
  const out = new Array<RgbImage | Error>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        out[i] = await decodeItem(items[i]);
      } catch (err) {
        out[i] = err as Error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}

/** Joins per-part features of one dataset column-wise over the ids every part has (dataset order). */
function joinParts(parts: Features[], dataset: Dataset): Features {
  const t = joinTables(parts.map(tableOf), dataset);
  const skipped = new Map<string, string>();
  for (const f of parts) for (const x of f.skipped) if (!skipped.has(x.id)) skipped.set(x.id, x.reason);
  return {
    ids: [...t.row.keys()], // insertion order: dataset order
    features: t.features,
    ...(t.flipped ? { flipped: t.flipped } : {}),
    ...(t.augmented ? { augmented: t.augmented } : {}),
    ...(t.reframed ? { reframed: t.reframed, reframedInto: parts[0].reframedInto } : {}),
    dim: t.dim,
    skipped: [...skipped].map(([id, reason]) => ({ id, reason })),
    stats: {
      hits: Math.min(...parts.map((f) => f.stats.hits)),
      computed: Math.max(...parts.map((f) => f.stats.computed)),
      seconds: parts.reduce((a, f) => a + f.stats.seconds, 0),
      interrupted: parts.some((f) => f.stats.interrupted),
    },
    cacheEntry: parts.map((f) => f.cacheEntry).join(' + '),
  };
}

/** Features of every item of `dataset` under `encoder`; computes and caches what the cache lacks. */
export async function getFeatures(encoder: Encoder, dataset: Dataset, opts: FeatureOptions = {}): Promise<Features> {
  if (isConcatEncoder(encoder)) {
    // Each part reads and fills its own cache entry; the concatenation is never stored.
    const parts: Features[] = [];
    for (const p of encoder.parts) parts.push(await getFeatures(p, dataset, { ...opts, label: `${p.name} ${opts.label ?? dataset.spec}` }));
    return joinParts(parts, dataset);
  }
  const t0 = performance.now();
  // Keyed by the dataset root, not the full spec: splits and label modes of one dataset share its features (an
  // item's pixels depend only on its id, source and box, which the per-item signature covers).
  const key = { spec: datasetRoot(dataset.spec), encoder: encoder.name, preprocessHash: preprocessHash(encoder.preprocess), weightsHash: encoder.weightsHash, ...(opts.gray ? { colour: 'gray' as const } : {}) };
  const dir = entryDir(opts.cacheDir ?? defaultCacheDir(), key);
  const K = opts.augViews ?? 0;
  if (!Number.isInteger(K) || K < 0) throw invalidParameter('augViews', 'an integer >= 0', K);
  const augViews: View[] = Array.from({ length: K }, (_, k) => augmentView(k));
  // Re-framed views: every asked-for frame but the dataset's own.
  const own = opts.reframe?.length ? requireDatasetFrame(dataset.spec) : undefined;
  const reframedInto = own ? opts.reframe!.filter((f) => f !== own) : [];
  const reframeViews: View[] = reframedInto.map((to) => reframeView(own!, to));
  // What each view encodes, from the decoded crop.
  const transforms = new Map<View, (img: RgbImage, id: string) => RgbImage>([
    ['orig', (img) => img],
    ['flip', flipImage],
    ...augViews.map((v, k): [View, (img: RgbImage, id: string) => RgbImage] => [v, (img, id) => augmentFace(img, id, k)]),
    ...reframeViews.map((v, r): [View, (img: RgbImage) => RgbImage] => [v, (img) => reframeFace(img, own!, reframedInto[r])]),
  ]);
  const views: View[] = [...(opts.flip ? ['orig', 'flip'] as View[] : ['orig'] as View[]), ...augViews, ...reframeViews];
  const stores = new Map<View, EntryStore>(views.map((v) => [v, EntryStore.open(dir, v, encoder.dim)]));

  // What is missing, per item (a failure cached under the same signature counts as known, not missing).
  const sigs = dataset.items.map(itemSignature);
  const work: Work[] = [];
  dataset.items.forEach((item, i) => {
    const missing = views.filter((v) => {
      const s = stores.get(v)!;
      return s.rows.get(item.id)?.sig !== sigs[i] && s.failed.get(item.id)?.sig !== sigs[i];
    });
    if (missing.length) work.push({ item, sig: sigs[i], views: missing });
  });

  let interrupted = false;
  let computed = 0;
  if (work.length) {
    writeMeta(dir, { ...key, firstSpec: dataset.spec, dim: encoder.dim, preprocess: encoder.preprocess, weights: encoder.weightsPath, items: dataset.items.length, created: new Date().toISOString() });
    const shardSize = opts.shardSize ?? 1024;
    // Counted in encoder passes (an item needing both views counts 2), ticked every few batches, not per shard.
    const passes = work.reduce((a, w) => a + w.views.length, 0);
    const bar = new Progress(passes, `${opts.label ?? `${encoder.name} ${dataset.spec}`} (images${opts.flip ? ' + flips' : ''}${K ? ` + ${K} augmented views` : ''}${reframedInto.length ? ` + re-framed as ${reframedInto.join(', ')}` : ''})`, { silent: !opts.progress });
    const TICK = 128;
    let failures = 0;
    const chunks: Work[][] = [];
    for (let i = 0; i < work.length; i += shardSize) chunks.push(work.slice(i, i + shardSize));
    const concurrency = opts.decodeConcurrency ?? 8;
    // Decode shard k+1 (sharp, off the main thread) while shard k is encoded.
    let decoding = decodeAll(chunks[0].map((w) => w.item), concurrency);
    for (let c = 0; c < chunks.length; c++) {
      const chunk = chunks[c];
      const decoded = await decoding;
      const images = opts.gray ? decoded.map((im) => (im instanceof Error ? im : toGray(im))) : decoded;
      if (c + 1 < chunks.length) decoding = decodeAll(chunks[c + 1].map((w) => w.item), concurrency);
      for (const view of views) {
        const todo = chunk.map((w, i) => ({ w, img: images[i] })).filter((x) => x.w.views.includes(view));
        if (!todo.length) continue;
        const good = todo.filter((x): x is { w: Work; img: RgbImage } => !(x.img instanceof Error));
        const failed = todo.filter((x) => x.img instanceof Error).map((x) => ({ id: x.w.item.id, sig: x.w.sig, reason: (x.img as Error).message }));
        const transform = transforms.get(view)!;
        const batch = good.map((x) => transform(x.img, x.w.item.id));
        const feats = new Float32Array(batch.length * encoder.dim); // [n, dim]
        for (let s = 0; s < batch.length; s += TICK) {
          feats.set(await encoder.encode(batch.slice(s, s + TICK)), s * encoder.dim);
          bar.tick(Math.min(TICK, batch.length - s), failures ? `${failures} skipped` : undefined);
        }
        bar.tick(failed.length);
        stores.get(view)!.append(good.map((x) => x.w.item.id), good.map((x) => x.w.sig), feats, failed);
        if (view === views[0]) failures += failed.length;
      }
      computed += chunk.length;
      if (opts.signal?.aborted && c + 1 < chunks.length) {
        interrupted = true;
        await decoding.catch(() => undefined);
        break;
      }
    }
    bar.done(interrupted ? `interrupted: ${computed}/${work.length} written, rerun to resume` : failures ? `${failures} skipped` : undefined);
  }

  // Assemble in dataset order from the (now complete, unless interrupted) stores.
  const orig = stores.get('orig')!;
  const ids: string[] = [];
  const located: Located[] = [];
  const skipped: Features['skipped'] = [];
  dataset.items.forEach((item, i) => {
    const hit = orig.rows.get(item.id);
    // An item counts when every asked-for view has it.
    const extra = views.slice(1).map((v) => stores.get(v)!.rows.get(item.id));
    if (hit?.sig === sigs[i] && extra.every((h) => h?.sig === sigs[i])) {
      ids.push(item.id);
      located.push(hit);
    } else {
      const f = orig.failed.get(item.id) ?? views.slice(1).map((v) => stores.get(v)!.failed.get(item.id)).find((x) => x);
      if (f?.sig === sigs[i]) skipped.push({ id: item.id, reason: f.reason });
      else if (!interrupted) skipped.push({ id: item.id, reason: 'not encoded (unknown reason)' });
    }
  });
  const features = orig.gather(located);
  const gatherView = (v: View) => stores.get(v)!.gather(ids.map((id) => stores.get(v)!.rows.get(id)!));
  const flipped = opts.flip ? gatherView('flip') : undefined;
  const augmented = K ? augViews.map(gatherView) : undefined;
  const reframed = reframeViews.length ? reframeViews.map(gatherView) : undefined;
  return {
    ids,
    features,
    ...(flipped ? { flipped } : {}),
    ...(augmented ? { augmented } : {}),
    ...(reframed ? { reframed, reframedInto } : {}),
    dim: encoder.dim,
    skipped,
    stats: { hits: dataset.items.length - work.length, computed, seconds: (performance.now() - t0) / 1000, interrupted },
    cacheEntry: dir,
  };
}
