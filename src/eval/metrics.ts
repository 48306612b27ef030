// Classification metrics over the 7-way argmax. Sets that lack a class (CK+48 has no neutral) are scored over the
// classes present in their labels: balanced accuracy and macro-F1 average over those; a prediction of an absent
// class still counts as an error (it is not remapped), and it lowers the precision of no present class.
import { NUM_CLASSES } from '../labels.js';

export interface Scores {
  n: number;
  accuracy: number;
  /** Mean recall over classes present in the labels. */
  balancedAccuracy: number;
  /** Mean F1 over classes present in the labels. */
  macroF1: number;
  /** Classes (indices) present in the labels. */
  present: number[];
  perClass: Array<{ recall: number | null; precision: number | null; f1: number | null; support: number }>;
  /** confusion[true][predicted] counts. */
  confusion: number[][];
  /** Items with no prediction (pred -1: end to end, no face found), per true class; they count as errors. */
  missed: number[];
}

export function argmaxRows(logits: Float32Array, classes = NUM_CLASSES): Int32Array {
  const n = logits.length / classes;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** pred[i] = -1 means no prediction for item i (a missed face): an error for its class, no class's false positive. */
export function score(pred: ArrayLike<number>, truth: ArrayLike<number>, classes = NUM_CLASSES): Scores {
  if (pred.length !== truth.length) throw new Error(`score: ${pred.length} predictions for ${truth.length} labels`);
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const missed = new Array<number>(classes).fill(0);
  let correct = 0;
  for (let i = 0; i < pred.length; i++) {
    if (pred[i] < 0) {
      missed[truth[i]]++;
      continue;
    }
    confusion[truth[i]][pred[i]]++;
    if (pred[i] === truth[i]) correct++;
  }
  const perClass = confusion.map((row, c) => {
    const support = row.reduce((a, b) => a + b, 0) + missed[c];
    const predicted = confusion.reduce((a, r) => a + r[c], 0);
    const tp = row[c];
    const recall = support ? tp / support : null;
    const precision = predicted ? tp / predicted : support ? 0 : null;
    const f1 = recall === null ? null : recall + (precision ?? 0) > 0 ? (2 * recall * precision!) / (recall + precision!) : 0;
    return { recall, precision, f1, support };
  });
  const present = perClass.map((p, c) => (p.support > 0 ? c : -1)).filter((c) => c >= 0);
  const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  return {
    n: pred.length,
    accuracy: pred.length ? correct / pred.length : NaN,
    balancedAccuracy: avg(present.map((c) => perClass[c].recall!)),
    macroF1: avg(present.map((c) => perClass[c].f1!)),
    present,
    perClass,
    confusion,
    missed,
  };
}
