// Module: named parameters, buffers and children with PyTorch's naming (`layer1.0.conv1.weight`), so state dicts
// interchange with PyTorch through safetensors.
import { CafeError, invalidParameter } from '../../errors.js';
import { Tensor, keep, noGrad } from '../tensor.js';
import { copyInPlace } from '../ops.js';

export abstract class Module {
  /** Training mode (batch statistics, dropout) vs evaluation mode. */
  training = true;
  private readonly _params = new Map<string, Tensor>();
  private readonly _buffers = new Map<string, Tensor>();
  private readonly _children = new Map<string, Module>();

  /** Registers a trainable tensor under `name`; the module owns it (it outlives tidy scopes). */
  protected registerParameter(name: string, t: Tensor): Tensor {
    keep(t);
    if (!t.requiresGrad) t.requiresGrad_(true);
    this._params.set(name, t);
    return t;
  }
  /** Registers persistent non-trainable state (running statistics) under `name`. */
  protected registerBuffer(name: string, t: Tensor): Tensor {
    keep(t);
    this._buffers.set(name, t);
    return t;
  }
  protected registerModule<M extends Module>(name: string, m: M): M {
    this._children.set(name, m);
    return m;
  }
  /** @internal replaces a registered buffer (e.g. num_batches_tracked after a step). */
  protected setBuffer(name: string, t: Tensor): void {
    const old = this._buffers.get(name);
    keep(t);
    this._buffers.set(name, t);
    old?.dispose();
  }

  param(name: string): Tensor {
    const p = this._params.get(name);
    if (!p) throw new CafeError(`${this.constructor.name} has no parameter '${name}'`);
    return p;
  }
  buffer(name: string): Tensor {
    const b = this._buffers.get(name);
    if (!b) throw new CafeError(`${this.constructor.name} has no buffer '${name}'`);
    return b;
  }
  hasParam(name: string): boolean {
    return this._params.has(name);
  }

  namedChildren(): Array<[string, Module]> {
    return [...this._children];
  }
  namedModules(prefix = ''): Array<[string, Module]> {
    const out: Array<[string, Module]> = [[prefix, this]];
    for (const [n, c] of this._children) out.push(...c.namedModules(prefix ? `${prefix}.${n}` : n));
    return out;
  }
  namedParameters(prefix = ''): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    for (const [n, p] of this._params) out.push([prefix ? `${prefix}.${n}` : n, p]);
    for (const [n, c] of this._children) out.push(...c.namedParameters(prefix ? `${prefix}.${n}` : n));
    return out;
  }
  namedBuffers(prefix = ''): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    for (const [n, b] of this._buffers) out.push([prefix ? `${prefix}.${n}` : n, b]);
    for (const [n, c] of this._children) out.push(...c.namedBuffers(prefix ? `${prefix}.${n}` : n));
    return out;
  }
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }
  numParameters(): number {
    return this.parameters().reduce((a, p) => a + p.numel, 0);
  }

  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }
  eval(): this {
    return this.train(false);
  }
  /** Clears every parameter's gradient (set to none by default, as PyTorch >= 2.0). */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) p.zeroGrad(setToNone);
  }

  /** Parameters and buffers by PyTorch name. The tensors are the module's own (not copies): do not dispose them. */
  stateDict(): Map<string, Tensor> {
    return new Map([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /**
   * Copies tensors into this module's parameters and buffers (values converted to each target's dtype).
   * strict: every key must match both ways. Returns the keys that did not match.
   */
  loadStateDict(state: Map<string, Tensor>, opts: { strict?: boolean; source?: string } = {}): { missing: string[]; unexpected: string[] } {
    const strict = opts.strict ?? true;
    const own = this.stateDict();
    const missing = [...own.keys()].filter((k) => !state.has(k));
    const unexpected = [...state.keys()].filter((k) => !own.has(k));
    const where = opts.source ? ` from ${opts.source}` : '';
    if (strict && (missing.length || unexpected.length)) {
      const fmt = (a: string[]) => (a.length > 8 ? `${a.slice(0, 8).join(', ')}, ... (${a.length})` : a.join(', '));
      throw new CafeError(`Cannot load state dict${where} into ${this.constructor.name}: ` +
        `${missing.length ? `missing keys: ${fmt(missing)}` : ''}${missing.length && unexpected.length ? '; ' : ''}` +
        `${unexpected.length ? `unexpected keys: ${fmt(unexpected)}` : ''}`);
    }
    for (const [k, dst] of own) {
      const src = state.get(k);
      if (!src) continue;
      if (src.shape.join() !== dst.shape.join()) {
        throw invalidParameter(`state['${k}']${where}`, `shape [${dst.shape.join(', ')}]`, `shape [${src.shape.join(', ')}]`);
      }
      noGrad(() => copyInPlace(dst, src));
    }
    return { missing, unexpected };
  }

  /** Releases every parameter and buffer. The module is unusable afterwards. */
  dispose(): void {
    for (const [, t] of this.stateDict()) t.dispose();
  }
}

/** A module with a single-tensor forward pass (most layers). */
export abstract class Layer extends Module {
  abstract forward(x: Tensor): Tensor;
}
