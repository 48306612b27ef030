// Node-side preprocessing helpers (kept out of preprocess.ts, which the browser bundle uses): a config from a JSON
// file or preset name, and the config's hash for feature-cache keys.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileError, invalidParameter } from '../errors.js';
import { PRESETS, validatePreprocess } from './preprocess.js';
import type { PreprocessConfig } from './types.js';

/** Reads a cafe preprocessing JSON (the PreprocessConfig fields) or a preset name. */
export function loadPreprocess(pathOrPreset: string): PreprocessConfig {
  if (PRESETS[pathOrPreset]) return { ...PRESETS[pathOrPreset] };
  if (!existsSync(pathOrPreset)) throw invalidParameter('preprocessing', `a preset (${Object.keys(PRESETS).join(', ')}) or an existing JSON file`, pathOrPreset);
  return validatePreprocess(readJsonFile(pathOrPreset), pathOrPreset);
}

/** A JSON file's content; a CafeError naming the file when it is not JSON. */
export function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw fileError(path, `invalid JSON: ${(err as Error).message}`);
  }
}

/** Short hash of the config, canonicalised: part of every cache key. */
export function preprocessHash(p: PreprocessConfig): string {
  const canon = JSON.stringify([p.size, p.resize, p.crop, p.colour, p.scale, p.mean, p.std]);
  return createHash('sha256').update(canon).digest('hex').slice(0, 16);
}
