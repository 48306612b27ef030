// The standard layers, with PyTorch's parameter names, shapes and default initialisation.
import { invalidParameter } from '../../errors.js';
import { Tensor, zeros, ones, scalar, noGrad, native } from '../tensor.js';
import * as ops from '../ops.js';
import { Layer } from './module.js';
import { kaimingUniform_, uniform_, fans } from './init.js';

function posInt(v: unknown, name: string): number {
  if (!Number.isInteger(v) || (v as number) < 1) throw invalidParameter(name, 'a positive integer', v);
  return v as number;
}

export interface Conv2dConfig {
  inChannels: number;
  outChannels: number;
  kernelSize: number | [number, number];
  /** Default 1. */
  stride?: number | [number, number];
  /** Default 0. */
  padding?: number | [number, number];
  /** Default 1. */
  dilation?: number | [number, number];
  /** Default 1. */
  groups?: number;
  /** Default true, as in PyTorch (ResNet convs pass false: a BatchNorm follows). */
  bias?: boolean;
}

export class Conv2d extends Layer {
  readonly config: Required<Conv2dConfig>;
  constructor(c: Conv2dConfig) {
    super();
    const groups = posInt(c.groups ?? 1, 'groups');
    posInt(c.inChannels, 'inChannels');
    posInt(c.outChannels, 'outChannels');
    if (c.inChannels % groups || c.outChannels % groups) throw invalidParameter('groups', 'a divisor of inChannels and outChannels', groups);
    this.config = { stride: 1, padding: 0, dilation: 1, groups: 1, bias: true, ...c };
    const k = typeof c.kernelSize === 'number' ? [c.kernelSize, c.kernelSize] : c.kernelSize;
    const w = this.registerParameter('weight', zeros([c.outChannels, c.inChannels / groups, k[0], k[1]]));
    kaimingUniform_(w, { a: Math.sqrt(5) });
    if (this.config.bias) {
      const bound = 1 / Math.sqrt(fans(w).fanIn);
      uniform_(this.registerParameter('bias', zeros([c.outChannels])), -bound, bound);
    }
  }
  forward(x: Tensor): Tensor {
    const c = this.config;
    return ops.conv2d(x, this.param('weight'), c.bias ? this.param('bias') : undefined, {
      stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups,
    });
  }
}

export class Linear extends Layer {
  constructor(readonly inFeatures: number, readonly outFeatures: number, bias = true) {
    super();
    posInt(inFeatures, 'inFeatures');
    posInt(outFeatures, 'outFeatures');
    const w = this.registerParameter('weight', zeros([outFeatures, inFeatures]));
    kaimingUniform_(w, { a: Math.sqrt(5) });
    if (bias) {
      const bound = 1 / Math.sqrt(inFeatures);
      uniform_(this.registerParameter('bias', zeros([outFeatures])), -bound, bound);
    }
  }
  forward(x: Tensor): Tensor {
    return ops.linear(x, this.param('weight'), this.hasParam('bias') ? this.param('bias') : undefined);
  }
}

export interface BatchNorm2dConfig {
  /** Default 1e-5. */
  eps?: number;
  /** Running-statistics update factor; null = cumulative average (PyTorch momentum=None). Default 0.1. */
  momentum?: number | null;
  /** Learnable scale and shift. Default true. */
  affine?: boolean;
  /** Keep running statistics (used in eval mode). Default true. */
  trackRunningStats?: boolean;
}

export class BatchNorm2d extends Layer {
  readonly eps: number;
  readonly momentum: number | null;
  readonly track: boolean;
  constructor(readonly numFeatures: number, c: BatchNorm2dConfig = {}) {
    super();
    posInt(numFeatures, 'numFeatures');
    this.eps = c.eps ?? 1e-5;
    this.momentum = c.momentum === undefined ? 0.1 : c.momentum;
    this.track = c.trackRunningStats ?? true;
    if (c.affine ?? true) {
      this.registerParameter('weight', ones([numFeatures]));
      this.registerParameter('bias', zeros([numFeatures]));
    }
    if (this.track) {
      this.registerBuffer('running_mean', zeros([numFeatures]));
      this.registerBuffer('running_var', ones([numFeatures]));
      this.registerBuffer('num_batches_tracked', scalar(0, 'int64'));
    }
  }
  forward(x: Tensor): Tensor {
    if (x.ndim !== 4) throw invalidParameter('input', 'a 4-D tensor [N, C, H, W]', `shape [${x.shape.join(', ')}]`);
    let momentum = this.momentum ?? 0;
    const useBatchStats = this.training || !this.track;
    if (this.training && this.track) {
      const nbt = this.buffer('num_batches_tracked');
      noGrad(() => native().addInPlace(nbt.handle, 1, 1, true));
      if (this.momentum === null) momentum = 1 / nbt.item();
    }
    const affine = this.hasParam('weight');
    return ops.batchNorm(x, this.track ? this.buffer('running_mean') : undefined, this.track ? this.buffer('running_var') : undefined, {
      weight: affine ? this.param('weight') : undefined,
      bias: affine ? this.param('bias') : undefined,
      training: useBatchStats,
      momentum,
      eps: this.eps,
    });
  }
}

export class ReLU extends Layer {
  forward(x: Tensor): Tensor {
    return ops.relu(x);
  }
}
export class Sigmoid extends Layer {
  forward(x: Tensor): Tensor {
    return ops.sigmoid(x);
  }
}
export class Identity extends Layer {
  forward(x: Tensor): Tensor {
    return x;
  }
}
export class Flatten extends Layer {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return ops.flatten(x, this.startDim, this.endDim);
  }
}
export class MaxPool2d extends Layer {
  constructor(readonly kernelSize: number, readonly o: { stride?: number; padding?: number; dilation?: number; ceilMode?: boolean } = {}) {
    super();
  }
  forward(x: Tensor): Tensor {
    return ops.maxPool2d(x, this.kernelSize, this.o);
  }
}
export class AdaptiveAvgPool2d extends Layer {
  constructor(readonly outputSize: number | [number, number]) {
    super();
  }
  forward(x: Tensor): Tensor {
    return ops.adaptiveAvgPool2d(x, this.outputSize);
  }
}
export class Dropout extends Layer {
  constructor(readonly p = 0.5) {
    super();
    if (p < 0 || p > 1) throw invalidParameter('p', 'a probability in [0, 1]', p);
  }
  forward(x: Tensor): Tensor {
    return ops.dropout(x, this.p, this.training);
  }
}

/** Children named '0', '1', ... as in torch.nn.Sequential. */
export class Sequential extends Layer {
  readonly layers: Layer[];
  constructor(...layers: Layer[]) {
    super();
    this.layers = layers;
    layers.forEach((l, i) => this.registerModule(String(i), l));
  }
  forward(x: Tensor): Tensor {
    let y = x;
    for (const l of this.layers) y = l.forward(y);
    return y;
  }
}
