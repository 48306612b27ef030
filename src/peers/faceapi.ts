// face-api.js (@vladmandic/face-api, MIT; models ship in the package): its own detector (SSD MobileNet v1) and
// expression net, used as shipped. Two modes, as peers in the benchmarks:
//   'faceapi'      detectAllFaces(image).withFaceExpressions(): the library's whole-photo pipeline;
//   'faceapi-crop' faceExpressionNet.predictExpressions(crop): for datasets that are already face crops.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as FaceApi from '@vladmandic/face-api';
import type { RgbImage } from '../encoders/types.js';
import { packageDir, tfReady } from '../runtime/node-packages.js';
import type { FaceBox } from '../detect/types.js';
import { FACEAPI_LABELS, toExpressions } from './labels.js';

export interface FaceApiFace {
  box: FaceBox;
  score: number;
  /** EXPRESSIONS order. */
  probs: Float32Array;
}

export interface FaceApiPeer {
  /** Every face face-api finds in a photo, with its expression probabilities. */
  detectAll(img: RgbImage): Promise<FaceApiFace[]>;
  /** Expression probabilities of face crops (no detection). */
  predictCrops(crops: RgbImage[]): Promise<Float32Array[]>;
}

let loaded: Promise<typeof FaceApi> | undefined;

/** Loads face-api's node-wasm build (sharing our tfjs-wasm engine) and its SSD + expression weights, once. */
function faceapi(): Promise<typeof FaceApi> {
  loaded ??= (async () => {
    await tfReady();
    const api = createRequire(import.meta.url)('@vladmandic/face-api/dist/face-api.node-wasm.js') as typeof FaceApi;
    const dir = join(packageDir('@vladmandic/face-api'), 'model');
    await api.nets.ssdMobilenetv1.loadFromDisk(dir);
    await api.nets.faceExpressionNet.loadFromDisk(dir);
    return api;
  })();
  return loaded;
}

function probsOf(e: FaceApi.FaceExpressions): Float32Array {
  return toExpressions(FACEAPI_LABELS, FACEAPI_LABELS.map((l) => (e as unknown as Record<string, number>)[l]));
}

export interface FaceApiOptions {
  /** SSD score threshold; default 0.5 (face-api's own default). */
  minConfidence?: number;
}

export async function createFaceApi(opts: FaceApiOptions = {}): Promise<FaceApiPeer> {
  const api = await faceapi();
  const tf = api.tf as unknown as typeof import('@tensorflow/tfjs');
  const toTensor = (img: RgbImage) => {
    const t = tf.tensor3d(img.data, [img.height, img.width, img.channels], 'int32');
    if (img.channels === 3) return t;
    const r = img.channels === 1 ? tf.tile(t, [1, 1, 3]) : tf.slice(t, [0, 0, 0], [-1, -1, 3]);
    t.dispose();
    return r;
  };
  const options = new api.SsdMobilenetv1Options({ minConfidence: opts.minConfidence ?? 0.5 });
  return {
    async detectAll(img) {
      const t = toTensor(img);
      try {
        const res = await api.detectAllFaces(t as never, options).withFaceExpressions();
        return res.map((r) => ({
          box: { x: r.detection.box.x, y: r.detection.box.y, width: r.detection.box.width, height: r.detection.box.height },
          score: r.detection.score,
          probs: probsOf(r.expressions),
        }));
      } finally {
        t.dispose();
      }
    },
    async predictCrops(crops) {
      const out: Float32Array[] = [];
      for (const c of crops) {
        const t = toTensor(c);
        try {
          const e = (await api.nets.faceExpressionNet.predictExpressions(t as never)) as FaceApi.FaceExpressions;
          out.push(probsOf(e));
        } finally {
          t.dispose();
        }
      }
      return out;
    },
  };
}
