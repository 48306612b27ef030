// The CAFE model and its ablation rows, one module whose parameter names follow PyTorch (backbone.conv1.weight,
// proj.weight, fc.weight). Inputs: the face for the mask CNN x [B, 3, S, S] and the frozen encoder's feature F [B, D].
//
//   cafe      f = CNN(x) [B, d];  M = sigmoid(f) (or f);  F~ = M * F';  logits = fc(F~)
//             F' is F matched to d channels (pool / projectF) or f is lifted to D (projectf)
//   baseline  logits = fc(f)                                (no encoder)
//   probe     logits = fc(F), or fc(relu(hidden(F))) with model.hidden > 0   (no CNN)
//   concat    logits = fc([F, f])
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/index.js';
import { Module } from '../torch/nn/module.js';
import { Linear } from '../torch/nn/layers.js';
import { ResNet } from '../models/resnet.js';
import { MobileNetV2 } from '../models/mobilenetv2.js';
import { invalidParameter } from '../errors.js';
import { NUM_CLASSES } from '../labels.js';
import type { TrainConfig } from './config.js';

export interface CafeOutput {
  logits: Tensor; // [B, 7]
  /** F~ = M * F' (cafe only): what the channel losses see. */
  masked?: Tensor; // [B, D']
  /** The mask M (cafe only), for diagnostics. */
  mask?: Tensor; // [B, D']
}

type Backbone = ResNet | MobileNetV2;

function makeBackbone(m: TrainConfig['model']): Backbone {
  if (m.backbone === 'mobilenetv2') return new MobileNetV2({ featuresOnly: true, finalRelu: m.finalRelu });
  return new ResNet({ depth: m.backbone === 'resnet50' ? 50 : 18, featuresOnly: true, finalRelu: m.finalRelu });
}

/**
 * Fixed per-channel standardisation of F, (F - mean) * scale, from the training set's statistics (model.normalizeF).
 * Buffers, not parameters: saved with the weights (fnorm.mean, fnorm.scale), never trained.
 */
export class FeatureNorm extends Module {
  constructor(dim: number) {
    super();
    this.registerBuffer('mean', torch.zeros([dim]));
    this.registerBuffer('scale', torch.ones([dim]));
  }

  /** Sets the statistics: mean [D] and std [D] of the training features (featureStats: constant channels have std 1). */
  setStats(mean: Float32Array, std: Float32Array): void {
    this.setBuffer('mean', torch.tensor(mean, [mean.length]));
    this.setBuffer('scale', torch.tensor(std.map((s) => 1 / s), [std.length]));
  }

  forward(F: Tensor): Tensor {
    return torch.mul(torch.sub(F, this.buffer('mean')), this.buffer('scale')); // [B, D]
  }
}

export class CafeModel extends Module {
  readonly kind: TrainConfig['model']['kind'];
  readonly backbone?: Backbone;
  readonly proj?: Linear;
  readonly fc: Linear;
  /** model.hidden > 0 (probe only): the hidden layer, D -> hidden. */
  readonly hidden?: Linear;
  /** model.normalizeF: F standardised before anything reads it. */
  readonly fnorm?: FeatureNorm;
  /** Width of F~ (the classifier's input for cafe). */
  readonly maskedDim: number;
  private readonly poolWindow: number;

  constructor(readonly model: TrainConfig['model'], readonly encoderDim: number) {
    super();
    this.kind = model.kind;
    if (this.kind !== 'probe') this.backbone = this.registerModule('backbone', makeBackbone(model));
    const d = this.backbone?.featureDim ?? 0;
    const D = encoderDim;
    this.poolWindow = 1;
    let inFc: number;
    if (this.kind === 'baseline') inFc = d;
    else if (this.kind === 'probe') {
      // Registered before fc so parameters() lists the layers in forward order.
      if ((model.hidden ?? 0) > 0) this.hidden = this.registerModule('hidden', new Linear(D, model.hidden));
      inFc = this.hidden ? model.hidden : D;
    }
    else if (this.kind === 'concat') inFc = D + d;
    else if (D === d) inFc = D;
    else if (model.dimMatch === 'pool') {
      if (D % d !== 0) throw invalidParameter('model.dimMatch', `'projectF' or 'projectf' (pool needs D a multiple of d: ${D} vs ${d})`, 'pool');
      this.poolWindow = D / d;
      inFc = d;
    } else if (model.dimMatch === 'projectF') {
      this.proj = this.registerModule('proj', new Linear(D, d));
      inFc = d;
    } else {
      this.proj = this.registerModule('proj', new Linear(d, D));
      inFc = D;
    }
    this.maskedDim = inFc;
    this.fc = this.registerModule('fc', new Linear(inFc, NUM_CLASSES));
    if (model.normalizeF && this.kind !== 'baseline') this.fnorm = this.registerModule('fnorm', new FeatureNorm(D));
  }

  /** Does the model read the face image / the encoder feature? (The trainer skips what is not needed.) */
  get usesImage(): boolean {
    return this.kind !== 'probe';
  }
  get usesFeature(): boolean {
    return this.kind !== 'baseline';
  }

  /** x [B, 3, S, S] (ignored by probe), F [B, D] (ignored by baseline). */
  forward(x: Tensor | undefined, F: Tensor | undefined): CafeOutput {
    const f = this.backbone ? this.backbone.features(need(x, 'image')) : undefined; // [B, d]
    if (this.kind === 'baseline') return { logits: this.fc.forward(f!) };
    const raw = need(F, 'encoder feature'); // [B, D]
    const feat = this.fnorm ? this.fnorm.forward(raw) : raw; // [B, D]
    if (this.kind === 'probe') return { logits: this.fc.forward(this.hidden ? torch.relu(this.hidden.forward(feat)) : feat) }; // [B, 7]
    if (this.kind === 'concat') return { logits: this.fc.forward(torch.cat([feat, f!], 1)) };
    let Fm = feat;
    let fm = f!;
    if (this.poolWindow > 1) {
      const [b, D] = feat.shape;
      Fm = torch.mean(torch.reshape(feat, [b, D / this.poolWindow, this.poolWindow]), 2); // [B, d]
    } else if (this.proj && this.model.dimMatch === 'projectF') Fm = this.proj.forward(feat); // [B, d]
    else if (this.proj) fm = this.proj.forward(f!); // [B, D]
    const mask = this.model.maskActivation === 'sigmoid' ? torch.sigmoid(fm) : fm;
    const masked = torch.mul(mask, Fm); // [B, D']
    return { logits: this.fc.forward(masked), masked, mask };
  }
}

function need(t: Tensor | undefined, what: string): Tensor {
  if (!t) throw invalidParameter(what, 'a tensor (this model kind needs it)', t);
  return t;
}
