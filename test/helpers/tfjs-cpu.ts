// A tfjs graph model loaded from its model.json + .bin on tfjs' own cpu backend: the reference the conversion tests
// (tfjs-to-onnx.ts) compare the ONNX graphs against.
import { readFileSync } from 'node:fs';
import type * as Tfjs from '@tensorflow/tfjs';

/** `edit` may change the parsed model.json (e.g. free a fixed input shape) before the graph is built. */
export async function loadTfjsCpu(path: string, edit?: (json: { modelTopology: { node: Array<{ op: string; attr?: any }> } }) => void): Promise<{ tf: typeof Tfjs; model: Tfjs.GraphModel }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const json = JSON.parse(readFileSync(path, 'utf8'));
  edit?.(json);
  const bin = readFileSync(path.replace(/\.json$/, '.bin'));
  const model = await tf.loadGraphModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length) }),
  );
  return { tf, model };
}
