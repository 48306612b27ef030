// human's emotion model (@vladmandic/human models/emotion.json, MIT; a mini-Xception after oarriaga's
// face_classification, trained on FER2013): 64 x 64 grayscale in, 7 softmax probabilities out. Preprocessing
// follows human's src/gear/emotion.ts: bilinear resize of the 0..1 face crop, luma (0.2989, 0.587, 0.114),
// then (gray - 0.5) * 2.
import type { RgbImage } from '../encoders/types.js';
import { loadGraphModel } from '../runtime/tfjs.js';
import type { Runtime } from '../runtime/types.js';
import { HUMAN_EMOTION_LABELS, toExpressions } from './labels.js';

export interface CropClassifier {
  /** Probabilities in EXPRESSIONS order for each face crop (whole images are read as crops). */
  predict(crops: RgbImage[]): Promise<Float32Array[]>;
  dispose(): void;
}

/** `modelPath` defaults to emotion.json among the runtime's human models. */
export async function createHumanEmotion(runtime: Runtime, modelPath = runtime.join(runtime.humanModels, 'emotion.json')): Promise<CropClassifier> {
  const tf = await runtime.tf();
  const model = await loadGraphModel(runtime, modelPath);
  const S = 64;
  return {
    async predict(crops) {
      if (crops.length === 0) return [];
      const probs = tf.tidy(() => {
        const batch = crops.map((c) => {
          let x = tf.tensor3d(c.data, [c.height, c.width, c.channels], 'float32');
          if (c.channels === 1) x = tf.tile(x, [1, 1, 3]);
          else if (c.channels === 4) x = tf.slice(x, [0, 0, 0], [-1, -1, 3]);
          return tf.image.resizeBilinear(x.div(255) as import('@tensorflow/tfjs').Tensor3D, [S, S], false);
        });
        const rgb = tf.stack(batch) as import('@tensorflow/tfjs').Tensor4D;
        const gray = tf.sum(tf.mul(rgb, tf.tensor1d([0.2989, 0.587, 0.114])), 3, true);
        return model.execute(tf.mul(tf.sub(gray, 0.5), 2)) as import('@tensorflow/tfjs').Tensor;
      });
      const data = (await probs.data()) as Float32Array;
      probs.dispose();
      return crops.map((_, i) => toExpressions(HUMAN_EMOTION_LABELS, data.subarray(i * 7, i * 7 + 7)));
    },
    dispose() {
      model.dispose();
    },
  };
}
