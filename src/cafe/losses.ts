// CAFE's two channel losses on the masked feature F~ = M * F (after MC-Loss, Chang et al. 2020, as used by the
// official CAFE code with a 1x1 "spatial" map):
//
//   groups: channels [g*cnum, (g+1)*cnum) for g < numGroups, cnum = floor(D / numGroups); trailing channels are
//   never pooled (D = 512, 7 groups: cnum = 73 and channel 511 is left out, as in the official code).
//
//   separation  L_sep = CE( max_{c in g} (F~[b, c] * drop[c]) , y )      drop zeroes `dropPerGroup` random channels
//                                                                        of every group, one draw per step shared
//                                                                        by the batch (MC-Loss's Mask()).
//   diversity   L_div = 1 - mean_{b, g} ( max_{c in g} F~[b, c] ) / cnum  no dropout, no softmax.
//
// Why no softmax in L_div: MC-Loss softmaxes each channel over its spatial positions before the cross-channel max;
// with one position (a feature vector) that softmax is identically 1 and the loss would be a constant with zero
// gradient. We follow the paper's text, "1 - mean(max)/cnum", on F~ itself.
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/index.js';
import { invalidParameter } from '../errors.js';
import type { Rng } from '../util/rng.js';

export interface GroupLayout {
  numGroups: number;
  /** Channels per group: floor(D / numGroups). */
  cnum: number;
  /** Channels pooled: numGroups * cnum (<= D). */
  used: number;
}

export function groupLayout(dim: number, numGroups: number): GroupLayout {
  const cnum = Math.floor(dim / numGroups);
  if (cnum < 1) throw invalidParameter('feature dim', `at least ${numGroups} channels (one per group)`, dim);
  return { numGroups, cnum, used: cnum * numGroups };
}

/** Max over each group: [B, D] -> [B, numGroups]. */
export function groupMax(x: Tensor, layout: GroupLayout): Tensor {
  const [b] = x.shape;
  const used = x.shape[1] === layout.used ? x : torch.slice(x, 1, 0, layout.used); // [B, G*cnum]
  return torch.amax(torch.reshape(used, [b, layout.numGroups, layout.cnum]), 2); // [B, G]
}

/**
 * 0/1 keep-mask over the pooled channels [G*cnum], `drop` zeros per group at random positions (partial
 * Fisher-Yates per group, from the caller's seeded Rng so runs repeat).
 */
export function channelDropMask(layout: GroupLayout, drop: number, rng: Rng): Float32Array {
  if (!(Number.isInteger(drop) && drop >= 0 && drop < layout.cnum)) throw invalidParameter('dropPerGroup', `an integer in [0, ${layout.cnum - 1}]`, drop);
  const m = new Float32Array(layout.used).fill(1);
  const idx = Int32Array.from({ length: layout.cnum }, (_, i) => i);
  for (let g = 0; g < layout.numGroups; g++) {
    for (let i = 0; i < drop; i++) {
      const j = i + Math.floor(rng.next() * (layout.cnum - i));
      const t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
      m[g * layout.cnum + idx[i]] = 0;
    }
  }
  return m;
}

/** L_sep: cross-entropy of the group maxima of F~ * keepMask against the labels. masked [B, D], labels int64 [B]. */
export function separationLoss(masked: Tensor, labels: Tensor, layout: GroupLayout, keepMask: Float32Array): Tensor {
  return torch.tidy(() => {
    const used = torch.slice(masked, 1, 0, layout.used); // [B, G*cnum]
    const keep = torch.tensor(keepMask, [1, layout.used]);
    return torch.crossEntropy(groupMax(torch.mul(used, keep), layout), labels); // logits [B, G]
  });
}

/** L_div = 1 - mean over batch and groups of the group max of F~, divided by cnum. */
export function diversityLoss(masked: Tensor, layout: GroupLayout): Tensor {
  return torch.tidy(() => torch.sub(torch.ones([]), torch.div(torch.mean(groupMax(masked, layout)), layout.cnum)));
}

/** Class frequencies of `labels` (class indices), each at least 1 / N so that log stays finite. */
export function classPrior(labels: ArrayLike<number>, classes: number): Float32Array {
  const n = Math.max(1, labels.length);
  const counts = new Float32Array(classes);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts.map((c) => Math.max(c, 1) / n);
}

/** Inverse-frequency class weights N / (C * count) = 1 / (C * prior): a balanced set gets weight 1 everywhere. */
export function balanceWeights(prior: Float32Array): Float32Array {
  return prior.map((p) => 1 / (prior.length * p));
}

/** The additive logit offset tau * log prior of logit-adjusted cross-entropy (Menon et al., ICLR 2021). */
export function logitAdjustment(prior: Float32Array, tau: number): Float32Array {
  return prior.map((p) => tau * Math.log(p));
}
