// Expands predict's arguments: files (taken as given, whatever their extension, so a non-image is reported rather
// than silently skipped), directories (walked recursively for image extensions) and globs (* ? ** in the last
// path parts; expanded here so quoting them works the same on every shell).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { packageDir } from '../runtime/node-packages.js';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.bmp', '.gif', '.avif', '.heic', '.heif'];

function isImageName(name: string): boolean {
  const n = name.toLowerCase();
  return IMAGE_EXTENSIONS.some((e) => n.endsWith(e));
}

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    let st;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) walk(p, out);
    else if (isImageName(name)) out.push(p);
  }
}

function globToRegex(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export interface ExpandedInputs {
  files: string[];
  /** Arguments that matched nothing (reported as failures: a typo must not pass silently). */
  missing: string[];
}

export function expandInputs(args: string[]): ExpandedInputs {
  const files: string[] = [];
  const missing: string[] = [];
  for (const a of args) {
    if (/[*?]/.test(a)) {
      const parts = a.split(/[\\/]/);
      const first = parts.findIndex((p) => /[*?]/.test(p));
      const base = parts.slice(0, first).join('/') || '.';
      const re = globToRegex(resolve(a).split(sep).join('/'));
      const all: string[] = [];
      if (existsSync(base)) walk(base, all);
      const hits = all.filter((f) => re.test(resolve(f).split(sep).join('/')));
      if (hits.length === 0) missing.push(a);
      files.push(...hits);
    } else if (existsSync(a) && statSync(a).isDirectory()) {
      const before = files.length;
      walk(a, files);
      if (files.length === before) missing.push(a);
    } else if (existsSync(a)) files.push(a);
    else missing.push(a);
  }
  return { files: [...new Set(files)], missing };
}

/**
 * The sample photos every install has: the six group photos that @vladmandic/face-api (MIT, a dependency) ships in
 * its npm package under demo/. They give `cafe predict --samples` (the README's first command) something to run on
 * before the user has photos or datasets of their own.
 */
export function samplePhotos(): string[] {
  const dir = join(packageDir('@vladmandic/face-api'), 'demo');
  const files = existsSync(dir) ? readdirSync(dir).filter((n) => /^sample\d+\.jpg$/.test(n)).sort().map((n) => join(dir, n)) : [];
  if (files.length === 0) throw new Error(`no sample photos in ${dir} (they ship with @vladmandic/face-api); run npm install, or pass your own photos`);
  return files;
}
