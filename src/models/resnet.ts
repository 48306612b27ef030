// ResNet (He et al. 2016) in torchvision's layout and parameter names (conv1, bn1, layer1.0.conv1, ..., fc), so
// torchvision / MS-Celeb checkpoints converted to safetensors load as they are. ResNet-18/34 use BasicBlock,
// ResNet-50 Bottleneck.
import { invalidParameter } from '../errors.js';
import { Tensor } from '../torch/tensor.js';
import * as ops from '../torch/ops.js';
import { Layer, Module } from '../torch/nn/module.js';
import { BatchNorm2d, Conv2d, Linear, Sequential, MaxPool2d, Identity } from '../torch/nn/layers.js';
import { kaimingNormal_, constant_ } from '../torch/nn/init.js';

export interface ResNetConfig {
  /** 18, 34 or 50. Default 18. */
  depth?: 18 | 34 | 50;
  /** Outputs of the final fc layer. Default 1000 (ImageNet, so torchvision weights load). */
  numClasses?: number;
  /** Drop fc and return the global-average-pooled feature [N, 512] (18/34) or [N, 2048] (50). Default false. */
  featuresOnly?: boolean;
  /** Input channels. Default 3. */
  inChannels?: number;
  /** Nominal square input size; any size >= 32 works (adaptive pooling), this one is recorded for exports. Default 224. */
  inputSize?: number;
  /** Zero the last BN of each residual branch (torchvision's zero_init_residual). Default false. */
  zeroInitResidual?: boolean;
  /**
   * Apply the last block's final ReLU. Default true (torchvision). CAFE's mask is sigmoid(f): with the ReLU, f >= 0
   * and the mask never drops below 0.5; false lets the pooled feature go negative so the mask can reach 0.
   */
  finalRelu?: boolean;
}

const conv3x3 = (i: number, o: number, stride = 1) => new Conv2d({ inChannels: i, outChannels: o, kernelSize: 3, stride, padding: 1, bias: false });
const conv1x1 = (i: number, o: number, stride = 1) => new Conv2d({ inChannels: i, outChannels: o, kernelSize: 1, stride, bias: false });

class BasicBlock extends Layer {
  static readonly expansion = 1;
  /** False only on the network's last block when config.finalRelu is false. */
  outRelu = true;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly downsample?: Sequential;
  constructor(inplanes: number, planes: number, stride: number, downsample?: Sequential) {
    super();
    this.conv1 = this.registerModule('conv1', conv3x3(inplanes, planes, stride));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(planes));
    this.conv2 = this.registerModule('conv2', conv3x3(planes, planes));
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(planes));
    if (downsample) this.downsample = this.registerModule('downsample', downsample);
  }
  forward(x: Tensor): Tensor {
    // In place where torchvision is (ReLU(inplace=True), out += identity): same math, less memory traffic.
    let out = ops.reluInPlace(this.bn1.forward(this.conv1.forward(x)));
    out = this.bn2.forward(this.conv2.forward(out));
    const identity = this.downsample ? this.downsample.forward(x) : x;
    const sum = ops.addInPlace(out, identity);
    return this.outRelu ? ops.reluInPlace(sum) : sum;
  }
  lastBn(): BatchNorm2d {
    return this.bn2;
  }
}

class Bottleneck extends Layer {
  static readonly expansion = 4;
  /** False only on the network's last block when config.finalRelu is false. */
  outRelu = true;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly conv3: Conv2d;
  readonly bn3: BatchNorm2d;
  readonly downsample?: Sequential;
  constructor(inplanes: number, planes: number, stride: number, downsample?: Sequential) {
    super();
    this.conv1 = this.registerModule('conv1', conv1x1(inplanes, planes));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(planes));
    this.conv2 = this.registerModule('conv2', conv3x3(planes, planes, stride));
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(planes));
    this.conv3 = this.registerModule('conv3', conv1x1(planes, planes * 4));
    this.bn3 = this.registerModule('bn3', new BatchNorm2d(planes * 4));
    if (downsample) this.downsample = this.registerModule('downsample', downsample);
  }
  forward(x: Tensor): Tensor {
    let out = ops.reluInPlace(this.bn1.forward(this.conv1.forward(x)));
    out = ops.reluInPlace(this.bn2.forward(this.conv2.forward(out)));
    out = this.bn3.forward(this.conv3.forward(out));
    const identity = this.downsample ? this.downsample.forward(x) : x;
    const sum = ops.addInPlace(out, identity);
    return this.outRelu ? ops.reluInPlace(sum) : sum;
  }
  lastBn(): BatchNorm2d {
    return this.bn3;
  }
}

const LAYERS: Record<18 | 34 | 50, number[]> = { 18: [2, 2, 2, 2], 34: [3, 4, 6, 3], 50: [3, 4, 6, 3] };

export class ResNet extends Layer {
  readonly config: Required<ResNetConfig>;
  /** Width of the pooled feature: 512 (18/34) or 2048 (50). */
  readonly featureDim: number;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly maxpool: MaxPool2d;
  readonly stages: Sequential[];
  readonly fc: Linear | Identity;

  constructor(c: ResNetConfig = {}) {
    super();
    this.config = { depth: 18, numClasses: 1000, featuresOnly: false, inChannels: 3, inputSize: 224, zeroInitResidual: false, finalRelu: true, ...c };
    const { depth, numClasses, inChannels, inputSize } = this.config;
    if (!(depth in LAYERS)) throw invalidParameter('depth', '18, 34 or 50', depth);
    if (!Number.isInteger(inputSize) || inputSize < 32) throw invalidParameter('inputSize', 'an integer >= 32', inputSize);
    const Block = depth === 50 ? Bottleneck : BasicBlock;
    this.conv1 = this.registerModule('conv1', new Conv2d({ inChannels, outChannels: 64, kernelSize: 7, stride: 2, padding: 3, bias: false }));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(64));
    this.maxpool = new MaxPool2d(3, { stride: 2, padding: 1 });
    let inplanes = 64;
    this.stages = [64, 128, 256, 512].map((planes, i) => {
      const stride = i === 0 ? 1 : 2;
      const blocks: Layer[] = [];
      for (let b = 0; b < LAYERS[depth][i]; b++) {
        const s = b === 0 ? stride : 1;
        let down: Sequential | undefined;
        if (b === 0 && (s !== 1 || inplanes !== planes * Block.expansion)) {
          down = new Sequential(conv1x1(inplanes, planes * Block.expansion, s), new BatchNorm2d(planes * Block.expansion));
        }
        blocks.push(new Block(inplanes, planes, s, down));
        inplanes = planes * Block.expansion;
      }
      return this.registerModule(`layer${i + 1}`, new Sequential(...blocks));
    });
    this.featureDim = 512 * Block.expansion;
    if (!this.config.finalRelu) (this.stages[3].layers[this.stages[3].layers.length - 1] as BasicBlock | Bottleneck).outRelu = false;
    if (this.config.featuresOnly) {
      this.fc = new Identity();
    } else {
      if (!Number.isInteger(numClasses) || numClasses < 1) throw invalidParameter('numClasses', 'a positive integer', numClasses);
      this.fc = this.registerModule('fc', new Linear(this.featureDim, numClasses));
    }
    // torchvision's initialisation.
    for (const [, m] of this.namedModules()) {
      if (m instanceof Conv2d) kaimingNormal_(m.param('weight'), { mode: 'fan_out', nonlinearity: 'relu' });
      else if (m instanceof BatchNorm2d) {
        constant_(m.param('weight'), 1);
        constant_(m.param('bias'), 0);
      }
    }
    if (this.config.zeroInitResidual) {
      for (const [, m] of this.namedModules()) if (m instanceof BasicBlock || m instanceof Bottleneck) constant_(m.lastBn().param('weight'), 0);
    }
  }

  /** Pooled feature before fc: [N, featureDim]. */
  features(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== this.config.inChannels) {
      throw invalidParameter('input', `a tensor [N, ${this.config.inChannels}, H, W]`, `shape [${x.shape.join(', ')}]`);
    }
    let y = this.maxpool.forward(ops.reluInPlace(this.bn1.forward(this.conv1.forward(x))));
    for (const s of this.stages) y = s.forward(y);
    return ops.flatten(ops.adaptiveAvgPool2d(y, 1), 1); // [N, featureDim]
  }

  forward(x: Tensor): Tensor {
    const f = this.features(x);
    return this.fc.forward(f);
  }
}

export const resnet18 = (c: Omit<ResNetConfig, 'depth'> = {}) => new ResNet({ ...c, depth: 18 });
export const resnet34 = (c: Omit<ResNetConfig, 'depth'> = {}) => new ResNet({ ...c, depth: 34 });
export const resnet50 = (c: Omit<ResNetConfig, 'depth'> = {}) => new ResNet({ ...c, depth: 50 });
export type { Module };
