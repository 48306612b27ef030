// MobileNetV2 (Sandler et al. 2018) in torchvision's layout and parameter names (features.0.0.weight,
// features.1.conv.0.0.weight, ..., classifier.1.weight), one of the mask-CNN backbones of CAFE's backbone table.
import { invalidParameter } from '../errors.js';
import { Tensor } from '../torch/tensor.js';
import * as ops from '../torch/ops.js';
import { Layer } from '../torch/nn/module.js';
import { BatchNorm2d, Conv2d, Dropout, Identity, Linear, Sequential } from '../torch/nn/layers.js';
import { constant_, kaimingNormal_, normal_ } from '../torch/nn/init.js';
import { MOBILENETV2_SETTINGS } from './mobilenetv2-arch.js';

export interface MobileNetV2Config {
  /** Outputs of the classifier. Default 1000. */
  numClasses?: number;
  /** Drop the classifier; features() gives the pooled [N, 1280]. Default false. */
  featuresOnly?: boolean;
  /** Skip the final ReLU6 so the pooled feature can be negative (CAFE's free mask). Default true. */
  finalRelu?: boolean;
}

class ReLU6 extends Layer {
  forward(x: Tensor): Tensor {
    return ops.clamp(x, 0, 6);
  }
}

/** Conv + BN (+ ReLU6), torchvision's Conv2dNormActivation: children 0, 1, 2. */
function convBn(i: number, o: number, k: number, stride: number, groups: number, act: boolean): Sequential {
  const conv = new Conv2d({ inChannels: i, outChannels: o, kernelSize: k, stride, padding: (k - 1) / 2, groups, bias: false });
  return act ? new Sequential(conv, new BatchNorm2d(o), new ReLU6()) : new Sequential(conv, new BatchNorm2d(o));
}

class InvertedResidual extends Layer {
  readonly conv: Sequential;
  readonly residual: boolean;
  constructor(inp: number, oup: number, stride: number, expand: number) {
    super();
    const hidden = inp * expand;
    const layers: Layer[] = [];
    if (expand !== 1) layers.push(convBn(inp, hidden, 1, 1, 1, true));
    layers.push(convBn(hidden, hidden, 3, stride, hidden, true)); // depthwise
    layers.push(new Conv2d({ inChannels: hidden, outChannels: oup, kernelSize: 1, bias: false }), new BatchNorm2d(oup));
    this.conv = this.registerModule('conv', new Sequential(...layers));
    this.residual = stride === 1 && inp === oup;
  }
  forward(x: Tensor): Tensor {
    const y = this.conv.forward(x);
    return this.residual ? ops.add(x, y) : y;
  }
}


export class MobileNetV2 extends Layer {
  readonly featureDim = 1280;
  readonly features_: Sequential;
  readonly classifier: Sequential | Identity;
  constructor(c: MobileNetV2Config = {}) {
    super();
    const numClasses = c.numClasses ?? 1000;
    const blocks: Layer[] = [convBn(3, 32, 3, 2, 1, true)];
    let inp = 32;
    for (const [t, ch, n, s] of MOBILENETV2_SETTINGS) {
      for (let i = 0; i < n; i++) {
        blocks.push(new InvertedResidual(inp, ch, i === 0 ? s : 1, t));
        inp = ch;
      }
    }
    blocks.push(convBn(inp, this.featureDim, 1, 1, 1, c.finalRelu ?? true));
    this.features_ = this.registerModule('features', new Sequential(...blocks));
    if (c.featuresOnly) this.classifier = new Identity();
    else {
      if (!Number.isInteger(numClasses) || numClasses < 1) throw invalidParameter('numClasses', 'a positive integer', numClasses);
      this.classifier = this.registerModule('classifier', new Sequential(new Dropout(0.2), new Linear(this.featureDim, numClasses)));
    }
    for (const [, m] of this.namedModules()) {
      if (m instanceof Conv2d) kaimingNormal_(m.param('weight'), { mode: 'fan_out' });
      else if (m instanceof BatchNorm2d) {
        constant_(m.param('weight'), 1);
        constant_(m.param('bias'), 0);
      } else if (m instanceof Linear) {
        normal_(m.param('weight'), 0, 0.01);
        constant_(m.param('bias'), 0);
      }
    }
  }
  /** Pooled feature [N, 1280]. */
  features(x: Tensor): Tensor {
    return ops.flatten(ops.adaptiveAvgPool2d(this.features_.forward(x), 1), 1);
  }
  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.features(x));
  }
}

export const mobilenetV2 = (c: MobileNetV2Config = {}) => new MobileNetV2(c);
