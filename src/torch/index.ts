// The training core: tensors, ops, autograd, nn, optim over libtorch. Importing this module does not load libtorch;
// the first tensor operation does (and explains how to install it when missing).
export * from './tensor.js';
export * as ops from './ops.js';
export * from './ops.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export { saveSafetensors, loadSafetensors, readSafetensorsHeader } from './safetensors.js';
export { loadNative, nativeAvailable, INSTALL_HINT } from './native.js';
