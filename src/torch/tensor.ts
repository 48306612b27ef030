// The typed Tensor over a libtorch handle, creation functions, and deterministic memory release.
//
// V8 does not see libtorch allocations, so waiting for GC is not a memory strategy. Three mechanisms, like tfjs:
//   - tidy(fn): every tensor created inside is disposed when fn returns, except the ones it returns (or keep()s);
//   - t.dispose(): explicit release;
//   - the addon reports storage bytes as external memory, so GC still reclaims forgotten handles under pressure.
import { invalidParameter, CafeError } from '../errors.js';
import { loadNative } from './native.js';
import type { NativeBinding, NativeTensorHandle, NativeGeneratorHandle } from './native-types.js';

export type DType = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';
export const DTYPES: readonly DType[] = ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool'];

/** JS typed array that holds each dtype's data (float16/bfloat16 as raw bits, bool as 0/1 bytes). */
export type TypedArrayFor<D extends DType> = D extends 'float32' ? Float32Array
  : D extends 'float64' ? Float64Array
  : D extends 'int64' ? BigInt64Array
  : D extends 'int32' ? Int32Array
  : D extends 'int16' ? Int16Array
  : D extends 'int8' ? Int8Array
  : D extends 'float16' | 'bfloat16' ? Uint16Array
  : Uint8Array;

export type AnyTypedArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint16Array | Uint8Array;

let N: NativeBinding | undefined;
/** The addon, loaded on first use (so importing this module never requires libtorch). */
export function native(): NativeBinding {
  return (N ??= loadNative());
}

// ---------------------------------------------------------------------------------------------------------------------
// Scopes

type Scope = Set<Tensor>;
const scopes: Scope[] = [];

function track(t: Tensor): void {
  const top = scopes[scopes.length - 1];
  if (top) top.add(t);
}

/** Runs fn; disposes every tensor created inside it except those reachable from its result (arrays/objects walked). */
export function tidy<T>(fn: () => T): T {
  const scope: Scope = new Set();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (err) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw err;
  }
  scopes.pop();
  if (result instanceof Promise) throw new CafeError('tidy() takes a synchronous function; use explicit dispose() across awaits');
  const keepSet = new Set<Tensor>();
  collect(result, keepSet, 0);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (keepSet.has(t)) parent?.add(t);
    else t.dispose();
  }
  return result;
}

function collect(v: unknown, out: Set<Tensor>, depth: number): void {
  if (depth > 4 || v === null || typeof v !== 'object') return;
  if (v instanceof Tensor) {
    out.add(v);
    return;
  }
  if (Array.isArray(v)) for (const x of v) collect(x, out, depth + 1);
  else if (v instanceof Map) for (const x of v.values()) collect(x, out, depth + 1);
  else if (Object.getPrototypeOf(v) === Object.prototype) for (const x of Object.values(v)) collect(x, out, depth + 1);
}

/** Removes a tensor from the enclosing tidy scopes, so it outlives them (the caller then owns it). */
export function keep<T extends Tensor>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

/** Number of live native tensors (created and neither disposed nor garbage-collected). For leak tests. */
export function liveTensors(): number {
  return native().liveTensors();
}

/** Runs fn with autograd recording off (like `with torch.no_grad()`), restoring the previous mode afterwards. */
export function noGrad<T>(fn: () => T): T {
  const n = native();
  const prev = n.isGradEnabled();
  n.setGradEnabled(false);
  try {
    return fn();
  } finally {
    n.setGradEnabled(prev);
  }
}

export function isGradEnabled(): boolean {
  return native().isGradEnabled();
}

// ---------------------------------------------------------------------------------------------------------------------
// Tensor

// Forgotten tensors are released when their JS object is collected; explicit dispose() unregisters first.
const finalizer = new FinalizationRegistry<NativeTensorHandle>((h) => N?.dispose(h));

export class Tensor {
  /** @internal */
  readonly handle: NativeTensorHandle;

  /** @internal Wraps a handle fresh from the addon; registers it with the current tidy scope. */
  constructor(handle: NativeTensorHandle) {
    this.handle = handle;
    finalizer.register(this, handle, this);
    track(this);
  }

  get shape(): number[] {
    return native().shape(this.handle);
  }
  get dtype(): DType {
    return native().dtype(this.handle) as DType;
  }
  get device(): string {
    return native().device(this.handle);
  }
  get ndim(): number {
    return this.shape.length;
  }
  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  get requiresGrad(): boolean {
    return native().requiresGrad(this.handle);
  }
  /** Turns gradient recording on or off for a leaf tensor (in place, like requires_grad_()); returns this. */
  requiresGrad_(value = true): this {
    native().setRequiresGrad(this.handle, value);
    return this;
  }
  get isLeaf(): boolean {
    return native().isLeaf(this.handle);
  }
  /** The accumulated gradient, or undefined. A new handle each call: dispose it (or use tidy). */
  get grad(): Tensor | undefined {
    const g = native().grad(this.handle);
    return g ? new Tensor(g) : undefined;
  }
  set grad(g: Tensor | undefined) {
    native().setGrad(this.handle, g?.handle);
  }
  /** Clears the gradient: set to none (default, as PyTorch >= 2.0) or zero it in place. */
  zeroGrad(setToNone = true): void {
    native().zeroGrad(this.handle, setToNone);
  }
  backward(gradient?: Tensor, retainGraph = false): void {
    native().backward(this.handle, gradient?.handle, retainGraph);
  }
  item(): number {
    return native().item(this.handle);
  }
  get isDisposed(): boolean {
    return native().isDisposed(this.handle);
  }
  /** Releases the native memory now. Using the tensor afterwards throws. Idempotent. */
  dispose(): void {
    native().dispose(this.handle);
    finalizer.unregister(this);
    for (const s of scopes) s.delete(this);
  }

  /** A copy of the data as the dtype's typed array (contiguous, row-major, on the CPU). */
  data<D extends DType = DType>(): TypedArrayFor<D> {
    const buf = native().toBuffer(this.handle);
    return typedView(this.dtype, buf) as TypedArrayFor<D>;
  }
  /** Data as plain numbers (int64 converted with Number()). */
  toArray(): number[] {
    const d = this.data();
    if (d instanceof BigInt64Array) return Array.from(d, (x) => Number(x));
    if (this.dtype === 'float16' || this.dtype === 'bfloat16') return this.to({ dtype: 'float32' }).toArrayAndDispose();
    return Array.from(d as ArrayLike<number>);
  }
  private toArrayAndDispose(): number[] {
    const a = this.toArray();
    this.dispose();
    return a;
  }

  to(opts: { device?: string; dtype?: DType }): Tensor {
    if (opts.dtype !== undefined && !DTYPES.includes(opts.dtype)) throw invalidParameter('dtype', `one of ${DTYPES.join(', ')}`, opts.dtype);
    return new Tensor(native().to(this.handle, opts.device ?? null, opts.dtype ?? null));
  }
  detach(): Tensor {
    return new Tensor(native().detach(this.handle));
  }
  clone(): Tensor {
    return new Tensor(native().clone(this.handle));
  }
  contiguous(): Tensor {
    return new Tensor(native().contiguous(this.handle));
  }
  toString(): string {
    return `Tensor(shape=[${this.shape.join(', ')}], dtype=${this.dtype}, device=${this.device})`;
  }
}

function typedView(dtype: string, buf: ArrayBuffer): AnyTypedArray {
  switch (dtype) {
    case 'float32': return new Float32Array(buf);
    case 'float64': return new Float64Array(buf);
    case 'int64': return new BigInt64Array(buf);
    case 'int32': return new Int32Array(buf);
    case 'int16': return new Int16Array(buf);
    case 'int8': return new Int8Array(buf);
    case 'float16':
    case 'bfloat16': return new Uint16Array(buf);
    default: return new Uint8Array(buf);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Creation

function checkShape(shape: unknown, name = 'shape'): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw invalidParameter(name, 'an array of non-negative integers', shape);
  }
  return shape as number[];
}
function checkDtype(dtype: unknown): DType {
  if (typeof dtype !== 'string' || !DTYPES.includes(dtype as DType)) throw invalidParameter('dtype', `one of ${DTYPES.join(', ')}`, dtype);
  return dtype as DType;
}

function defaultDtypeFor(data: AnyTypedArray | number[]): DType {
  if (Array.isArray(data)) return 'float32';
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint16Array) return 'float16';
  return 'uint8';
}

/**
 * A tensor from data (copied). `data` may be a typed array whose type matches `dtype` byte-for-byte, or a number
 * array (converted to `dtype`, default float32). Shape defaults to 1-D.
 */
export function tensor(data: AnyTypedArray | number[], shape?: number[], dtype?: DType): Tensor {
  const dt = dtype === undefined ? defaultDtypeFor(data) : checkDtype(dtype);
  const sh = shape === undefined ? [data.length] : checkShape(shape);
  const numel = sh.reduce((a, b) => a * b, 1);
  if (data.length !== numel) throw invalidParameter('data', `${numel} elements for shape [${sh.join(', ')}]`, `${data.length} elements`);
  let arr: AnyTypedArray;
  if (Array.isArray(data)) {
    arr = fromNumbers(data, dt);
  } else {
    if (defaultDtypeFor(data) !== dt && !(data instanceof Uint8Array && dt === 'bool')) {
      // Convert through float64 so any typed array can feed any dtype.
      if (data instanceof BigInt64Array) arr = fromNumbers(Array.from(data, Number), dt);
      else arr = fromNumbers(Array.from(data as ArrayLike<number>), dt);
    } else {
      arr = data;
    }
  }
  return new Tensor(native().fromBuffer(arr, sh, dt));
}

function fromNumbers(data: number[], dt: DType): AnyTypedArray {
  switch (dt) {
    case 'float32': return Float32Array.from(data);
    case 'float64': return Float64Array.from(data);
    case 'int64': return BigInt64Array.from(data, (x) => BigInt(Math.trunc(x)));
    case 'int32': return Int32Array.from(data);
    case 'int16': return Int16Array.from(data);
    case 'int8': return Int8Array.from(data);
    case 'uint8':
    case 'bool': return Uint8Array.from(data, (x) => (dt === 'bool' ? (x ? 1 : 0) : x));
    case 'float16':
    case 'bfloat16': {
      // Build as float32 then let libtorch round, so conversion matches torch exactly.
      const t = new Tensor(native().fromBuffer(Float32Array.from(data), [data.length], 'float32'));
      const h = native().to(t.handle, null, dt);
      const out = new Uint16Array(native().toBuffer(h));
      native().dispose(h);
      t.dispose();
      return out;
    }
  }
}

export function full(shape: number[], value: number, dtype: DType = 'float32'): Tensor {
  return new Tensor(native().full(checkShape(shape), value, checkDtype(dtype)));
}
export function zeros(shape: number[], dtype: DType = 'float32'): Tensor {
  return full(shape, 0, dtype);
}
export function ones(shape: number[], dtype: DType = 'float32'): Tensor {
  return full(shape, 1, dtype);
}
export function scalar(value: number, dtype: DType = 'float32'): Tensor {
  return full([], value, dtype);
}
export function arange(end: number, opts: { start?: number; step?: number; dtype?: DType } = {}): Tensor {
  return new Tensor(native().arange(opts.start ?? 0, end, opts.step ?? 1, checkDtype(opts.dtype ?? 'int64')));
}

/** A seedable random stream, independent of the global one (like torch.Generator). */
export class Generator {
  /** @internal */
  readonly handle: NativeGeneratorHandle;
  constructor(seed = 0) {
    this.handle = native().newGenerator(seed);
  }
  manualSeed(seed: number): this {
    native().generatorSeed(this.handle, seed);
    return this;
  }
}

export function rand(shape: number[], opts: { dtype?: DType; generator?: Generator } = {}): Tensor {
  return new Tensor(native().rand(checkShape(shape), checkDtype(opts.dtype ?? 'float32'), opts.generator?.handle));
}
export function randn(shape: number[], opts: { dtype?: DType; generator?: Generator } = {}): Tensor {
  return new Tensor(native().randn(checkShape(shape), checkDtype(opts.dtype ?? 'float32'), opts.generator?.handle));
}
export function randint(low: number, high: number, shape: number[], opts: { generator?: Generator } = {}): Tensor {
  if (!(high > low)) throw invalidParameter('high', `a number greater than low (${low})`, high);
  return new Tensor(native().randint(low, high, checkShape(shape), opts.generator?.handle));
}
export function randperm(n: number, opts: { generator?: Generator } = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) throw invalidParameter('n', 'a non-negative integer', n);
  return new Tensor(native().randperm(n, opts.generator?.handle));
}

/** Seeds libtorch's global generator (weight init, dropout, rand* without a generator), like torch.manual_seed. */
export function manualSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0) throw invalidParameter('seed', 'a non-negative integer', seed);
  native().manualSeed(seed);
}
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw invalidParameter('threads', 'an integer >= 1', n);
  native().setNumThreads(n);
}
export function getNumThreads(): number {
  return native().getNumThreads();
}
export function cudaIsAvailable(): boolean {
  return native().cudaIsAvailable();
}
