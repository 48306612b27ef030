// A fitted probe (linear, or with a hidden layer) as a run folder (config.json + best.safetensors + metrics.jsonl), so `cafe eval --run` and
// `cafe export --run` treat it like any trained run: a probe-kind CafeModel (logits = fc(F)). The probe standardises
// features with the training set's statistics; that affine step is folded into fc, so the exported head reads the raw
// encoder features as every other head does:
//   W (x - mean) / std + b  =  (W / std) x + (b - W mean / std)
// With a hidden layer the step is folded into that first layer (hidden.weight / hidden.bias) and fc is kept as fitted.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '../torch/index.js';
import { resolveConfig, type TrainConfig } from '../cafe/config.js';
import { writeAtomic } from '../util/atomic.js';
import type { Probe } from './probe.js';

/** fc.weight [C, D] and fc.bias [C] that give the probe's logits on unstandardised features. */
export function foldStandardisation(p: Pick<Probe, 'dim' | 'mean' | 'std' | 'weight' | 'bias'>): { weight: Float32Array; bias: Float32Array } {
  const D = p.dim;
  const C = p.bias.length;
  const weight = new Float32Array(C * D);
  const bias = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    let b = p.bias[c];
    for (let d = 0; d < D; d++) {
      const w = p.weight[c * D + d] / p.std[d];
      weight[c * D + d] = w;
      b -= w * p.mean[d];
    }
    bias[c] = b;
  }
  return { weight, bias };
}

export interface ProbeRunInfo {
  name: string;
  /** Encoder spec as the user gave it (registry name, with its path argument if any). */
  encoder: string;
  /** The encoder's weights hash when the probe was fitted: cafe eval --run refuses other weights. */
  encoderWeights?: string;
  train: string[];
  valid: string;
  exclude: string[];
  /** How data.exclude applies (cafe probe --exclude-by); default 'clip'. */
  excludeBy?: 'clip' | 'image';
  /** Share per training source (cafe probe --source-weights); [] = every image once. */
  sourceWeights: number[];
  validAccuracy: number;
  validBalancedAccuracy: number;
  classBalance: 'none' | 'reweight';
  /** Post-hoc logit adjustment folded into the bias (cafe probe --logit-adjust); 0 = none. */
  logitAdjust: number;
  /** Logit-adjusted loss (cafe probe --logit-adjust-loss); 0 or absent = none. */
  logitAdjustLoss?: number;
  /** Whose prior the loss offsets by (cafe probe --logit-adjust-prior): each row's own source (default) or pooled. */
  logitAdjustPrior?: 'source' | 'pooled';
  /** Augmented views per training image (cafe probe --aug-views); 0 = none. */
  augViews?: number;
  /** Canonical frames the training images were also re-framed into (cafe probe --reframe); [] = none. */
  reframe?: string[];
  /** Colour datasets were read as gray (cafe probe --gray). */
  gray?: boolean;
  /** How it was made, kept in the weights' metadata. */
  command: string;
  /** Fit settings kept in the weights' metadata (Probe.fit: steps, lr, dropout, ...), e.g. for the hidden-layer probe. */
  fit?: Probe['fit'];
}

/** Writes the run folder `dir`; returns the resolved config saved in it. */
export function saveProbeRun(dir: string, p: Probe, info: ProbeRunInfo): TrainConfig {
  mkdirSync(dir, { recursive: true });
  const cfg = resolveConfig(
    {
      name: info.name,
      // The fit's seed (cafe probe --seed); the views it trained on (--aug-views, --reframe, --gray) are in the
      // weights' metadata beside the command that made it.
      seed: info.fit?.seed ?? 0,
      data: { train: info.train.length === 1 ? info.train[0] : info.train, valid: info.valid, exclude: info.exclude, excludeBy: info.excludeBy ?? 'clip', sourceWeights: info.sourceWeights, imageSize: 48 },
      encoder: { name: info.encoder, allowPartial: false },
      model: { kind: 'probe', hidden: p.hidden ? p.hidden.bias.length : 0 },
      // The logit-adjusted loss is the trainer's 'logit-adjust' with its tau; which prior (each source's or pooled) is
      // in the weights' metadata (logitAdjustPrior) and the command.
      loss: info.logitAdjustLoss ? { classBalance: 'logit-adjust', tau: info.logitAdjustLoss } : { classBalance: info.classBalance },
      optim: { epochs: 1, weightDecay: p.weightDecay },
    },
    [],
  );
  writeAtomic(join(dir, 'config.json'), JSON.stringify(cfg, null, 2) + '\n');
  const tensors: Record<string, torch.Tensor> = {};
  if (p.hidden) {
    const H = p.hidden.bias.length;
    const first = foldStandardisation({ dim: p.dim, mean: p.mean, std: p.std, weight: p.hidden.weight, bias: p.hidden.bias });
    tensors['hidden.weight'] = torch.tensor(first.weight, [H, p.dim]);
    tensors['hidden.bias'] = torch.tensor(first.bias, [H]);
    tensors['fc.weight'] = torch.tensor(p.weight, [p.bias.length, H]);
    tensors['fc.bias'] = torch.tensor(p.bias, [p.bias.length]);
  } else {
    const { weight, bias } = foldStandardisation(p);
    tensors['fc.weight'] = torch.tensor(weight, [bias.length, p.dim]);
    tensors['fc.bias'] = torch.tensor(bias, [bias.length]);
  }
  try {
    torch.saveSafetensors(join(dir, 'best.safetensors'), tensors, {
      config: JSON.stringify(cfg),
      epoch: '0',
      encoderDim: String(p.dim),
      madeBy: info.command,
      weightDecay: String(p.weightDecay),
      logitAdjust: String(info.logitAdjust),
      ...(info.logitAdjustLoss ? { logitAdjustLoss: String(info.logitAdjustLoss), logitAdjustPrior: info.logitAdjustPrior ?? 'source' } : {}),
      augViews: String(info.augViews ?? 0),
      ...(info.reframe?.length ? { reframe: info.reframe.join(',') } : {}),
      ...(info.gray ? { colour: 'gray' } : {}),
      ...(info.encoderWeights ? { encoderWeights: info.encoderWeights } : {}),
      ...(info.fit ? { fit: JSON.stringify(info.fit) } : {}),
    });
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
  const metrics = { epoch: 0, lr: 0, loss: 0, ce: 0, sep: 0, div: 0, trainAccuracy: NaN, validAccuracy: info.validAccuracy, validBalancedAccuracy: info.validBalancedAccuracy, imagesPerSecond: 0, seconds: 0 };
  writeAtomic(join(dir, 'metrics.jsonl'), JSON.stringify(metrics) + '\n');
  return cfg;
}
