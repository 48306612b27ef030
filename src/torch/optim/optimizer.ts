// Optimisers. The update math runs in libtorch (one call per step for all parameters) and follows torch.optim's
// single-tensor code; the state lives in TypeScript as tensors so it saves to safetensors with the checkpoint.
import { CafeError, invalidParameter } from '../../errors.js';
import { Tensor, zeros, keep, noGrad, native } from '../tensor.js';
import { copyInPlace } from '../ops.js';

export abstract class Optimizer {
  /** Learning rate used by the next step (schedulers set it). */
  lr: number;
  /** Steps taken so far. */
  stepCount = 0;
  readonly params: Tensor[];

  constructor(params: Tensor[], lr: number) {
    if (!Array.isArray(params) || params.length === 0 || !params.every((p) => p instanceof Tensor)) {
      throw invalidParameter('params', 'a non-empty array of parameter tensors', params);
    }
    if (!(lr > 0)) throw invalidParameter('lr', 'a positive number', lr);
    this.params = params;
    this.lr = lr;
  }
  abstract step(): void;
  zeroGrad(setToNone = true): void {
    for (const p of this.params) p.zeroGrad(setToNone);
  }
  /** State tensors by name (`state.<i>.<name>`), plus the step count; for checkpoints. */
  abstract stateTensors(): Map<string, Tensor>;
  stateDict(): { tensors: Map<string, Tensor>; meta: { type: string; lr: number; step: number } } {
    return { tensors: this.stateTensors(), meta: { type: this.constructor.name, lr: this.lr, step: this.stepCount } };
  }
  loadStateDict(s: { tensors: Map<string, Tensor>; meta: { type: string; lr: number; step: number } }): void {
    if (s.meta.type !== this.constructor.name) throw new CafeError(`Optimizer state is for ${s.meta.type}, not ${this.constructor.name}`);
    const own = this.stateTensors();
    for (const [k, dst] of own) {
      const src = s.tensors.get(k);
      if (!src) throw new CafeError(`Optimizer state is missing '${k}'`);
      if (src.shape.join() !== dst.shape.join()) throw invalidParameter(`optimizer state '${k}'`, `shape [${dst.shape}]`, `shape [${src.shape}]`);
      noGrad(() => copyInPlace(dst, src));
    }
    this.lr = s.meta.lr;
    this.stepCount = s.meta.step;
  }
  dispose(): void {
    for (const t of this.stateTensors().values()) t.dispose();
  }
}

const zerosLike = (p: Tensor) => keep(zeros(p.shape, p.dtype));

export interface AdamConfig {
  /** Default 1e-3. */
  lr?: number;
  /** Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient (Adam) or decoupled decay (AdamW). Default 0 (Adam), 1e-2 (AdamW). */
  weightDecay?: number;
  /** Default false. */
  amsgrad?: boolean;
}

/** torch.optim.Adam: weight decay is an L2 term added to the gradient. */
export class Adam extends Optimizer {
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly amsgrad: boolean;
  protected readonly decoupled: boolean = false;
  private readonly m: Tensor[];
  private readonly v: Tensor[];
  private readonly vmax: Tensor[] | null;

  constructor(params: Tensor[], c: AdamConfig = {}, defaultWeightDecay = 0) {
    super(params, c.lr ?? 1e-3);
    this.betas = c.betas ?? [0.9, 0.999];
    this.eps = c.eps ?? 1e-8;
    this.weightDecay = c.weightDecay ?? defaultWeightDecay;
    this.amsgrad = c.amsgrad ?? false;
    for (const [name, v] of [['betas[0]', this.betas[0]], ['betas[1]', this.betas[1]]] as const) {
      if (!(v >= 0 && v < 1)) throw invalidParameter(name, 'a number in [0, 1)', v);
    }
    if (!(this.weightDecay >= 0)) throw invalidParameter('weightDecay', 'a number >= 0', this.weightDecay);
    this.m = params.map(zerosLike);
    this.v = params.map(zerosLike);
    this.vmax = this.amsgrad ? params.map(zerosLike) : null;
  }
  step(): void {
    this.stepCount++;
    const h = (ts: Tensor[]) => ts.map((t) => t.handle);
    native().adamStep(h(this.params), h(this.m), h(this.v), this.vmax ? h(this.vmax) : null, this.stepCount, this.lr,
      this.betas[0], this.betas[1], this.eps, this.weightDecay, this.decoupled);
  }
  stateTensors(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    this.params.forEach((_, i) => {
      out.set(`state.${i}.exp_avg`, this.m[i]);
      out.set(`state.${i}.exp_avg_sq`, this.v[i]);
      if (this.vmax) out.set(`state.${i}.max_exp_avg_sq`, this.vmax[i]);
    });
    return out;
  }
}

/** torch.optim.AdamW: decoupled weight decay (p *= 1 - lr * wd before the Adam update). */
export class AdamW extends Adam {
  protected override readonly decoupled = true;
  constructor(params: Tensor[], c: AdamConfig = {}) {
    super(params, c, 1e-2);
  }
}

export interface SGDConfig {
  lr: number;
  /** Default 0. */
  momentum?: number;
  /** Default 0. */
  dampening?: number;
  /** Default 0. */
  weightDecay?: number;
  /** Default false. */
  nesterov?: boolean;
}

/** torch.optim.SGD. */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  private readonly bufs: Tensor[];
  constructor(params: Tensor[], c: SGDConfig) {
    super(params, c.lr);
    this.momentum = c.momentum ?? 0;
    this.dampening = c.dampening ?? 0;
    this.weightDecay = c.weightDecay ?? 0;
    this.nesterov = c.nesterov ?? false;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) throw invalidParameter('nesterov', 'momentum > 0 and dampening 0', c);
    this.bufs = this.momentum !== 0 ? params.map(zerosLike) : [];
  }
  step(): void {
    const first = this.stepCount === 0;
    this.stepCount++;
    native().sgdStep(this.params.map((p) => p.handle), this.bufs.map((b) => b.handle), this.lr, this.momentum, this.dampening,
      this.weightDecay, this.nesterov, first);
  }
  stateTensors(): Map<string, Tensor> {
    return new Map(this.bufs.map((b, i) => [`state.${i}.momentum_buffer`, b]));
  }
}
