// FER+ vote processing (Barsoum et al. 2016, "Training Deep Networks for Facial Expression Recognition with Crowd-
// Sourced Label Distribution"), following the official FERPlus repo, src/ferplus.py `_process_data` and the filter in
// `load_folders` (an image is kept only when the argmax of the processed target is one of the 8 emotions, i.e. not
// 'unknown' and not 'NF').
//
// Vote order in label.csv: neutral, happiness, surprise, sadness, anger, disgust, fear, contempt, unknown, NF.
//
// What we implement, per mode:
//  - majority (the official FER+ rule): votes of exactly 1 are treated as noise and zeroed; the image gets the class
//    whose remaining votes are > half of the remaining total, else it is dropped ('no majority'). If that class is
//    unknown / NF it is dropped as in the official loader.
//  - probability (the official 'probability'/'crossentropy' target): after the same single-vote removal, take up to 3
//    top-voted classes until they cover >= 75% of the votes (stopping at unknown/NF as the official loop does); drop
//    the image if they cover <= 50% or more than 3 classes tie in. The kept distribution is the soft label.
//  - plurality (common in later FER+ papers): argmax of the raw votes, ties to the earlier class in the order above;
//    dropped when that is unknown / NF.
// cafe's space has no contempt: an image whose (hard) label is contempt is dropped and counted as 'contempt' in every
// mode; in probability mode contempt's share of a kept soft label is removed and the rest renormalised.
import type { Expression } from '../../labels.js';
import { EXPRESSIONS } from '../../labels.js';

export const FERPLUS_LABEL_MODES = ['majority', 'plurality', 'probability'] as const;
export type FerplusLabelMode = (typeof FERPLUS_LABEL_MODES)[number];

/** FER+ vote columns, in file order. */
export const FERPLUS_COLUMNS = ['neutral', 'happiness', 'surprise', 'sadness', 'anger', 'disgust', 'fear', 'contempt', 'unknown', 'NF'] as const;
const CONTEMPT = 7;
const UNKNOWN = 8;

export type FerplusDrop = 'contempt' | 'unknown' | 'not-a-face' | 'no-majority' | 'no-votes';

export interface FerplusTarget {
  label?: Expression;
  /** Soft label over EXPRESSIONS order (probability mode only). */
  soft?: number[];
  drop?: FerplusDrop;
}

function argmax(v: number[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/** Official `_process_data` for 'majority' and 'probability'; returns the 10-way target or null for "forced unknown". */
function processVotes(raw: number[], mode: 'majority' | 'probability'): number[] | null {
  const votes = raw.map((v) => (v < 1 + Number.EPSILON ? 0 : v)); // single votes are outliers
  const sum = votes.reduce((a, b) => a + b, 0);
  const size = votes.length;
  const emotion = new Array<number>(size).fill(0);
  if (mode === 'majority') {
    const maxval = Math.max(...votes);
    if (!(maxval > 0.5 * sum)) return null;
    emotion[argmax(votes)] = maxval;
    return emotion;
  }
  let sumPart = 0;
  let count = 0;
  let valid = true;
  while (sumPart < 0.75 * sum && count < 3 && valid) {
    const maxval = Math.max(...votes);
    for (let i = 0; i < size; i++) {
      if (votes[i] === maxval) {
        emotion[i] = maxval;
        votes[i] = 0;
        sumPart += emotion[i];
        count++;
        if (i >= UNKNOWN) {
          valid = false;
          const total = emotion.reduce((a, b) => a + b, 0);
          if (total > maxval) {
            emotion[i] = 0;
            count--;
          }
          break;
        }
      }
    }
  }
  const total = emotion.reduce((a, b) => a + b, 0);
  if (total <= 0.5 * sum || count > 3) return null;
  return emotion;
}

function toExpression(ferIndex: number): Expression {
  return FERPLUS_COLUMNS[ferIndex] as Expression;
}

/** Turns one row's 10 vote counts into a label under `mode` (or a reason to drop the image). */
export function ferplusTarget(votes: number[], mode: FerplusLabelMode): FerplusTarget {
  if (votes.reduce((a, b) => a + b, 0) <= 0) return { drop: 'no-votes' };
  if (mode === 'plurality') {
    const i = argmax(votes);
    if (i === UNKNOWN) return { drop: 'unknown' };
    if (i > UNKNOWN) return { drop: 'not-a-face' };
    if (i === CONTEMPT) return { drop: 'contempt' };
    return { label: toExpression(i) };
  }
  const target = processVotes(votes, mode);
  if (target === null) {
    // The official code forces 'unknown' here; we say why, since majority/probability drop for lack of agreement.
    return { drop: 'no-majority' };
  }
  const i = argmax(target);
  if (i === UNKNOWN) return { drop: 'unknown' };
  if (i > UNKNOWN) return { drop: 'not-a-face' };
  if (i === CONTEMPT) return { drop: 'contempt' };
  if (mode === 'majority') return { label: toExpression(i) };
  const soft = EXPRESSIONS.map((e) => target[FERPLUS_COLUMNS.indexOf(e)]);
  const total = soft.reduce((a, b) => a + b, 0);
  return { label: toExpression(i), soft: soft.map((v) => v / total) };
}
