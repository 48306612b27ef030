// Tensor operations: validated in TypeScript (clear messages naming the argument), computed by libtorch.
// Each op exists as a function (`ops.add(a, b)`) and as a chained method (`a.add(b)`), like tfjs.
import { invalidParameter } from '../errors.js';
import { Tensor, native, type DType } from './tensor.js';

type Operand = Tensor | number;
const T = (h: ReturnType<ReturnType<typeof native>['add']>): Tensor => new Tensor(h);

function isTensor(x: unknown, name: string): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw invalidParameter(name, 'a Tensor', x);
}
function operand(x: unknown, name: string): Operand {
  if (typeof x === 'number') return x;
  isTensor(x, name);
  return x;
}
// Native binary ops take (handle-or-number, isScalar): handles are numbers as well.
const h = (x: Operand) => (typeof x === 'number' ? x : x.handle);
const isNum = (x: Operand) => typeof x === 'number';
function int(x: unknown, name: string): number {
  if (!Number.isInteger(x)) throw invalidParameter(name, 'an integer', x);
  return x as number;
}
function pair(x: number | number[], name: string): number[] {
  const v = typeof x === 'number' ? [x, x] : x;
  if (!Array.isArray(v) || v.length !== 2 || !v.every(Number.isInteger)) throw invalidParameter(name, 'an integer or [int, int]', x);
  return v;
}
function dim(t: Tensor, d: number, name = 'dim'): number {
  const n = t.ndim;
  if (!Number.isInteger(d) || d < -Math.max(n, 1) || d >= Math.max(n, 1)) throw invalidParameter(name, `an integer in [${-n}, ${n - 1}]`, d);
  return d;
}
function dims(t: Tensor, ds: number | number[] | undefined, name = 'dims'): number[] {
  if (ds === undefined) return [];
  const arr = typeof ds === 'number' ? [ds] : ds;
  if (!Array.isArray(arr)) throw invalidParameter(name, 'an integer or an array of integers', ds);
  return arr.map((d) => dim(t, d, name));
}

// ---- elementwise ----------------------------------------------------------------------------------------------------

export function add(a: Tensor, b: Operand, alpha = 1): Tensor {
  isTensor(a, 'a');
  const o = operand(b, 'b');
  return T(native().add(a.handle, h(o), alpha, isNum(o)));
}
export function sub(a: Tensor, b: Operand, alpha = 1): Tensor {
  isTensor(a, 'a');
  const o = operand(b, 'b');
  return T(native().sub(a.handle, h(o), alpha, isNum(o)));
}
export function mul(a: Tensor, b: Operand): Tensor {
  isTensor(a, 'a');
  const o = operand(b, 'b');
  return T(native().mul(a.handle, h(o), isNum(o)));
}
export function div(a: Tensor, b: Operand): Tensor {
  isTensor(a, 'a');
  const o = operand(b, 'b');
  return T(native().div(a.handle, h(o), isNum(o)));
}
export function pow(a: Tensor, exponent: number): Tensor {
  isTensor(a, 'a');
  if (typeof exponent !== 'number') throw invalidParameter('exponent', 'a number', exponent);
  return T(native().pow(a.handle, exponent));
}
export function clamp(a: Tensor, min?: number, max?: number): Tensor {
  isTensor(a, 'a');
  return T(native().clamp(a.handle, min ?? null, max ?? null));
}
const unary = (name: 'neg' | 'exp' | 'log' | 'sqrt' | 'abs' | 'relu' | 'sigmoid' | 'tanh' | 'sign' | 'logicalNot') =>
  (a: Tensor): Tensor => {
    isTensor(a, 'input');
    return T(native()[name](a.handle));
  };
export const neg = unary('neg');
export const exp = unary('exp');
export const log = unary('log');
export const sqrt = unary('sqrt');
export const abs = unary('abs');
export const relu = unary('relu');
export const sigmoid = unary('sigmoid');
export const tanh = unary('tanh');
export const sign = unary('sign');
export const logicalNot = unary('logicalNot');
const compare = (name: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le') => (a: Tensor, b: Operand): Tensor => {
  isTensor(a, 'a');
  const o = operand(b, 'b');
  return T(native()[name](a.handle, h(o), isNum(o)));
};
export const eq = compare('eq');
export const ne = compare('ne');
export const gt = compare('gt');
export const ge = compare('ge');
export const lt = compare('lt');
export const le = compare('le');

export function where(condition: Tensor, a: Tensor, b: Operand): Tensor {
  isTensor(condition, 'condition');
  isTensor(a, 'a');
  if (condition.dtype !== 'bool') throw invalidParameter('condition', 'a bool tensor', condition.dtype);
  const o = operand(b, 'b');
  return T(native().where(condition.handle, a.handle, h(o), isNum(o)));
}
export function maskedFill(a: Tensor, mask: Tensor, value: number): Tensor {
  isTensor(a, 'input');
  isTensor(mask, 'mask');
  if (mask.dtype !== 'bool') throw invalidParameter('mask', 'a bool tensor', mask.dtype);
  return T(native().maskedFill(a.handle, mask.handle, value));
}

// ---- linear algebra and nn ops --------------------------------------------------------------------------------------

export function matmul(a: Tensor, b: Tensor): Tensor {
  isTensor(a, 'a');
  isTensor(b, 'b');
  return T(native().matmul(a.handle, b.handle));
}
/** y = x W^T + b, x [*, in], W [out, in]. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  isTensor(x, 'input');
  isTensor(weight, 'weight');
  const xs = x.shape;
  const ws = weight.shape;
  if (ws.length !== 2) throw invalidParameter('weight', 'a 2-D tensor [out, in]', `shape [${ws.join(', ')}]`);
  if (xs[xs.length - 1] !== ws[1]) {
    throw invalidParameter('input', `last dimension ${ws[1]} (weight is [${ws.join(', ')}])`, `shape [${xs.join(', ')}]`);
  }
  return T(native().linear(x.handle, weight.handle, bias?.handle ?? null));
}

export interface Conv2dOptions {
  stride?: number | number[];
  padding?: number | number[];
  dilation?: number | number[];
  groups?: number;
}
/** x [N, C, H, W], weight [O, C/groups, kH, kW]. */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor, o: Conv2dOptions = {}): Tensor {
  isTensor(x, 'input');
  isTensor(weight, 'weight');
  const xs = x.shape;
  const ws = weight.shape;
  const groups = int(o.groups ?? 1, 'groups');
  if (xs.length !== 4) throw invalidParameter('input', 'a 4-D tensor [N, C, H, W]', `shape [${xs.join(', ')}]`);
  if (ws.length !== 4) throw invalidParameter('weight', 'a 4-D tensor [O, C/groups, kH, kW]', `shape [${ws.join(', ')}]`);
  if (xs[1] !== ws[1] * groups) {
    throw invalidParameter('input', `${ws[1] * groups} channels (weight is [${ws.join(', ')}])`, `shape [${xs.join(', ')}]`);
  }
  return T(native().conv2d(x.handle, weight.handle, bias?.handle ?? null, pair(o.stride ?? 1, 'stride'),
    pair(o.padding ?? 0, 'padding'), pair(o.dilation ?? 1, 'dilation'), groups));
}

export interface BatchNormOptions {
  weight?: Tensor;
  bias?: Tensor;
  training: boolean;
  momentum?: number;
  eps?: number;
}
/** Batch norm over dim 1. In training mode runningMean/runningVar are updated in place (as in PyTorch). */
export function batchNorm(x: Tensor, runningMean: Tensor | undefined, runningVar: Tensor | undefined, o: BatchNormOptions): Tensor {
  isTensor(x, 'input');
  const c = x.shape[1];
  for (const [name, t] of [['weight', o.weight], ['bias', o.bias], ['runningMean', runningMean], ['runningVar', runningVar]] as const) {
    if (t !== undefined && (t.ndim !== 1 || t.shape[0] !== c)) throw invalidParameter(name, `a 1-D tensor of ${c} elements`, `shape [${t.shape.join(', ')}]`);
  }
  return T(native().batchNorm(x.handle, o.weight?.handle ?? null, o.bias?.handle ?? null, runningMean?.handle ?? null,
    runningVar?.handle ?? null, o.training, o.momentum ?? 0.1, o.eps ?? 1e-5));
}

export function maxPool2d(x: Tensor, kernelSize: number | number[], o: { stride?: number | number[]; padding?: number | number[]; dilation?: number | number[]; ceilMode?: boolean } = {}): Tensor {
  isTensor(x, 'input');
  if (x.ndim !== 4 && x.ndim !== 3) throw invalidParameter('input', 'a 3-D or 4-D tensor', `shape [${x.shape.join(', ')}]`);
  const k = pair(kernelSize, 'kernelSize');
  return T(native().maxPool2d(x.handle, k, pair(o.stride ?? k, 'stride'), pair(o.padding ?? 0, 'padding'),
    pair(o.dilation ?? 1, 'dilation'), o.ceilMode ?? false));
}
export function avgPool2d(x: Tensor, kernelSize: number | number[], o: { stride?: number | number[]; padding?: number | number[] } = {}): Tensor {
  isTensor(x, 'input');
  const k = pair(kernelSize, 'kernelSize');
  return T(native().avgPool2d(x.handle, k, pair(o.stride ?? k, 'stride'), pair(o.padding ?? 0, 'padding')));
}
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | number[]): Tensor {
  isTensor(x, 'input');
  if (x.ndim !== 4 && x.ndim !== 3) throw invalidParameter('input', 'a 3-D or 4-D tensor', `shape [${x.shape.join(', ')}]`);
  return T(native().adaptiveAvgPool2d(x.handle, pair(outputSize, 'outputSize')));
}
export function dropout(x: Tensor, p: number, training: boolean): Tensor {
  isTensor(x, 'input');
  if (typeof p !== 'number' || p < 0 || p > 1) throw invalidParameter('p', 'a probability in [0, 1]', p);
  return T(native().dropout(x.handle, p, training));
}
export function softmax(x: Tensor, d: number): Tensor {
  isTensor(x, 'input');
  return T(native().softmax(x.handle, dim(x, d)));
}
export function logSoftmax(x: Tensor, d: number): Tensor {
  isTensor(x, 'input');
  return T(native().logSoftmax(x.handle, dim(x, d)));
}

export type Reduction = 'mean' | 'sum' | 'none';
export interface CrossEntropyOptions {
  /** Per-class weights [C]. */
  weight?: Tensor;
  reduction?: Reduction;
  /** Mixes the target with the uniform distribution (PyTorch semantics). */
  labelSmoothing?: number;
  /** Class-index targets equal to this are ignored. */
  ignoreIndex?: number;
}
/**
 * Cross-entropy of logits [N, C] against class indices [N] (int64) or class probabilities [N, C] (float).
 * Same semantics as torch.nn.functional.cross_entropy.
 */
export function crossEntropy(logits: Tensor, target: Tensor, o: CrossEntropyOptions = {}): Tensor {
  isTensor(logits, 'logits');
  isTensor(target, 'target');
  const ls = logits.shape;
  const ts = target.shape;
  if (ls.length < 1) throw invalidParameter('logits', 'a tensor [N, C]', `shape [${ls.join(', ')}]`);
  const soft = target.dtype.startsWith('float') || target.dtype === 'bfloat16';
  if (soft) {
    if (ts.join() !== ls.join()) throw invalidParameter('target', `probabilities of shape [${ls.join(', ')}]`, `shape [${ts.join(', ')}]`);
  } else {
    if (target.dtype !== 'int64') throw invalidParameter('target', 'int64 class indices or float probabilities', target.dtype);
    if (ts.length !== ls.length - 1 || ts[0] !== ls[0]) throw invalidParameter('target', `class indices of shape [${ls[0]}]`, `shape [${ts.join(', ')}]`);
  }
  const r = o.reduction ?? 'mean';
  if (!['mean', 'sum', 'none'].includes(r)) throw invalidParameter('reduction', "'mean', 'sum' or 'none'", r);
  const smoothing = o.labelSmoothing ?? 0;
  if (smoothing < 0 || smoothing > 1) throw invalidParameter('labelSmoothing', 'a number in [0, 1]', smoothing);
  if (o.weight && (o.weight.ndim !== 1 || o.weight.shape[0] !== ls[1])) {
    throw invalidParameter('weight', `a 1-D tensor of ${ls[1]} class weights`, `shape [${o.weight.shape.join(', ')}]`);
  }
  return T(native().crossEntropy(logits.handle, target.handle, o.weight?.handle ?? null, r, smoothing, o.ignoreIndex ?? -100));
}
export function mseLoss(a: Tensor, b: Tensor, reduction: Reduction = 'mean'): Tensor {
  isTensor(a, 'input');
  isTensor(b, 'target');
  return T(native().mseLoss(a.handle, b.handle, reduction));
}

// ---- shapes ---------------------------------------------------------------------------------------------------------

function checkNewShape(t: Tensor, shape: number[]): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= -1)) throw invalidParameter('shape', 'an array of integers (-1 allowed once)', shape);
  const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const n = t.numel;
  const ok = shape.includes(-1) ? known > 0 && n % known === 0 : known === n;
  if (!ok) throw invalidParameter('shape', `a shape with ${n} elements (input is [${t.shape.join(', ')}])`, shape);
  return shape;
}
export function reshape(t: Tensor, shape: number[]): Tensor {
  isTensor(t, 'input');
  return T(native().reshape(t.handle, checkNewShape(t, shape)));
}
export function view(t: Tensor, shape: number[]): Tensor {
  isTensor(t, 'input');
  return T(native().view(t.handle, checkNewShape(t, shape)));
}
export function permute(t: Tensor, order: number[]): Tensor {
  isTensor(t, 'input');
  if (!Array.isArray(order) || order.length !== t.ndim) throw invalidParameter('dims', `a permutation of ${t.ndim} dimensions`, order);
  return T(native().permute(t.handle, order.map((d) => dim(t, d))));
}
export function transpose(t: Tensor, d0: number, d1: number): Tensor {
  isTensor(t, 'input');
  return T(native().transpose(t.handle, dim(t, d0, 'dim0'), dim(t, d1, 'dim1')));
}
export function flatten(t: Tensor, startDim = 0, endDim = -1): Tensor {
  isTensor(t, 'input');
  return T(native().flatten(t.handle, dim(t, startDim, 'startDim'), dim(t, endDim, 'endDim')));
}
export function unsqueeze(t: Tensor, d: number): Tensor {
  isTensor(t, 'input');
  if (!Number.isInteger(d) || d < -t.ndim - 1 || d > t.ndim) throw invalidParameter('dim', `an integer in [${-t.ndim - 1}, ${t.ndim}]`, d);
  return T(native().unsqueeze(t.handle, d));
}
export function squeeze(t: Tensor, d: number): Tensor {
  isTensor(t, 'input');
  return T(native().squeeze(t.handle, dim(t, d)));
}
export function expand(t: Tensor, shape: number[]): Tensor {
  isTensor(t, 'input');
  return T(native().expand(t.handle, shape));
}
function tensorList(ts: Tensor[], name: string): void {
  if (!Array.isArray(ts) || ts.length === 0) throw invalidParameter(name, 'a non-empty array of tensors', ts);
  ts.forEach((t, i) => isTensor(t, `${name}[${i}]`));
}
export function cat(ts: Tensor[], d = 0): Tensor {
  tensorList(ts, 'tensors');
  return T(native().cat(ts.map((t) => t.handle), dim(ts[0], d)));
}
export function stack(ts: Tensor[], d = 0): Tensor {
  tensorList(ts, 'tensors');
  return T(native().stack(ts.map((t) => t.handle), d));
}
/** Elements start..end-1 (negative counts from the end; end may exceed the size) along d, every step-th. */
export function slice(t: Tensor, d: number, start: number, end: number, step = 1): Tensor {
  isTensor(t, 'input');
  if (!Number.isInteger(step) || step < 1) throw invalidParameter('step', 'a positive integer', step);
  return T(native().slice(t.handle, dim(t, d), int(start, 'start'), int(end, 'end'), step));
}
export function indexSelect(t: Tensor, d: number, index: Tensor): Tensor {
  isTensor(t, 'input');
  isTensor(index, 'index');
  if (index.dtype !== 'int64' && index.dtype !== 'int32') throw invalidParameter('index', 'an int64 or int32 tensor', index.dtype);
  return T(native().indexSelect(t.handle, dim(t, d), index.handle));
}
export function gather(t: Tensor, d: number, index: Tensor): Tensor {
  isTensor(t, 'input');
  isTensor(index, 'index');
  if (index.dtype !== 'int64') throw invalidParameter('index', 'an int64 tensor', index.dtype);
  return T(native().gather(t.handle, dim(t, d), index.handle));
}
export function flip(t: Tensor, ds: number | number[]): Tensor {
  isTensor(t, 'input');
  return T(native().flip(t.handle, dims(t, ds)));
}

// ---- reductions -----------------------------------------------------------------------------------------------------

export function sum(t: Tensor, ds?: number | number[], keepdim = false): Tensor {
  isTensor(t, 'input');
  return T(native().sum(t.handle, dims(t, ds), keepdim));
}
export function mean(t: Tensor, ds?: number | number[], keepdim = false): Tensor {
  isTensor(t, 'input');
  return T(native().mean(t.handle, dims(t, ds), keepdim));
}
export function amax(t: Tensor, ds?: number | number[], keepdim = false): Tensor {
  isTensor(t, 'input');
  return T(native().amax(t.handle, dims(t, ds), keepdim));
}
export function amin(t: Tensor, ds?: number | number[], keepdim = false): Tensor {
  isTensor(t, 'input');
  return T(native().amin(t.handle, dims(t, ds), keepdim));
}
/** Max along d: { values, indices } (indices int64). */
export function max(t: Tensor, d: number, keepdim = false): { values: Tensor; indices: Tensor } {
  isTensor(t, 'input');
  const [v, i] = native().maxDim(t.handle, dim(t, d), keepdim);
  return { values: new Tensor(v), indices: new Tensor(i) };
}
export function min(t: Tensor, d: number, keepdim = false): { values: Tensor; indices: Tensor } {
  isTensor(t, 'input');
  const [v, i] = native().minDim(t.handle, dim(t, d), keepdim);
  return { values: new Tensor(v), indices: new Tensor(i) };
}
export function argmax(t: Tensor, d?: number, keepdim = false): Tensor {
  isTensor(t, 'input');
  return T(d === undefined ? native().argmax(t.handle) : native().argmax(t.handle, dim(t, d), keepdim));
}

// ---- in place (for optimisers, initialisers, running statistics; use inside noGrad) ----------------------------------

export function addInPlace(t: Tensor, other: Operand, alpha = 1): Tensor {
  isTensor(t, 'input');
  const o = operand(other, 'other');
  native().addInPlace(t.handle, h(o), alpha, isNum(o));
  return t;
}
export function mulInPlace(t: Tensor, other: Operand): Tensor {
  isTensor(t, 'input');
  const o = operand(other, 'other');
  native().mulInPlace(t.handle, h(o), isNum(o));
  return t;
}
export function copyInPlace(dst: Tensor, src: Tensor): Tensor {
  isTensor(dst, 'dst');
  isTensor(src, 'src');
  native().copyInPlace(dst.handle, src.handle);
  return dst;
}
export function fillInPlace(t: Tensor, value: number): Tensor {
  isTensor(t, 'input');
  native().fillInPlace(t.handle, value);
  return t;
}
/** relu applied in place (like torch.relu_); autograd-safe where PyTorch allows it (e.g. after BatchNorm). */
export function reluInPlace(t: Tensor): Tensor {
  isTensor(t, 'input');
  native().reluInPlace(t.handle);
  return t;
}
export function zeroInPlace(t: Tensor): Tensor {
  isTensor(t, 'input');
  native().zeroInPlace(t.handle);
  return t;
}

// ---- chained methods --------------------------------------------------------------------------------------------------

declare module './tensor.js' {
  interface Tensor {
    add(b: Operand, alpha?: number): Tensor;
    sub(b: Operand, alpha?: number): Tensor;
    mul(b: Operand): Tensor;
    div(b: Operand): Tensor;
    pow(e: number): Tensor;
    clamp(min?: number, max?: number): Tensor;
    neg(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    abs(): Tensor;
    relu(): Tensor;
    sigmoid(): Tensor;
    tanh(): Tensor;
    eq(b: Operand): Tensor;
    ne(b: Operand): Tensor;
    gt(b: Operand): Tensor;
    ge(b: Operand): Tensor;
    lt(b: Operand): Tensor;
    le(b: Operand): Tensor;
    matmul(b: Tensor): Tensor;
    softmax(dim: number): Tensor;
    logSoftmax(dim: number): Tensor;
    reshape(shape: number[]): Tensor;
    view(shape: number[]): Tensor;
    permute(dims: number[]): Tensor;
    transpose(d0: number, d1: number): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    unsqueeze(dim: number): Tensor;
    squeeze(dim: number): Tensor;
    slice(dim: number, start: number, end: number, step?: number): Tensor;
    indexSelect(dim: number, index: Tensor): Tensor;
    flip(dims: number | number[]): Tensor;
    sum(dims?: number | number[], keepdim?: boolean): Tensor;
    mean(dims?: number | number[], keepdim?: boolean): Tensor;
    amax(dims?: number | number[], keepdim?: boolean): Tensor;
    max(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
    argmax(dim?: number, keepdim?: boolean): Tensor;
    asType(dtype: DType): Tensor;
  }
}
const P = Tensor.prototype;
P.add = function (b, alpha) { return add(this, b, alpha); };
P.sub = function (b, alpha) { return sub(this, b, alpha); };
P.mul = function (b) { return mul(this, b); };
P.div = function (b) { return div(this, b); };
P.pow = function (e) { return pow(this, e); };
P.clamp = function (lo, hi) { return clamp(this, lo, hi); };
P.neg = function () { return neg(this); };
P.exp = function () { return exp(this); };
P.log = function () { return log(this); };
P.sqrt = function () { return sqrt(this); };
P.abs = function () { return abs(this); };
P.relu = function () { return relu(this); };
P.sigmoid = function () { return sigmoid(this); };
P.tanh = function () { return tanh(this); };
P.eq = function (b) { return eq(this, b); };
P.ne = function (b) { return ne(this, b); };
P.gt = function (b) { return gt(this, b); };
P.ge = function (b) { return ge(this, b); };
P.lt = function (b) { return lt(this, b); };
P.le = function (b) { return le(this, b); };
P.matmul = function (b) { return matmul(this, b); };
P.softmax = function (d) { return softmax(this, d); };
P.logSoftmax = function (d) { return logSoftmax(this, d); };
P.reshape = function (s) { return reshape(this, s); };
P.view = function (s) { return view(this, s); };
P.permute = function (d) { return permute(this, d); };
P.transpose = function (a, b) { return transpose(this, a, b); };
P.flatten = function (s, e) { return flatten(this, s, e); };
P.unsqueeze = function (d) { return unsqueeze(this, d); };
P.squeeze = function (d) { return squeeze(this, d); };
P.slice = function (d, s, e, st) { return slice(this, d, s, e, st); };
P.indexSelect = function (d, i) { return indexSelect(this, d, i); };
P.flip = function (d) { return flip(this, d); };
P.sum = function (d, k) { return sum(this, d, k); };
P.mean = function (d, k) { return mean(this, d, k); };
P.amax = function (d, k) { return amax(this, d, k); };
P.max = function (d, k) { return max(this, d, k); };
P.argmax = function (d, k) { return argmax(this, d, k); };
P.asType = function (dtype) { return this.to({ dtype }); };
