// On-disk feature cache. One entry directory per (dataset spec, encoder, preprocessing hash, weights hash); inside,
// append-only shards per view ('orig', 'flip', 'aug1x0'...):
//   meta.json                  what the entry is for (human-readable; the key is the directory name)
//   <view>-<stamp>.f32         float32 rows [count, dim], little-endian
//   <view>-<stamp>.json        { ids, sigs, failed } : the commit marker, written after its .f32
// Both files are written to a temp name and renamed, so a killed job leaves whole shards only and a rerun resumes.
// An item is a hit when its id is in a shard with the same source signature (a hash of the file's bytes, or of the
// pixels): editing an image re-encodes just that image; copying the dataset elsewhere (new mtimes) does not. Later shards win over earlier ones.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileError } from '../errors.js';
import type { DatasetItem } from '../data/types.js';
import { writeAtomic } from '../util/atomic.js';

/** 'orig', 'flip' (mirrored), augmented view k under augment version v ('aug<v>x<k>', see augment.ts), or the crop
 *  re-framed into a named frame under reframe version v ('reframe<v><frame>', see reframe.ts). */
export type View = 'orig' | 'flip' | `aug${number}x${number}` | `reframe${number}${string}`;

/** Bump when the layout changes: old entries then simply miss. */
export const STORE_FORMAT = 1;

export interface EntryKey {
  spec: string;
  encoder: string;
  preprocessHash: string;
  weightsHash: string;
  /** 'gray': the images were read as luma (FeatureOptions.gray); absent = as decoded. */
  colour?: 'gray';
}

export interface ShardIndex {
  ids: string[];
  sigs: string[];
  failed: Array<{ id: string; sig: string; reason: string }>;
  dim: number;
}

/** Default cache root: $CAFE_CACHE_DIR, else .cache/cafe/features under the working directory. */
export function defaultCacheDir(): string {
  return resolve(process.env.CAFE_CACHE_DIR ?? join('.cache', 'cafe', 'features'));
}

export function entryId(key: EntryKey): string {
  // colour only when set: entries made before it existed keep their ids.
  const canon = JSON.stringify([STORE_FORMAT, key.spec, key.encoder, key.preprocessHash, key.weightsHash, ...(key.colour ? [key.colour] : [])]);
  return createHash('sha256').update(canon).digest('hex').slice(0, 20);
}

/** Directory of an entry: <root>/<encoder, made path-safe>/<hash of the key>. */
export function entryDir(root: string, key: EntryKey): string {
  const safe = key.encoder.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);
  return join(root, safe, entryId(key));
}

/**
 * Identity of an item's pixels: changes when the file's bytes, the pixels or the face box change. Files are hashed by
 * content, not (size, mtime): research datasets get copied, re-extracted and re-mounted, which resets every mtime
 * and would silently invalidate hours of cached features (it did: the shared datasets were re-materialised between
 * sessions). Hashing is cheap next to encoding (FERPlus' 35k PNGs: ~2 s).
 */
export function itemSignature(item: DatasetItem): string {
  const box = item.box ? `|${item.box.x},${item.box.y},${item.box.width},${item.box.height}` : '';
  if (item.source.kind === 'file') {
    try {
      const bytes = readFileSync(item.source.path);
      return `c${createHash('sha1').update(bytes).digest('hex').slice(0, 16)}-${bytes.length}${box}`;
    } catch {
      return `missing${box}`;
    }
  }
  const s = item.source;
  const h = createHash('sha1').update(s.data).digest('hex').slice(0, 16);
  return `p${s.width}x${s.height}x${s.channels}-${h}${box}`;
}

export interface Located {
  sig: string;
  shard: number; // index into EntryStore.shards
  row: number;
}

/** The shards of one entry and one view, indexed by item id. */
export class EntryStore {
  readonly shards: Array<{ base: string; index: ShardIndex }> = [];
  readonly rows = new Map<string, Located>();
  readonly failed = new Map<string, { sig: string; reason: string }>();
  private seq = 0;

  constructor(readonly dir: string, readonly view: View, readonly dim: number) {}

  /** Reads every committed shard of this view; removes temp files left by killed runs. */
  static open(dir: string, view: View, dim: number): EntryStore {
    const store = new EntryStore(dir, view, dim);
    if (!existsSync(dir)) return store;
    const names = readdirSync(dir).sort(); // stamps sort by time, so later shards override earlier ones
    for (const name of names) {
      if (name.includes('.tmp-')) {
        // A temp file of a live concurrent writer is younger than a minute; older ones are debris.
        const p = join(dir, name);
        try {
          if (Date.now() - statSync(p).mtimeMs > 60_000) unlinkSync(p);
        } catch {
          /* raced with another cleaner */
        }
        continue;
      }
      if (!name.startsWith(`${view}-`) || !name.endsWith('.json')) continue;
      const base = join(dir, name.slice(0, -'.json'.length));
      let index: ShardIndex;
      try {
        index = JSON.parse(readFileSync(`${base}.json`, 'utf8'));
      } catch (err) {
        throw fileError(`${base}.json`, `corrupt feature-cache shard index (delete the file to recompute): ${(err as Error).message}`);
      }
      if (index.dim !== dim) continue; // written by a different model with the same name: ignore
      const shard = store.shards.length;
      store.shards.push({ base, index });
      index.ids.forEach((id, row) => {
        store.rows.set(id, { sig: index.sigs[row], shard, row });
        store.failed.delete(id);
      });
      for (const f of index.failed) {
        store.failed.set(f.id, { sig: f.sig, reason: f.reason });
        store.rows.delete(f.id);
      }
    }
    return store;
  }

  /** Appends a shard: features [ids.length, dim]. Atomic: .f32 first, then the .json that commits it. */
  append(ids: string[], sigs: string[], features: Float32Array, failed: ShardIndex['failed']): void {
    if (features.length !== ids.length * this.dim) throw new Error(`shard: ${features.length} floats for ${ids.length} x ${this.dim}`);
    mkdirSync(this.dir, { recursive: true });
    const stamp = `${Date.now().toString(36).padStart(9, '0')}-${process.pid}-${String(this.seq++).padStart(5, '0')}`;
    const base = join(this.dir, `${this.view}-${stamp}`);
    writeAtomic(`${base}.f32`, new Uint8Array(features.buffer, features.byteOffset, features.byteLength));
    const index: ShardIndex = { ids, sigs, failed, dim: this.dim };
    writeAtomic(`${base}.json`, JSON.stringify(index));
    const shard = this.shards.length;
    this.shards.push({ base, index });
    ids.forEach((id, row) => {
      this.rows.set(id, { sig: sigs[row], shard, row });
      this.failed.delete(id);
    });
    for (const f of failed) {
      this.failed.set(f.id, { sig: f.sig, reason: f.reason });
      this.rows.delete(f.id);
    }
  }

  /** Copies the rows of `located` (in order) into one [n, dim] array, reading each shard file once. */
  gather(located: Located[]): Float32Array {
    const out = new Float32Array(located.length * this.dim);
    const byShard = new Map<number, number[]>();
    located.forEach((l, i) => {
      const list = byShard.get(l.shard);
      if (list) list.push(i);
      else byShard.set(l.shard, [i]);
    });
    for (const [shard, positions] of byShard) {
      const path = `${this.shards[shard].base}.f32`;
      const buf = readFileSync(path);
      const expected = this.shards[shard].index.ids.length * this.dim * 4;
      if (buf.length !== expected) throw fileError(path, `feature shard has ${buf.length} bytes, expected ${expected} (delete it to recompute)`);
      // Small reads may come from Node's shared pool at an unaligned offset: copy those.
      const aligned = buf.byteOffset % 4 === 0 ? buf : new Uint8Array(buf);
      const rows = new Float32Array(aligned.buffer, aligned.byteOffset, aligned.length / 4);
      for (const i of positions) {
        const r = located[i].row;
        out.set(rows.subarray(r * this.dim, (r + 1) * this.dim), i * this.dim);
      }
    }
    return out;
  }
}

/** Writes meta.json once per entry, for humans browsing the cache. */
export function writeMeta(dir: string, meta: Record<string, unknown>): void {
  const path = join(dir, 'meta.json');
  if (existsSync(path)) return;
  mkdirSync(dir, { recursive: true });
  writeAtomic(path, JSON.stringify(meta, null, 2));
}
