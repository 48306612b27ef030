// onnx:PATH: any ONNX image encoder, input [N, 3, S, S] float32, output [N, D], with its preprocessing stored as JSON
// beside it: PATH with .onnx replaced by .preprocess.json, or preprocess.json in the same folder.
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { missingModel } from '../errors.js';
import { createOnnxEncoder } from './onnx-encoder.js';
import { nodeRuntime } from '../runtime/node.js';
import { loadPreprocess } from './preprocess-node.js';
import { hashFiles } from '../util/hash-files.js';
import type { Encoder, EncoderOptions } from './types.js';

export interface OnnxFileOptions extends EncoderOptions {
  /** Input/output tensor names when the model has several. */
  inputName?: string;
  outputName?: string;
}

/** Where the preprocessing JSON of a model is looked for, in order. */
export function preprocessSidecars(modelPath: string): string[] {
  return [modelPath.replace(/\.onnx$/i, '') + '.preprocess.json', join(dirname(modelPath), 'preprocess.json')];
}

export async function createOnnxFile(path: string, opts: OnnxFileOptions = {}): Promise<Encoder> {
  const modelPath = resolve(path);
  if (!existsSync(modelPath)) throw missingModel('ONNX encoder', modelPath, 'export your image encoder to ONNX (input [N, 3, S, S] float32, output [N, D])');
  const sidecar = preprocessSidecars(modelPath).find((p) => existsSync(p));
  if (!opts.preprocess && !sidecar) {
    throw missingModel(
      `preprocessing JSON for ${basename(modelPath)}`,
      preprocessSidecars(modelPath)[0],
      'write {"size":224,"resize":"bilinear|bicubic|bilinear-tf","crop":"center|none","colour":"rgb|gray","scale":255,"mean":[..3],"std":[..3]}',
    );
  }
  const preprocess = opts.preprocess ?? loadPreprocess(sidecar!);
  return createOnnxEncoder(
    {
      name: `onnx:${modelPath}`,
      model: modelPath,
      source: modelPath,
      weightsHash: await hashFiles([modelPath]),
      preprocess,
      inputName: opts.inputName,
      outputName: opts.outputName,
    },
    opts,
    nodeRuntime,
  );
}
