// The probe with one hidden layer: logits = fc(relu(hidden(x))) on standardised features, fitted by minibatch Adam
// with dropout on the input and on the hidden units. Why: on FER+ train + SFEW Train with augmented views, the fused
// faceres + face-mesh features carry more than a linear map reads (FER+ test 80.3 -> 83.7, SFEW Val 45.8 -> 47.5 in
// the scratch run that motivated it; the rows in bench/results/cafe-table.md are the measurement). Full-batch steps as
// the linear fit takes would not regularise: the minibatch noise and dropout do.
import * as torch from '../torch/index.js';
import { NUM_CLASSES } from '../labels.js';
import { mulberry32 } from '../util/rng.js';

export interface MlpFitOptions {
  hidden: number;
  /** Dropout on the hidden units while fitting. */
  dropout: number;
  /** Dropout on the (standardised) input features while fitting. */
  inputDropout: number;
  batchSize: number;
}

export interface MlpFit {
  hiddenWeight: Float32Array; // [H, D]
  hiddenBias: Float32Array; // [H]
  weight: Float32Array; // [C, H]
  bias: Float32Array; // [C]
  /** Mean training loss over the last 50 steps (minibatch losses are noisy). */
  loss: number;
}


/**
 * The probes' loss on logits [B, C] against y (class indices [B] or soft labels [B, C]): `offset` [B, C] added to the
 * logits first (the logit-adjusted loss); with row weights [B] the weighted mean of the per-row losses (as
 * CrossEntropyLoss(weight) normalises by the weights' sum), else cross-entropy with the class weights [C].
 */
export function probeLoss(raw: torch.Tensor, y: torch.Tensor, weight?: torch.Tensor, rowWeight?: torch.Tensor, offset?: torch.Tensor): torch.Tensor {
  const logits = offset ? torch.add(raw, offset) : raw; // [B, C]
  return rowWeight
    ? torch.div(torch.sum(torch.mul(torch.crossEntropy(logits, y, { reduction: 'none' }), rowWeight)), torch.sum(rowWeight))
    : torch.crossEntropy(logits, y, weight ? { weight } : {});
}

/**
 * One fit: x [N, D] standardised, y [N] int64; `steps` minibatches of rows drawn uniformly with replacement, lr
 * cosine-decayed to 0, L2 `wd` on every parameter (as torch.optim.Adam's weight_decay). Class weights [C] and row
 * weights [N] as in the linear fit. `offset` [N, C] is added to a row's logits while fitting only (the logit-adjusted
 * loss, ProbeConfig.logitOffsets).
 */
export function fitMlp(x: torch.Tensor, y: torch.Tensor, dim: number, wd: number, steps: number, lr: number, seed: number, o: MlpFitOptions, weight?: torch.Tensor, rowWeight?: torch.Tensor, offset?: torch.Tensor): MlpFit {
  torch.manualSeed(seed);
  const hidden = new torch.nn.Linear(dim, o.hidden);
  const fc = new torch.nn.Linear(o.hidden, NUM_CLASSES);
  const params = [...hidden.parameters(), ...fc.parameters()];
  const opt = new torch.optim.Adam(params, { lr, weightDecay: wd });
  const N = x.shape[0];
  const B = Math.min(o.batchSize, N);
  const draw = mulberry32(seed ^ 0x9e3779b9); // row draws: the same seed gives the same minibatches everywhere
  const recent: number[] = [];
  for (let s = 0; s < steps; s++) {
    opt.lr = lr * 0.5 * (1 + Math.cos((Math.PI * s) / steps));
    const l = torch.tidy(() => {
      const idx = torch.tensor(BigInt64Array.from({ length: B }, () => BigInt(Math.floor(draw() * N))), [B], 'int64'); // [B]
      const xb = torch.dropout(torch.indexSelect(x, 0, idx), o.inputDropout, true); // [B, D]
      const raw = fc.forward(torch.dropout(torch.relu(hidden.forward(xb)), o.dropout, true)); // [B, C]
      const rows = (t?: torch.Tensor) => (t ? torch.indexSelect(t, 0, idx) : undefined);
      opt.zeroGrad();
      const loss = probeLoss(raw, torch.indexSelect(y, 0, idx), weight, rows(rowWeight), rows(offset));
      loss.backward();
      opt.step();
      return loss.item();
    });
    recent.push(l);
    if (recent.length > 50) recent.shift();
  }
  const [hw, hb] = hidden.parameters();
  const [w, b] = fc.parameters();
  const out: MlpFit = {
    hiddenWeight: hw.data<'float32'>() as Float32Array,
    hiddenBias: hb.data<'float32'>() as Float32Array,
    weight: w.data<'float32'>() as Float32Array,
    bias: b.data<'float32'>() as Float32Array,
    loss: recent.reduce((a, v) => a + v, 0) / recent.length,
  };
  opt.dispose();
  for (const p of params) p.dispose();
  return out;
}
