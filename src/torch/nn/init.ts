// Weight initialisers with PyTorch's formulas (torch.nn.init), drawing from libtorch's global generator.
import { invalidParameter } from '../../errors.js';
import { Tensor, native, noGrad } from '../tensor.js';

/** fan_in and fan_out as torch.nn.init._calculate_fan_in_and_fan_out computes them. */
export function fans(t: Tensor): { fanIn: number; fanOut: number } {
  const s = t.shape;
  if (s.length < 2) throw invalidParameter('tensor', 'at least 2 dimensions to compute fans', `shape [${s.join(', ')}]`);
  const receptive = s.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: s[1] * receptive, fanOut: s[0] * receptive };
}

export function uniform_(t: Tensor, low: number, high: number): Tensor {
  noGrad(() => native().uniformInPlace(t.handle, low, high, undefined));
  return t;
}
export function normal_(t: Tensor, mean: number, std: number): Tensor {
  noGrad(() => native().normalInPlace(t.handle, mean, std, undefined));
  return t;
}
export function constant_(t: Tensor, value: number): Tensor {
  noGrad(() => native().fillInPlace(t.handle, value));
  return t;
}

function gain(nonlinearity: 'relu' | 'leaky_relu' | 'linear', a: number): number {
  if (nonlinearity === 'relu') return Math.SQRT2;
  if (nonlinearity === 'leaky_relu') return Math.sqrt(2 / (1 + a * a));
  return 1;
}

/** kaiming_uniform_ (PyTorch's default for Conv/Linear weights uses a = sqrt(5), leaky_relu, fan_in). */
export function kaimingUniform_(t: Tensor, o: { a?: number; mode?: 'fan_in' | 'fan_out'; nonlinearity?: 'relu' | 'leaky_relu' | 'linear' } = {}): Tensor {
  const f = fans(t);
  const fan = (o.mode ?? 'fan_in') === 'fan_in' ? f.fanIn : f.fanOut;
  const std = gain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0) / Math.sqrt(fan);
  const bound = Math.sqrt(3) * std;
  return uniform_(t, -bound, bound);
}
/** kaiming_normal_ (torchvision's ResNet: mode fan_out, relu). */
export function kaimingNormal_(t: Tensor, o: { a?: number; mode?: 'fan_in' | 'fan_out'; nonlinearity?: 'relu' | 'leaky_relu' | 'linear' } = {}): Tensor {
  const f = fans(t);
  const fan = (o.mode ?? 'fan_in') === 'fan_in' ? f.fanIn : f.fanOut;
  return normal_(t, 0, gain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0) / Math.sqrt(fan));
}
