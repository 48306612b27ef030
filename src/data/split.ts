// Subject-wise splits for datasets without an official split (CK+, JAFFE, KDEF, ExpW by source image).
// Every item of one subject lands in the same set, so a model is never tested on a person it trained on.
// Deterministic: subjects are sorted, then shuffled by a seeded RNG, so the same seed gives the same split anywhere.
import { invalidParameter } from '../errors.js';
import { Rng } from '../util/rng.js';
import type { DatasetItem, Split } from './types.js';

export interface SubjectSplitOptions {
  /** Fraction of subjects held out as 'test'; default 0.2 (the ~80/20 split used by most CK+/JAFFE papers without k-fold). */
  testFraction: number;
  /** Seed of the subject shuffle; default 0. */
  seed: number;
  /** k-fold cross-validation instead of a fraction: fold `index` (0-based) of `k` is the test set. */
  fold?: { index: number; k: number };
}

export const DEFAULT_SUBJECT_SPLIT: SubjectSplitOptions = { testFraction: 0.2, seed: 0 };

/** Reads `testFraction=`, `seed=`, `fold=i/k` spec arguments (fold i is 1-based on the command line). */
export function subjectSplitFromArgs(args: Record<string, string>): SubjectSplitOptions {
  const o: SubjectSplitOptions = { ...DEFAULT_SUBJECT_SPLIT };
  if (args.testFraction !== undefined) {
    const f = Number(args.testFraction);
    if (!(f > 0 && f < 1)) throw invalidParameter('testFraction', 'a number in (0, 1)', args.testFraction);
    o.testFraction = f;
  }
  if (args.seed !== undefined) {
    const s = Number(args.seed);
    if (!Number.isInteger(s)) throw invalidParameter('seed', 'an integer', args.seed);
    o.seed = s;
  }
  if (args.fold !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(args.fold);
    const i = m ? Number(m[1]) : NaN;
    const k = m ? Number(m[2]) : NaN;
    if (!m || k < 2 || i < 1 || i > k) throw invalidParameter('fold', "'i/k' with 1 <= i <= k and k >= 2 (e.g. '1/10')", args.fold);
    o.fold = { index: i - 1, k };
  }
  return o;
}

/** Assigns each subject to 'train' or 'test'. Returns the map subject -> split. */
export function assignSubjects(subjects: Iterable<string>, opts: SubjectSplitOptions): Map<string, Split> {
  const list = [...new Set(subjects)].sort();
  new Rng(opts.seed).shuffle(list);
  const out = new Map<string, Split>();
  if (opts.fold) {
    const { index, k } = opts.fold;
    // Round-robin over the shuffled list gives folds whose sizes differ by at most one subject.
    list.forEach((s, i) => out.set(s, i % k === index ? 'test' : 'train'));
  } else {
    const nTest = list.length <= 1 ? 0 : Math.max(1, Math.round(list.length * opts.testFraction));
    list.forEach((s, i) => out.set(s, i < nTest ? 'test' : 'train'));
  }
  return out;
}

/** Sets item.split from item.subject (items without a subject are grouped under their id). */
export function applySubjectSplit(items: DatasetItem[], opts: SubjectSplitOptions): Map<string, Split> {
  const assignment = assignSubjects(items.map((it) => it.subject ?? it.id), opts);
  for (const it of items) it.split = assignment.get(it.subject ?? it.id);
  return assignment;
}

/** A one-line description of a split for Dataset.notes. */
export function describeSubjectSplit(assignment: Map<string, Split>, opts: SubjectSplitOptions): string {
  let train = 0;
  let test = 0;
  for (const s of assignment.values()) s === 'test' ? test++ : train++;
  const how = opts.fold ? `fold ${opts.fold.index + 1}/${opts.fold.k}` : `testFraction=${opts.testFraction}`;
  return `subject-wise split (${how}, seed=${opts.seed}): ${train} train subjects, ${test} test subjects, no subject in both`;
}
