// tfjs in Node: the wasm files come from the installed @tensorflow/tfjs-backend-wasm.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileError } from '../errors.js';
import { initTfjs } from '../runtime/tfjs.js';
import type { Tf } from '../runtime/types.js';

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
