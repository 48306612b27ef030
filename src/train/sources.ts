// Several training sources as one (#11 item 5): FER+ train plus, say, SFEW Train. Each source keeps its own feature
// cache entry (the cache is keyed by dataset root); the trainer sees one Dataset whose item ids carry a source prefix
// when there is more than one source, one merged feature table, and (optionally) per-item sampling weights that give
// each source its share of every epoch. Targets stay out: `data.exclude` names folders whose images are removed from
// every source (photos/sfew-frames holds the full frames of ~100 SFEW images, a target). By default a whole clip goes
// (data.excludeBy 'clip'): SFEW Train holds other frames of the same movie clips, near-duplicates of a target frame
// with the same face and label (53 such images for photos/sfew-frames).
import { readdirSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { fileError, invalidParameter } from '../errors.js';
import { isImageName } from '../data/fs-scan.js';
import type { Dataset, DatasetItem } from '../data/types.js';
import type { FeatureTable } from '../features/table.js';

/** The training specs of a config value: one spec or several. */
export function trainSpecs(train: string | string[]): string[] {
  const specs = typeof train === 'string' ? [train] : train;
  if (!Array.isArray(specs) || specs.length === 0 || specs.some((s) => typeof s !== 'string' || !s)) throw invalidParameter('data.train', 'a dataset spec or a non-empty list of specs', train);
  return specs;
}

/** What an excluded image takes with it: itself only, or every image of its clip. */
export type ExcludeBy = 'image' | 'clip';

/**
 * The key two images share when they belong together: the name stem ('image'), or the stem without a trailing frame
 * number, `_<digits>` ('clip': SFEW's Movie_Clip_Frame -> Movie_Clip, CK+'s S005_001_00000011 -> S005_001, the
 * sequence). Names without one are their own clip.
 */
export function excludeKey(stem: string, by: ExcludeBy): string {
  return by === 'clip' ? stem.replace(/_\d+$/, '') : stem;
}

/** What data.exclude takes out: the keys (excludeKey) of the images under its folders, and the rule that made them. */
export interface Exclusion {
  by: ExcludeBy;
  keys: Set<string>;
}

/** The exclusion of the images under the folders, recursively; excludeItems applies it with the same rule. */
export function excludedStems(folders: string[], by: ExcludeBy = 'clip'): Exclusion {
  if (by !== 'image' && by !== 'clip') throw invalidParameter('data.excludeBy', "'clip' or 'image'", by);
  const stems = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (isImageName(e.name)) stems.add(excludeKey(basename(e.name, extname(e.name)), by));
    }
  };
  for (const f of folders) {
    const dir = resolve(f);
    let ok = false;
    try {
      ok = statSync(dir).isDirectory();
    } catch {
      /* reported below */
    }
    if (!ok) throw fileError(dir, 'data.exclude: not a folder (each entry is a folder of images to keep out of training, e.g. a target)');
    walk(dir);
  }
  return { by, keys: stems };
}

function itemStem(it: DatasetItem): string {
  const name = it.source.kind === 'file' ? it.source.path : it.id;
  return basename(name, extname(name));
}

/** `ds` without the items the exclusion names (their key under its rule); the removed ones are listed in `skipped`. */
export function excludeItems(ds: Dataset, { by, keys }: Exclusion): Dataset {
  if (keys.size === 0) return ds;
  const kept: DatasetItem[] = [];
  const skipped = [...ds.skipped];
  for (const it of ds.items) {
    if (keys.has(excludeKey(itemStem(it), by))) skipped.push({ id: it.id, reason: `excluded (data.exclude: ${by === 'clip' ? 'its clip is' : 'the image is'} also a target)` });
    else kept.push(it);
  }
  return { ...ds, items: kept, skipped };
}

/** Several sources as one dataset. */
export interface MergedSources {
  dataset: Dataset;
  /** Source index of each item of dataset.items. */
  source: Int32Array;
  /** The sources, as given. */
  sources: Dataset[];
}

const SEP = '|';

/** Merged id of item `id` of source `k` (unchanged with a single source, so one-source runs keep their ids). */
export function mergedId(k: number, id: string, n: number): string {
  return n === 1 ? id : `${k}${SEP}${id}`;
}

/** Inverse of mergedId. */
export function splitMergedId(id: string, n: number): { source: number; id: string } {
  if (n === 1) return { source: 0, id };
  const at = id.indexOf(SEP);
  return { source: Number(id.slice(0, at)), id: id.slice(at + 1) };
}

export function mergeSources(sources: Dataset[]): MergedSources {
  if (sources.length === 1) return { dataset: sources[0], source: new Int32Array(sources[0].items.length), sources };
  const items: DatasetItem[] = [];
  const source: number[] = [];
  sources.forEach((ds, k) => {
    for (const it of ds.items) {
      items.push({ ...it, id: mergedId(k, it.id, sources.length) });
      source.push(k);
    }
  });
  const dataset: Dataset = {
    spec: sources.map((s) => s.spec).join(' + '),
    name: sources.map((s) => s.name).join('+'),
    items,
    skipped: sources.flatMap((s, k) => s.skipped.map((x) => ({ ...x, id: mergedId(k, x.id, sources.length) }))),
    notes: sources.flatMap((s) => s.notes.map((n) => `${s.name}: ${n}`)),
  };
  return { dataset, source: Int32Array.from(source), sources };
}

/** The items of source k among `items` (merged ids), with their own ids: what its feature cache is keyed by. */
export function sourceSubset(m: MergedSources, items: DatasetItem[], k: number): Dataset {
  const n = m.sources.length;
  const own = items.map((it) => ({ it, s: splitMergedId(it.id, n) })).filter((x) => x.s.source === k).map((x) => ({ ...x.it, id: x.s.id }));
  return { ...m.sources[k], items: own };
}

/** One table over merged ids from one table per source (all of the same encoder, so the same dim). */
export function mergeTables(tables: FeatureTable[]): FeatureTable {
  if (tables.length === 1) return tables[0];
  const dim = tables[0].dim;
  if (tables.some((t) => t.dim !== dim)) throw invalidParameter('feature tables', `one dim (${dim})`, tables.map((t) => t.dim).join(', '));
  const flip = tables.every((t) => t.flipped);
  const K = Math.min(...tables.map((t) => t.augmented?.length ?? 0)); // augmented views every table has
  const total = tables.reduce((a, t) => a + t.row.size, 0);
  const features = new Float32Array(total * dim); // [N, D]
  const flipped = flip ? new Float32Array(total * dim) : undefined; // [N, D]
  const augmented = Array.from({ length: K }, () => new Float32Array(total * dim)); // K x [N, D]
  const row = new Map<string, number>();
  let r = 0;
  tables.forEach((t, k) => {
    for (const [id, i] of t.row) {
      features.set(t.features.subarray(i * dim, (i + 1) * dim), r * dim);
      if (flipped) flipped.set(t.flipped!.subarray(i * dim, (i + 1) * dim), r * dim);
      augmented.forEach((a, v) => a.set(t.augmented![v].subarray(i * dim, (i + 1) * dim), r * dim));
      row.set(mergedId(k, id, tables.length), r++);
    }
  });
  return { dim, row, features, ...(flipped ? { flipped } : {}), ...(K ? { augmented } : {}) };
}

/**
 * Per-item sampling weights so that source k fills weights[k] / sum(weights) of every epoch ([] = none: each item
 * once per epoch, sources in proportion to their size). `source[i]` is item i's source.
 */
export function sourceSampleWeights(source: Int32Array, nSources: number, weights: number[]): Float64Array | undefined {
  if (weights.length === 0) return undefined;
  if (weights.length !== nSources || weights.some((w) => !(w >= 0) || !Number.isFinite(w)) || weights.every((w) => w === 0)) {
    throw invalidParameter('data.sourceWeights', `${nSources} non-negative numbers, one per data.train source, not all 0 (or [] for none)`, JSON.stringify(weights));
  }
  const count = new Array<number>(nSources).fill(0);
  for (const s of source) count[s]++;
  for (let k = 0; k < nSources; k++) if (weights[k] > 0 && count[k] === 0) throw invalidParameter('data.sourceWeights', `a weight of 0 for source ${k}, which has no training items`, weights[k]);
  return Float64Array.from(source, (s) => weights[s] / count[s]);
}
