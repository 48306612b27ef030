// Node-only (node:fs, node:module; never reachable from src/browser): where an installed npm package lives (human's
// models, face-api's models and photos, tfjs-backend-wasm's .wasm files), and tfjs on the wasm backend with its
// .wasm files from node_modules.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileError } from '../errors.js';
import { initTfjs } from './tfjs.js';
import type { Tf } from './types.js';

/** Directory of an installed package (the one holding its package.json). */
export function packageDir(name: string): string {
  // Not require.resolve(`${name}/package.json`): packages with an "exports" map (human) do not export it.
  const req = createRequire(import.meta.url);
  for (const base of req.resolve.paths(name) ?? []) {
    if (existsSync(join(base, name, 'package.json'))) return join(base, name);
  }
  throw fileError(name, 'package not installed; run npm install');
}

/** Initialises tfjs once per process on the wasm backend (falls back to 'cpu') and returns the tf namespace. */
export function tfReady(): Promise<Tf> {
  return initTfjs(join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist') + '/', true);
}
