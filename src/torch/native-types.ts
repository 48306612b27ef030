// Type of the libtorch addon's exports (native/cafe_torch.cc). Handles are opaque; src/torch/tensor.ts wraps them.
/** A tensor handle: a number (slot + generation) into the addon's table; stale handles fail as 'disposed'. */
export type NativeTensorHandle = number & { readonly __brand?: 'NativeTensor' };
export interface NativeGeneratorHandle {
  readonly __brand: 'NativeGenerator';
}
type H = NativeTensorHandle;
type G = NativeGeneratorHandle | undefined;

export interface NativeBinding {
  fromBuffer(data: ArrayBufferView, shape: number[], dtype: string): H;
  toBuffer(t: H): ArrayBuffer;
  full(shape: number[], value: number, dtype: string): H;
  arange(start: number, end: number, step: number, dtype: string): H;
  rand(shape: number[], dtype: string, gen: G): H;
  randn(shape: number[], dtype: string, gen: G): H;
  randint(low: number, high: number, shape: number[], gen: G): H;
  randperm(n: number, gen: G): H;
  newGenerator(seed: number): NativeGeneratorHandle;
  generatorSeed(gen: NativeGeneratorHandle, seed: number): void;

  shape(t: H): number[];
  dtype(t: H): string;
  device(t: H): string;
  requiresGrad(t: H): boolean;
  setRequiresGrad(t: H, v: boolean): void;
  isLeaf(t: H): boolean;
  grad(t: H): H | undefined;
  setGrad(t: H, g: H | undefined): void;
  zeroGrad(t: H, setToNone: boolean): void;
  backward(t: H, gradient?: H, retainGraph?: boolean): void;
  item(t: H): number;
  dispose(t: H): void;
  isDisposed(t: H): boolean;
  liveTensors(): number;
  setGradEnabled(v: boolean): void;
  isGradEnabled(): boolean;
  detach(t: H): H;
  clone(t: H): H;
  contiguous(t: H): H;
  to(t: H, device: string | null, dtype: string | null): H;

  add(a: H, b: number, alpha: number, bIsScalar: boolean): H;
  sub(a: H, b: number, alpha: number, bIsScalar: boolean): H;
  mul(a: H, b: number, bIsScalar: boolean): H;
  div(a: H, b: number, bIsScalar: boolean): H;
  pow(a: H, e: number): H;
  clamp(a: H, lo: number | null, hi: number | null): H;
  neg(a: H): H;
  exp(a: H): H;
  log(a: H): H;
  sqrt(a: H): H;
  abs(a: H): H;
  relu(a: H): H;
  sigmoid(a: H): H;
  tanh(a: H): H;
  sign(a: H): H;
  logicalNot(a: H): H;
  eq(a: H, b: number, bIsScalar: boolean): H;
  ne(a: H, b: number, bIsScalar: boolean): H;
  gt(a: H, b: number, bIsScalar: boolean): H;
  ge(a: H, b: number, bIsScalar: boolean): H;
  lt(a: H, b: number, bIsScalar: boolean): H;
  le(a: H, b: number, bIsScalar: boolean): H;
  where(c: H, a: H, b: number, bIsScalar: boolean): H;
  maskedFill(a: H, mask: H, value: number): H;

  matmul(a: H, b: H): H;
  linear(x: H, w: H, b: H | null): H;
  conv2d(x: H, w: H, b: H | null, stride: number[], padding: number[], dilation: number[], groups: number): H;
  batchNorm(x: H, w: H | null, b: H | null, rm: H | null, rv: H | null, training: boolean, momentum: number, eps: number): H;
  maxPool2d(x: H, k: number[], s: number[], p: number[], d: number[], ceil: boolean): H;
  avgPool2d(x: H, k: number[], s: number[], p: number[]): H;
  adaptiveAvgPool2d(x: H, out: number[]): H;
  dropout(x: H, p: number, training: boolean): H;
  softmax(x: H, dim: number): H;
  logSoftmax(x: H, dim: number): H;
  crossEntropy(logits: H, target: H, weight: H | null, reduction: string, labelSmoothing: number, ignoreIndex: number): H;
  mseLoss(a: H, b: H, reduction: string): H;

  reshape(t: H, shape: number[]): H;
  view(t: H, shape: number[]): H;
  permute(t: H, dims: number[]): H;
  transpose(t: H, d0: number, d1: number): H;
  flatten(t: H, start: number, end: number): H;
  unsqueeze(t: H, dim: number): H;
  squeeze(t: H, dim: number): H;
  expand(t: H, shape: number[]): H;
  cat(ts: H[], dim: number): H;
  stack(ts: H[], dim: number): H;
  slice(t: H, dim: number, start: number, end: number, step: number): H;
  indexSelect(t: H, dim: number, index: H): H;
  gather(t: H, dim: number, index: H): H;
  flip(t: H, dims: number[]): H;

  sum(t: H, dims: number[], keepdim: boolean): H;
  mean(t: H, dims: number[], keepdim: boolean): H;
  amax(t: H, dims: number[], keepdim: boolean): H;
  amin(t: H, dims: number[], keepdim: boolean): H;
  maxDim(t: H, dim: number, keepdim: boolean): [H, H];
  minDim(t: H, dim: number, keepdim: boolean): [H, H];
  argmax(t: H, dim?: number, keepdim?: boolean): H;

  addInPlace(t: H, other: number, alpha: number, otherIsScalar: boolean): H;
  mulInPlace(t: H, other: number, otherIsScalar: boolean): H;
  copyInPlace(dst: H, src: H): H;
  zeroInPlace(t: H): H;
  reluInPlace(t: H): H;
  fillInPlace(t: H, v: number): H;
  uniformInPlace(t: H, from: number, to: number, gen: G): H;
  normalInPlace(t: H, mean: number, std: number, gen: G): H;

  adamStep(params: H[], m: H[], v: H[], vmax: H[] | null, step: number, lr: number, b1: number, b2: number, eps: number,
    wd: number, decoupled: boolean): void;
  sgdStep(params: H[], bufs: H[], lr: number, momentum: number, dampening: number, wd: number, nesterov: boolean,
    firstStep: boolean): void;

  setNumThreads(n: number): void;
  getNumThreads(): number;
  manualSeed(seed: number): void;
  cudaIsAvailable(): boolean;
  cudaDeviceCount(): number;
  info(): { torchVersion: string; parallelInfo: string; cxx11Abi: boolean };
}
