// Directory helpers shared by adapters. Existence checks use one readdir per folder instead of a stat per image:
// FERPlus has 35k files and a per-file stat would dominate opening the dataset.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileError } from '../errors.js';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp', '.bmp', '.gif'];

export function isImageName(name: string): boolean {
  const lower = name.toLowerCase();
  return IMAGE_EXTENSIONS.some((e) => lower.endsWith(e)) && !name.startsWith('.');
}

export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Throws a clear error when the dataset root is missing. */
export async function requireDirectory(path: string, what: string): Promise<void> {
  if (!(await isDirectory(path))) throw fileError(path, `${what}: directory not found`);
}

/** Entries of a directory (sorted), or throws naming it. */
export async function listDir(path: string): Promise<Array<{ name: string; dir: boolean }>> {
  try {
    const ents = await readdir(path, { withFileTypes: true });
    return ents
      .filter((e) => !e.name.startsWith('.'))
      .map((e) => ({ name: e.name, dir: e.isDirectory() }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (err) {
    throw fileError(path, `cannot list directory (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** Image files directly in `dir`, sorted. */
export async function listImages(dir: string): Promise<string[]> {
  return (await listDir(dir)).filter((e) => !e.dir && isImageName(e.name)).map((e) => e.name);
}

/** Image files under `dir` at any depth, as paths relative to `dir`, sorted. */
export async function listImagesRecursive(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(rel: string): Promise<void> {
    for (const e of await listDir(join(dir, rel))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.dir) await walk(r);
      else if (isImageName(e.name)) out.push(r);
    }
  }
  await walk('');
  return out.sort();
}

/** Caches directory listings so adapters can ask "does this file exist" cheaply for many files in few folders. */
export class FileIndex {
  private readonly dirs = new Map<string, Promise<Set<string> | null>>();

  async has(dir: string, name: string): Promise<boolean> {
    let p = this.dirs.get(dir);
    if (!p) {
      p = readdir(dir).then((names) => new Set(names), () => null);
      this.dirs.set(dir, p);
    }
    const set = await p;
    return set !== null && set.has(name);
  }
}
