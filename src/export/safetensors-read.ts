// A read-only safetensors parser in plain TypeScript. The exporter must run where libtorch is absent (src/torch's
// loader needs the native addon), and it only needs float weights as Float32Array.
import { readFileSync } from 'node:fs';
import { fileError } from '../errors.js';

export interface PlainTensor {
  shape: number[];
  data: Float32Array;
}

function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Every floating tensor of a safetensors file as float32 (integer tensors such as num_batches_tracked are skipped). */
export function readSafetensorsPlain(path: string): { tensors: Map<string, PlainTensor>; metadata: Record<string, string> } {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    throw fileError(path, `cannot read (${(err as Error).message})`);
  }
  if (buf.length < 8) throw fileError(path, 'not a safetensors file (shorter than its 8-byte header length)');
  const hlen = Number(buf.readBigUInt64LE(0));
  if (8 + hlen > buf.length) throw fileError(path, 'not a safetensors file (header runs past the end)');
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + hlen).toString('utf8'));
  } catch {
    throw fileError(path, 'safetensors header is not valid JSON');
  }
  const metadata = (header.__metadata__ ?? {}) as unknown as Record<string, string>;
  const tensors = new Map<string, PlainTensor>();
  const base = 8 + hlen;
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [b, e] = info.data_offsets;
    if (base + e > buf.length) throw fileError(path, `tensor '${name}' runs past the end of the file (truncated?)`);
    const bytes = buf.subarray(base + b, base + e);
    const n = info.shape.reduce((x, y) => x * y, 1);
    const data = new Float32Array(n);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (info.dtype === 'F32') for (let i = 0; i < n; i++) data[i] = dv.getFloat32(i * 4, true);
    else if (info.dtype === 'F64') for (let i = 0; i < n; i++) data[i] = dv.getFloat64(i * 8, true);
    else if (info.dtype === 'F16') for (let i = 0; i < n; i++) data[i] = f16ToF32(dv.getUint16(i * 2, true));
    else if (info.dtype === 'BF16') for (let i = 0; i < n; i++) data[i] = new Float32Array(new Uint32Array([dv.getUint16(i * 2, true) << 16]).buffer)[0];
    else continue;
    tensors.set(name, { shape: info.shape, data });
  }
  return { tensors, metadata };
}

/** float32 -> IEEE half bit patterns (round to nearest even), for fp16 initializers. */
export function f32ToF16(src: Float32Array): Uint16Array {
  const out = new Uint16Array(src.length);
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < src.length; i++) {
    f[0] = src[i];
    const x = u[0];
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0);
      continue;
    }
    let e = exp - 127 + 15;
    if (e >= 31) {
      out[i] = sign | 0x7c00;
      continue;
    }
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      mant |= 0x800000;
      const shift = 14 - e;
      let h = mant >>> shift;
      const rem = mant & ((1 << shift) - 1);
      const half = 1 << (shift - 1);
      if (rem > half || (rem === half && h & 1)) h++;
      out[i] = sign | h;
      continue;
    }
    let h = (e << 10) | (mant >>> 13);
    const rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
    out[i] = sign | h; // a carry into the exponent is the correct rounding
    e = 0;
  }
  return out;
}
