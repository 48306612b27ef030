// Peer expression models, used as shipped and mapped to our 7 classes, for comparison rows in evaluations.
// peerPredict(name, rgbImage) -> 7 probabilities (EXPRESSIONS order), or null when a detecting peer finds no face.
import { invalidParameter } from '../errors.js';
import type { RgbImage } from '../encoders/types.js';
import { createFaceApi, type FaceApiPeer } from './faceapi.js';
import { createHumanEmotion, type CropClassifier } from './human-emotion.js';
import { nodeRuntime } from '../runtime/node.js';

export { createFaceApi, type FaceApiPeer, type FaceApiFace, type FaceApiOptions } from './faceapi.js';
export { createHumanEmotion, type CropClassifier } from './human-emotion.js';
export { toExpressions, FACEAPI_LABELS, HUMAN_EMOTION_LABELS } from './labels.js';

/**
 * 'faceapi': face-api detectAllFaces().withFaceExpressions() on the whole image, the highest-scoring face.
 * 'faceapi-crop': face-api's expression net on the image as a face crop (no detection).
 * 'human-emotion': human's emotion net on the image as a face crop.
 */
export const PEER_NAMES = ['faceapi', 'faceapi-crop', 'human-emotion'] as const;
export type PeerName = (typeof PEER_NAMES)[number];

let faceApi: Promise<FaceApiPeer> | undefined;
let human: Promise<CropClassifier> | undefined;

/** `img`: 8-bit pixels, row-major, channels interleaved; `channels` defaults to 3 (src/data's decoded RGB images). */
export async function peerPredict(name: PeerName, image: Omit<RgbImage, 'channels'> & { channels?: RgbImage['channels'] }): Promise<Float32Array | null> {
  const img: RgbImage = { ...image, channels: image.channels ?? 3 };
  if (img.data.length !== img.width * img.height * img.channels) throw invalidParameter('image', `${img.width} x ${img.height} x ${img.channels} bytes`, img.data.length);
  switch (name) {
    case 'faceapi': {
      const faces = await (faceApi ??= createFaceApi()).then((p) => p.detectAll(img));
      if (faces.length === 0) return null;
      return faces.reduce((a, b) => (b.score > a.score ? b : a)).probs;
    }
    case 'faceapi-crop':
      return (await (faceApi ??= createFaceApi()).then((p) => p.predictCrops([img])))[0];
    case 'human-emotion':
      return (await (human ??= createHumanEmotion(nodeRuntime)).then((p) => p.predict([img])))[0];
    default:
      throw invalidParameter('peer', PEER_NAMES.join(', '), name);
  }
}
