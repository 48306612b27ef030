// On-disk cache of decoded, cropped, resized images, so an epoch never decodes an image twice.
// One flat file per (dataset items, image options): row i holds item i as size*size*3 uint8 RGB (HWC); a JSON index
// next to it lists the item ids and which rows failed (unreadable, all-black). Both are written to temp files and
// renamed into place, so a crash never leaves a half-written cache that looks valid. The key hashes the item list
// (ids, image paths or pixel bytes, face boxes) and the image options: any change gives a new file. Image file
// contents are not hashed (that would mean reading every file to check the cache); `rebuild: true` forces a rebuild.
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { mkdir, open, readFile, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { fileError } from '../errors.js';
import { Progress } from '../util/progress.js';
import { DEFAULT_IMAGE_OPTIONS, checkImageOptions, isBlank, loadFace, type ImageOptions } from './image.js';
import type { Dataset } from './types.js';

const FORMAT_VERSION = 1;

export interface CacheOptions {
  /** Cache folder; default $CAFE_CACHE_DIR, else .cache/cafe under the current directory (the repo root in use). */
  dir?: string;
  /** Rebuild even when a valid cache exists; default false. */
  rebuild?: boolean;
  /** Parallel decodes; default 2 x available CPUs (sharp decodes on libuv threads, I/O overlaps). */
  concurrency?: number;
  /** Show a progress bar on stderr while building; default true. */
  progress?: boolean;
}

interface CacheIndex {
  version: number;
  key: string;
  spec: string;
  size: number;
  image: ImageOptions;
  ids: string[];
  failed: Array<{ row: number; id: string; reason: string }>;
}

export interface ImageCache {
  /** Path of the uint8 file. */
  path: string;
  size: number;
  /** Bytes per row (size * size * 3). */
  rowBytes: number;
  /** Row of each item id; items that failed are absent. */
  rows: Map<string, number>;
  failed: Array<{ id: string; reason: string }>;
  /** True when this call built the cache (cold), false when it was reused (warm). */
  built: boolean;
  /** Reads rows into `out` (rowBytes each, in order). */
  readRows(rows: ArrayLike<number>, out: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export function defaultCacheDir(): string {
  return process.env.CAFE_CACHE_DIR ? resolve(process.env.CAFE_CACHE_DIR) : resolve('.cache', 'cafe');
}

/** The cache key: what determines the cached bytes. */
export function cacheKey(dataset: Dataset, image: ImageOptions): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ v: FORMAT_VERSION, image: { size: image.size, margin: image.margin, fit: image.fit, skipBlank: image.skipBlank } }));
  for (const it of dataset.items) {
    h.update(it.id);
    h.update('\0');
    if (it.source.kind === 'file') h.update(it.source.path);
    else h.update(`${it.source.width}x${it.source.height}x${it.source.channels}`).update(it.source.data);
    if (it.box) h.update(`${it.box.x},${it.box.y},${it.box.width},${it.box.height}`);
    h.update('\n');
  }
  return h.digest('hex').slice(0, 20);
}

function cacheFileBase(dataset: Dataset, image: ImageOptions, key: string): string {
  return `${dataset.name.replace(/[^\w-]/g, '_')}-${image.size}px-${image.fit}-m${image.margin}-${key}`;
}

async function tryReadIndex(path: string, key: string, rowBytes: number, dataPath: string): Promise<CacheIndex | undefined> {
  try {
    const idx = JSON.parse(await readFile(path, 'utf8')) as CacheIndex;
    if (idx.version !== FORMAT_VERSION || idx.key !== key) return undefined;
    if ((await stat(dataPath)).size !== idx.ids.length * rowBytes) return undefined;
    return idx;
  } catch {
    return undefined;
  }
}

async function buildCache(dataset: Dataset, image: ImageOptions, key: string, dataPath: string, indexPath: string, opts: CacheOptions): Promise<CacheIndex> {
  const rowBytes = image.size * image.size * 3;
  const tag = `${process.pid}-${Date.now()}`;
  const tmpData = `${dataPath}.${tag}.tmp`;
  const tmpIndex = `${indexPath}.${tag}.tmp`;
  const failed: CacheIndex['failed'] = [];
  const items = dataset.items;
  const progress = new Progress(items.length, `cache ${dataset.name} ${image.size}px`, { silent: opts.progress === false });
  // sharp's operation cache only helps repeated work on the same input; one-shot decodes run ~15% faster without it.
  sharp.cache(false);
  const fh = await open(tmpData, 'w');
  try {
    await fh.truncate(items.length * rowBytes);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < items.length) {
        const row = next++;
        const it = items[row];
        try {
          const img = await loadFace(it.source, it.box, image);
          if (image.skipBlank && isBlank(img.data)) failed.push({ row, id: it.id, reason: 'all-black image' });
          else await fh.write(img.data, 0, rowBytes, row * rowBytes);
        } catch (err) {
          failed.push({ row, id: it.id, reason: (err as Error).message });
        }
        progress.tick(1, failed.length ? `${failed.length} skipped` : '');
      }
    };
    const n = Math.max(1, opts.concurrency ?? 2 * availableParallelism());
    await Promise.all(Array.from({ length: Math.min(n, Math.max(1, items.length)) }, worker));
  } catch (err) {
    await fh.close();
    await rm(tmpData, { force: true });
    throw err;
  }
  await fh.close();
  progress.done(failed.length ? `${failed.length} skipped` : '');
  failed.sort((a, b) => a.row - b.row);
  if (failed.length && opts.progress !== false) {
    // Say what was skipped, not just how many: the user may want to fix or delete those files.
    const lines = failed.slice(0, 10).map((f) => `  skipped ${f.id}: ${f.reason}`);
    if (failed.length > 10) lines.push(`  ... ${failed.length - 10} more (ImageCache.failed lists all)`);
    process.stderr.write(`cache ${dataset.name}: ${failed.length} of ${items.length} images skipped\n${lines.join('\n')}\n`);
  }
  const index: CacheIndex = { version: FORMAT_VERSION, key, spec: dataset.spec, size: image.size, image, ids: items.map((it) => it.id), failed };
  await writeFile(tmpIndex, JSON.stringify(index));
  // Data first, index last: an index on disk always describes a complete data file.
  await rename(tmpData, dataPath);
  await rename(tmpIndex, indexPath);
  return index;
}

/** Opens (building when needed) the image cache of a dataset at the given image options. */
export async function openImageCache(dataset: Dataset, imageOpts: Partial<ImageOptions> = {}, opts: CacheOptions = {}): Promise<ImageCache> {
  const image: ImageOptions = { ...DEFAULT_IMAGE_OPTIONS, ...imageOpts };
  checkImageOptions(image);
  const dir = opts.dir ?? defaultCacheDir();
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw fileError(dir, `cannot create cache folder (${(err as NodeJS.ErrnoException).code})`);
  }
  const key = cacheKey(dataset, image);
  const base = join(dir, cacheFileBase(dataset, image, key));
  const dataPath = `${base}.u8`;
  const indexPath = `${base}.json`;
  const rowBytes = image.size * image.size * 3;
  let index = opts.rebuild ? undefined : await tryReadIndex(indexPath, key, rowBytes, dataPath);
  const built = !index;
  if (!index) index = await buildCache(dataset, image, key, dataPath, indexPath, opts);
  const bad = new Set(index.failed.map((f) => f.row));
  const rows = new Map<string, number>();
  index.ids.forEach((id, row) => {
    if (!bad.has(row)) rows.set(id, row);
  });
  let fh: FileHandle | undefined = await open(dataPath, 'r');
  return {
    path: dataPath,
    size: image.size,
    rowBytes,
    rows,
    failed: index.failed.map(({ id, reason }) => ({ id, reason })),
    built,
    async readRows(list, out) {
      if (!fh) throw fileError(dataPath, 'cache is closed');
      const handle = fh;
      // Coalesce runs of consecutive rows into one read (unshuffled evaluation reads whole batches in one go).
      const jobs: Array<Promise<unknown>> = [];
      let i = 0;
      while (i < list.length) {
        let j = i + 1;
        while (j < list.length && list[j] === list[j - 1] + 1) j++;
        jobs.push(handle.read(out, i * rowBytes, (j - i) * rowBytes, list[i] * rowBytes));
        i = j;
      }
      await Promise.all(jobs);
    },
    async close() {
      await fh?.close();
      fh = undefined;
    },
  };
}
