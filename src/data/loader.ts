// Batches for training and evaluation: reads cached images (src/data/cache.ts), applies seeded augmentation and the
// model's normalisation, and yields float32 NCHW batches ahead of time (prefetch) so the training step, not the
// data, sets the pace. Deterministic: the order of epoch e and every random draw for item i in it depend only on
// (seed, e, i), not on timing or prefetch depth.
import { EXPRESSIONS, expressionIndex, NUM_CLASSES } from '../labels.js';
import { invalidParameter } from '../errors.js';
import { openImageCache, type CacheOptions, type ImageCache } from './cache.js';
import type { ImageOptions, RgbImage } from './image.js';
import { hashString, Rng } from '../util/rng.js';
import { augmentInto, checkNormalization, DEFAULT_AUGMENT, writeNormalizedCHW, type AugmentOptions, type Normalization } from './transforms.js';
import type { Dataset, DatasetItem } from './types.js';

export interface Batch {
  /** [B, 3, H, W] normalised. */
  images: Float32Array;
  /** [B] class index in EXPRESSIONS order; -1 for unlabelled items. */
  labels: Int32Array;
  /** [B, 7] soft labels, when the dataset has any (items without one get their one-hot label). */
  soft?: Float32Array;
  ids: string[];
  /** Batch size (the last batch may be smaller unless dropLast). */
  size: number;
  /** [B] which image each row is, with LoaderOptions.views: -1 = the item's own image, k = its view k. */
  view?: Int16Array;
}

/**
 * Alternative views of the items (the encoder's augmented views, features/augment.ts): with probability `p` an item's
 * image is replaced by `apply(image, id, k)`, k drawn uniformly from 0..count-1, before the loader's own augmentation;
 * Batch.view says which, so the caller can pick the matching cached feature. Injected, so the data layer does not
 * depend on the feature code.
 */
export interface ViewOptions {
  count: number;
  p: number;
  apply(img: RgbImage, id: string, k: number): RgbImage;
}

export interface LoaderOptions {
  /** Mean/std from the model's preprocessing config (required: the data layer does not guess a model's input). */
  normalization: Normalization;
  /** Decode/crop/resize options (size, margin, fit); default DEFAULT_IMAGE_OPTIONS (112 px, fill). */
  image?: Partial<ImageOptions>;
  /** Images per batch; default 64. */
  batchSize?: number;
  /** Shuffle each epoch; default true. */
  shuffle?: boolean;
  /** Seed of shuffling and augmentation; default 0. */
  seed?: number;
  /** Drop the last incomplete batch; default false. */
  dropLast?: boolean;
  /** Batches prepared ahead of the consumer; default 4. */
  prefetch?: number;
  /** Training augmentation: true = DEFAULT_AUGMENT, an object overrides fields of it; default false (evaluation). */
  augment?: boolean | Partial<AugmentOptions>;
  /** Where and how the image cache lives. */
  cache?: CacheOptions;
  /**
   * Sampling weights, one per dataset item (dataset.items order): each epoch then draws as many items as there are,
   * with replacement, item i with probability weights[i] / sum (e.g. a share of each epoch per training source).
   * Default: every item once per epoch.
   */
  weights?: Float64Array;
  /** Alternative views per item (training only; needs augment). Default none. */
  views?: ViewOptions;
}

export class DataLoader {
  readonly dataset: Dataset;
  readonly cache: ImageCache;
  /** Items that have a cached image (failed decodes and all-black images are left out). */
  readonly items: DatasetItem[];
  private readonly rows: Int32Array;
  private readonly opts: Required<Omit<LoaderOptions, 'image' | 'cache' | 'augment' | 'weights' | 'views'>> & { augment: AugmentOptions | null; views?: ViewOptions };
  private readonly hasSoft: boolean;
  /** Cumulative sampling weights over this.items (weighted sampling), or undefined. */
  private readonly cumulative?: Float64Array;

  private constructor(dataset: Dataset, cache: ImageCache, opts: LoaderOptions) {
    this.dataset = dataset;
    this.cache = cache;
    const keep = dataset.items.map((it) => cache.rows.has(it.id));
    this.items = dataset.items.filter((_, i) => keep[i]);
    if (opts.weights) {
      if (opts.weights.length !== dataset.items.length) throw invalidParameter('weights', `one weight per dataset item (${dataset.items.length})`, opts.weights.length);
      const w = opts.weights.filter((_, i) => keep[i]);
      if (w.some((x) => !(x >= 0) || !Number.isFinite(x)) || !w.some((x) => x > 0)) throw invalidParameter('weights', 'finite non-negative numbers, not all 0', 'other');
      this.cumulative = new Float64Array(w.length);
      let acc = 0;
      w.forEach((x, i) => (this.cumulative![i] = acc += x));
    }
    this.rows = Int32Array.from(this.items, (it) => cache.rows.get(it.id)!);
    this.hasSoft = this.items.some((it) => it.soft);
    const augment = opts.augment === true ? DEFAULT_AUGMENT : opts.augment ? { ...DEFAULT_AUGMENT, ...opts.augment } : null;
    this.opts = {
      normalization: opts.normalization,
      batchSize: opts.batchSize ?? 64,
      shuffle: opts.shuffle ?? true,
      seed: opts.seed ?? 0,
      dropLast: opts.dropLast ?? false,
      prefetch: opts.prefetch ?? 4,
      augment,
      ...(opts.views ? { views: opts.views } : {}),
    };
    const v = opts.views;
    if (v) {
      if (!augment) throw invalidParameter('views', 'training augmentation on (augment)', 'augment off');
      if (!Number.isInteger(v.count) || v.count < 1) throw invalidParameter('views.count', 'an integer >= 1', v.count);
      if (!(v.p >= 0 && v.p <= 1)) throw invalidParameter('views.p', 'a probability in [0, 1]', v.p);
    }
    if (!Number.isInteger(this.opts.batchSize) || this.opts.batchSize < 1) throw invalidParameter('batchSize', 'a positive integer', opts.batchSize);
    if (!Number.isInteger(this.opts.prefetch) || this.opts.prefetch < 1) throw invalidParameter('prefetch', 'a positive integer', opts.prefetch);
  }

  /** Opens the cache (building it on first use) and returns a loader over the cached items. */
  static async create(dataset: Dataset, opts: LoaderOptions): Promise<DataLoader> {
    checkNormalization(opts.normalization);
    const cache = await openImageCache(dataset, opts.image, opts.cache);
    return new DataLoader(dataset, cache, opts);
  }

  get size(): number {
    return this.cache.size;
  }

  /** Batches one epoch yields. */
  get batchesPerEpoch(): number {
    const n = this.items.length;
    return this.opts.dropLast ? Math.floor(n / this.opts.batchSize) : Math.ceil(n / this.opts.batchSize);
  }

  /** Item order of an epoch (indices into this.items). */
  order(epoch: number): Int32Array {
    if (this.cumulative) {
      // Weighted draw with replacement: inverse CDF by binary search, seeded per epoch like the shuffle.
      const c = this.cumulative;
      const total = c[c.length - 1];
      const rng = new Rng((this.opts.seed * 1000003 + epoch * 7919 + 2) >>> 0);
      return Int32Array.from({ length: c.length }, () => {
        const u = rng.next() * total;
        let lo = 0;
        let hi = c.length - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (c[mid] > u) hi = mid;
          else lo = mid + 1;
        }
        return lo;
      });
    }
    const idx = Int32Array.from({ length: this.items.length }, (_, i) => i);
    if (this.opts.shuffle) new Rng((this.opts.seed * 1000003 + epoch * 7919 + 1) >>> 0).shuffle(idx);
    return idx;
  }

  private async makeBatch(epoch: number, order: Int32Array, start: number, count: number): Promise<Batch> {
    const s = this.cache.size;
    const plane = s * s * 3;
    const pixels = new Uint8Array(count * this.cache.rowBytes);
    const rows = new Int32Array(count);
    for (let b = 0; b < count; b++) rows[b] = this.rows[order[start + b]];
    await this.cache.readRows(rows, pixels);
    const images = new Float32Array(count * plane);
    const labels = new Int32Array(count);
    const soft = this.hasSoft ? new Float32Array(count * NUM_CLASSES) : undefined;
    const ids: string[] = [];
    const aug = this.opts.augment;
    const views = this.opts.views;
    const view = views ? new Int16Array(count).fill(-1) : undefined;
    for (let b = 0; b < count; b++) {
      const item = this.items[order[start + b]];
      ids.push(item.id);
      labels[b] = item.label ? expressionIndex(item.label) : -1;
      if (soft) {
        if (item.soft) soft.set(item.soft, b * NUM_CLASSES);
        else if (item.label) soft[b * NUM_CLASSES + labels[b]] = 1;
      }
      let img: RgbImage = { width: s, height: s, data: pixels.subarray(b * plane, (b + 1) * plane) };
      if (aug) {
        // With weighted sampling an item can come twice in an epoch: its slot joins the seed so the copies differ.
        const slot = this.cumulative ? Math.imul(start + b + 1, 0x27d4eb2f) : 0;
        const rng = new Rng((hashString(item.id) ^ Math.imul(this.opts.seed + 1, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca6b) ^ slot) >>> 0);
        if (views && view) {
          // Drawn only when views are on, so runs without them keep their random stream.
          const useView = rng.next() < views.p;
          const k = Math.min(views.count - 1, Math.floor(rng.next() * views.count));
          if (useView) {
            img = views.apply(img, item.id, k);
            view[b] = k;
          }
        }
        augmentInto(img, aug, this.opts.normalization, rng, images, b * plane);
      } else writeNormalizedCHW(img, this.opts.normalization, images, b * plane);
    }
    return { images, labels, ...(soft ? { soft } : {}), ids, size: count, ...(view ? { view } : {}) };
  }

  /** One epoch of batches, prepared `prefetch` batches ahead. */
  async *epoch(epoch = 0): AsyncGenerator<Batch> {
    const order = this.order(epoch);
    const bs = this.opts.batchSize;
    const starts: number[] = [];
    for (let i = 0; i < order.length; i += bs) {
      if (this.opts.dropLast && i + bs > order.length) break;
      starts.push(i);
    }
    const queue: Array<Promise<Batch>> = [];
    let next = 0;
    const fill = (): void => {
      while (queue.length < this.opts.prefetch && next < starts.length) {
        const st = starts[next++];
        const p = this.makeBatch(epoch, order, st, Math.min(bs, order.length - st));
        p.catch(() => undefined); // surfaced when awaited below; avoids an unhandled rejection meanwhile
        queue.push(p);
      }
    };
    fill();
    while (queue.length > 0) {
      const batch = await queue.shift()!;
      fill();
      yield batch;
    }
  }

  async close(): Promise<void> {
    await this.cache.close();
  }
}

export { EXPRESSIONS };
