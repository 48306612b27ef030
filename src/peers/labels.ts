// Peer models' label spaces mapped onto cafe's EXPRESSIONS order (neutral, happiness, sadness, surprise, fear,
// disgust, anger). Both peers have exactly these seven classes, only named and ordered differently.
import { EXPRESSIONS, type Expression } from '../labels.js';

const SYNONYMS: Record<string, Expression> = {
  neutral: 'neutral',
  happy: 'happiness',
  sad: 'sadness',
  surprise: 'surprise',
  surprised: 'surprise',
  fear: 'fear',
  fearful: 'fear',
  disgust: 'disgust',
  disgusted: 'disgust',
  angry: 'anger',
};

/** Reorders probabilities given in `labels` order into EXPRESSIONS order. */
export function toExpressions(labels: readonly string[], probs: ArrayLike<number>): Float32Array {
  const out = new Float32Array(EXPRESSIONS.length);
  labels.forEach((l, i) => {
    const e = SYNONYMS[l];
    if (e === undefined) throw new Error(`peer label '${l}' has no cafe expression`);
    out[EXPRESSIONS.indexOf(e)] += probs[i];
  });
  return out;
}

/** face-api.js FACE_EXPRESSION_LABELS order. */
export const FACEAPI_LABELS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const;
/** human's emotion model (oarriaga/face_classification, trained on FER2013) output order. */
export const HUMAN_EMOTION_LABELS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;
