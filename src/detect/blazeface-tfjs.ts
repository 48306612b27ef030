// BlazeFace on tfjs: human's graph as human runs it, the reference the onnxruntime detector (blazeface.ts) is checked
// against (test/detect/blazeface-parity.test.ts; bench/predict.ts counts per-photo agreement). Not used by the
// recognizer: detection runs on onnxruntime everywhere.
import type * as tfType from '@tensorflow/tfjs';
import { loadGraphModel } from '../runtime/tfjs.js';
import type { Runtime } from '../runtime/types.js';
import { blazefacePath, detectorOverNet, resolveDetectorOptions, type BlazefaceNet, type DetectorOptions, type FaceDetector } from './blazeface.js';

/** The network on tfjs (the runtime's backend: wasm), one window per execute as the previous detector ran it. */
export async function createTfjsBlazefaceNet(modelPath: string, runtime: Runtime): Promise<BlazefaceNet> {
  const tf = await runtime.tf();
  const model = await loadGraphModel(runtime, modelPath);
  const S = (model.inputs[0].shape?.[1] ?? 256) > 0 ? model.inputs[0].shape![1] : 256;
  const one = async (win: Uint8Array): Promise<Float32Array> => {
    const rows = tf.tidy(() => {
      const input = tf.sub(tf.div(tf.tensor4d(win, [1, S, S, 3], 'float32'), 127.5), 1);
      const out = model.execute(input) as tfType.Tensor[];
      // Four outputs: scores and regressors for the 512 (stride 16) and 384 (stride 32) anchors; sorted by size they
      // are [scores384, scores512, regs384, regs512].
      const s = [...out].sort((a, b) => a.size - b.size);
      return tf.concat([tf.concat([s[1], s[3]], 2), tf.concat([s[0], s[2]], 2)], 1).squeeze([0]); // [896, 17]
    });
    const data = (await rows.data()) as Float32Array;
    rows.dispose();
    return data;
  };
  return {
    size: S,
    async run(windows) {
      const parts: Float32Array[] = [];
      for (const w of windows) parts.push(await one(w.data));
      const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0)); // [n, 896, 17]
      parts.forEach((p, i) => out.set(p, i * p.length));
      return out;
    },
    dispose: async () => model.dispose(),
  };
}

/** The detector with the tfjs network: same options, decoding and retry as createFaceDetector. */
export async function createTfjsFaceDetector(options: DetectorOptions, runtime: Runtime): Promise<FaceDetector> {
  resolveDetectorOptions(options);
  return detectorOverNet(await createTfjsBlazefaceNet(await blazefacePath(options, runtime), runtime), options);
}
