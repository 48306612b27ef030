// Learning-rate schedules, stepped once per epoch (as CAFE's ExponentialLR). Closed forms of torch.optim.lr_scheduler,
// so resuming at epoch e gives the same rate without replaying steps.
import { invalidParameter } from '../../errors.js';
import type { Optimizer } from './optimizer.js';

export abstract class LRScheduler {
  readonly baseLr: number;
  /** Epochs completed (the rate in force is for epoch `epoch`). */
  epoch = 0;
  constructor(readonly optimizer: Optimizer) {
    this.baseLr = optimizer.lr;
  }
  protected abstract rateAt(epoch: number): number;
  /** Advances one epoch and sets the optimiser's lr. */
  step(): void {
    this.epoch++;
    this.optimizer.lr = this.rateAt(this.epoch);
  }
  /** Jumps to an epoch (resume). */
  setEpoch(epoch: number): void {
    this.epoch = epoch;
    this.optimizer.lr = this.rateAt(epoch);
  }
  get lr(): number {
    return this.optimizer.lr;
  }
}

/** lr = base * gamma^epoch. */
export class ExponentialLR extends LRScheduler {
  constructor(opt: Optimizer, readonly gamma: number) {
    super(opt);
    if (!(gamma > 0)) throw invalidParameter('gamma', 'a positive number', gamma);
  }
  protected rateAt(e: number): number {
    return this.baseLr * this.gamma ** e;
  }
}

/** lr = base * gamma^floor(epoch / stepSize). */
export class StepLR extends LRScheduler {
  constructor(opt: Optimizer, readonly stepSize: number, readonly gamma = 0.1) {
    super(opt);
    if (!Number.isInteger(stepSize) || stepSize < 1) throw invalidParameter('stepSize', 'a positive integer', stepSize);
  }
  protected rateAt(e: number): number {
    return this.baseLr * this.gamma ** Math.floor(e / this.stepSize);
  }
}

/** lr = etaMin + (base - etaMin) (1 + cos(pi * epoch / tMax)) / 2. */
export class CosineAnnealingLR extends LRScheduler {
  constructor(opt: Optimizer, readonly tMax: number, readonly etaMin = 0) {
    super(opt);
    if (!(tMax > 0)) throw invalidParameter('tMax', 'a positive number', tMax);
  }
  protected rateAt(e: number): number {
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * Math.min(e, this.tMax)) / this.tMax))) / 2;
  }
}
