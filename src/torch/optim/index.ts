export { Optimizer, Adam, AdamW, SGD } from './optimizer.js';
export type { AdamConfig, SGDConfig } from './optimizer.js';
export { LRScheduler, ExponentialLR, StepLR, CosineAnnealingLR } from './scheduler.js';
