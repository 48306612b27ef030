// The models that ship in the package's models/ folder (Node: the browser is given a model URL instead).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileError } from '../errors.js';
import { packageRoot } from '../util/package-root.js';

/** Shipped models, best first: the trained CAFE model when present, else the clearly-labelled stand-in. */
export const SHIPPED_MODELS = ['cafe-ferplus', 'standin-human-emotion'];

export function defaultModelDir(): string {
  const root = join(packageRoot(), 'models');
  for (const m of SHIPPED_MODELS) if (existsSync(join(root, m, 'model.json'))) return join(root, m);
  throw fileError(root, `no shipped model (${SHIPPED_MODELS.join(', ')}); reinstall cafe-fer or pass --model DIR`);
}
