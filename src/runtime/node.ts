// The Node runtime: files from disk, onnxruntime-node (native, all cores), tfjs-wasm with its files from
// node_modules, human's models from the installed @vladmandic/human.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { fileError } from '../errors.js';
import { packageDir, tfReady } from './node-packages.js';
import { hashFiles } from '../util/hash-files.js';
import type { Runtime } from './types.js';

let humanModels: string | undefined;

export const nodeRuntime: Runtime = {
  name: 'node',
  ort,
  async read(path) {
    try {
      const b = await readFile(path);
      return new Uint8Array(b.buffer, b.byteOffset, b.length);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw fileError(path, e.code === 'ENOENT' ? 'no such file' : `cannot read (${e.message})`);
    }
  },
  exists: async (path) => existsSync(path),
  join,
  dirname,
  tf: tfReady,
  get humanModels() {
    return (humanModels ??= join(packageDir('@vladmandic/human'), 'models'));
  },
  humanModelsHint: 'npm install @vladmandic/human (it ships them in its models/ folder)',
  threads: availableParallelism(),
  weightsHash: hashFiles,
};
