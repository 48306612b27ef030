// Cached frozen-encoder features, looked up by item id for the trainer and the evaluator. The encoder is frozen, so
// F (and the F of the mirrored image) is computed once by getFeatures (extract.ts) and read here; nothing is
// re-encoded per step. Deviation from the official code (which re-encodes the augmented image every step): random
// erasing and noise reach the mask CNN only; the flip and the augmented views (augment.ts, data.augViews) reach both,
// because their features are cached too.
import { resolve } from 'node:path';
import { createEncoder } from '../encoders/registry.js';
import { preprocessHash } from '../encoders/preprocess-node.js';
import type { Encoder } from '../encoders/types.js';
import { isConcatEncoder } from '../encoders/concat.js';
import { joinTables, tableOf } from './join.js';
import { datasetRoot, getFeatures } from './extract.js';
import { defaultCacheDir, entryDir, EntryStore, itemSignature } from './store.js';
import { formatSpec, parseSpec } from '../data/spec.js';
import type { Dataset } from '../data/types.js';
import { invalidParameter } from '../errors.js';

export interface FeatureTable {
  dim: number;
  /** id -> row in features/flipped. */
  row: Map<string, number>;
  features: Float32Array; // [N, D]
  flipped?: Float32Array; // [N, D]
  /** K augmented views (augment.ts), each [N, D]. */
  augmented?: Float32Array[];
  /** Views re-framed into other canonical frames (reframe.ts), each [N, D]; the probe's training rows only. */
  reframed?: Float32Array[];
}

/** A spec with its path made absolute: the feature cache is keyed by the spec's root, so spellings must agree. */
export function absoluteSpec(spec: string): string {
  try {
    const p = parseSpec(spec);
    return formatSpec({ ...p, path: resolve(p.path) });
  } catch {
    return spec;
  }
}

let encoders = new Map<string, Promise<Encoder>>();

async function encoderFor(name: string): Promise<Encoder> {
  if (!encoders.has(name)) encoders.set(name, createEncoder(name));
  return encoders.get(name)!;
}

/** The weights hash of the encoder `name` resolves to here (the same session loadFeatureTable uses). */
export async function encoderWeightsHash(name: string): Promise<string> {
  return (await encoderFor(name)).weightsHash;
}

/** Releases the encoder sessions opened for cache keys. */
export async function disposeEncoders(): Promise<void> {
  for (const e of encoders.values()) await (await e).dispose();
  encoders = new Map();
}

/**
 * Features of `dataset` under `encoderName`. With allowPartial, reads only what the cache holds (items without
 * features are left out, so the caller trains on the rest); otherwise computes what is missing (slow: minutes).
 */
export async function loadFeatureTable(encoderName: string, dataset: Dataset, opts: { flip: boolean; augViews?: number; cacheDir?: string; allowPartial?: boolean; progress?: boolean; gray?: boolean }): Promise<FeatureTable> {
  const encoder = await encoderFor(encoderName);
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  if (opts.allowPartial && opts.gray) throw invalidParameter('encoder.allowPartial', 'false when reading gray features', true);
  if (opts.allowPartial && opts.augViews) throw invalidParameter('encoder.allowPartial', 'false when data.augViews > 0 (augmented views are read whole)', true);
  if (opts.allowPartial && isConcatEncoder(encoder)) {
    // Each part's cached rows; the items every part has, columns joined.
    const parts: FeatureTable[] = [];
    for (const p of encoder.parts) parts.push(await loadFeatureTable(p.name, dataset, opts));
    return joinTables(parts, dataset);
  }
  if (opts.allowPartial) {
    const key = { spec: datasetRoot(dataset.spec), encoder: encoder.name, preprocessHash: preprocessHash(encoder.preprocess), weightsHash: encoder.weightsHash };
    const dir = entryDir(cacheDir, key);
    const orig = EntryStore.open(dir, 'orig', encoder.dim);
    const flip = opts.flip ? EntryStore.open(dir, 'flip', encoder.dim) : undefined;
    const ids: string[] = [];
    for (const item of dataset.items) {
      const sig = itemSignature(item);
      if (orig.rows.get(item.id)?.sig === sig && (!flip || flip.rows.get(item.id)?.sig === sig)) ids.push(item.id);
    }
    return {
      dim: encoder.dim,
      row: new Map(ids.map((id, i) => [id, i])),
      features: orig.gather(ids.map((id) => orig.rows.get(id)!)),
      ...(flip ? { flipped: flip.gather(ids.map((id) => flip.rows.get(id)!)) } : {}),
    };
  }
  return tableOf(await getFeatures(encoder, dataset, { flip: opts.flip, augViews: opts.augViews ?? 0, cacheDir, progress: opts.progress ?? true, gray: opts.gray }));
}

/** Gathers rows [B, D] for a batch; `view[b]` = k >= 0 picks augmented view k, else `flipped[b]` the mirrored image's feature. */
export function gatherFeatures(t: FeatureTable, ids: string[], flipped?: Uint8Array, view?: Int16Array): Float32Array {
  const D = t.dim;
  const out = new Float32Array(ids.length * D);
  ids.forEach((id, b) => {
    const r = t.row.get(id);
    if (r === undefined) throw new Error(`no cached feature for '${id}'`);
    const k = view?.[b] ?? -1;
    if (k >= 0 && !t.augmented?.[k]) throw new Error(`no cached augmented view ${k} for '${id}' (the table has ${t.augmented?.length ?? 0})`);
    const src = k >= 0 ? t.augmented![k] : flipped?.[b] ? t.flipped! : t.features;
    out.set(src.subarray(r * D, (r + 1) * D), b * D);
  });
  return out;
}
