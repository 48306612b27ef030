// Public entry of the data layer: open any dataset from a spec string. Adapters register themselves on import.
// This layer works on plain typed arrays and must not import src/torch.
import { resolve } from 'node:path';
import { invalidParameter } from '../errors.js';
import { adapterNames, getAdapter, type OpenOptions } from './registry.js';
import { formatSpec, parseSpec } from './spec.js';
import type { Dataset } from './types.js';
import './adapters/all.js';

export type { Dataset, DatasetItem, Box, ImageSource, Split } from './types.js';
export type { OpenOptions } from './registry.js';
export { parseSpec, formatSpec } from './spec.js';
export { adapterNames, getAdapter } from './registry.js';

/** Opens a dataset from a spec such as 'ferplus:/data/ferplus:test' or 'ckplus:/data/ck+:train:fold=1/10'. */
export async function openDataset(spec: string, opts: OpenOptions = {}): Promise<Dataset> {
  const parsed = parseSpec(spec);
  const adapter = getAdapter(parsed.adapter);
  if (!adapter) throw invalidParameter('dataset adapter', `one of ${adapterNames().join(', ')}`, parsed.adapter);
  parsed.path = resolve(parsed.path);
  if (opts.split) parsed.split = opts.split;
  if (opts.args) Object.assign(parsed.args, opts.args);
  const body = await adapter.open({ spec: parsed, checkFiles: opts.checkFiles ?? true });
  if (parsed.split) body.items = body.items.filter((it) => it.split === undefined || it.split === parsed.split);
  return { spec: formatSpec(parsed), name: adapter.name, ...body };
}
