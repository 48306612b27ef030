// safetensors (https://github.com/huggingface/safetensors) read and write: 8-byte little-endian header length, a JSON
// header {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}, then the raw little-endian
// bytes. PyTorch opens what we write with safetensors.torch.load_file, and we load PyTorch's exports.
import { openSync, readSync, closeSync, fstatSync, writeSync, renameSync, fsyncSync, unlinkSync, existsSync } from 'node:fs';
import { CafeError, fileError } from '../errors.js';
import { Tensor, native, type DType } from './tensor.js';

const TO_ST: Record<DType, string> = {
  float32: 'F32', float64: 'F64', float16: 'F16', bfloat16: 'BF16', int64: 'I64', int32: 'I32', int16: 'I16', int8: 'I8', uint8: 'U8', bool: 'BOOL',
};
const FROM_ST: Record<string, DType> = Object.fromEntries(Object.entries(TO_ST).map(([k, v]) => [v, k as DType]));
const BYTES: Record<DType, number> = { float32: 4, float64: 8, float16: 2, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1 };

export interface SafetensorsFile {
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
}

/**
 * Writes tensors atomically: to `path.tmp-<pid>`, fsync, then rename, so a crash never leaves a half-written file
 * where a good one was.
 */
export function saveSafetensors(path: string, tensors: Map<string, Tensor> | Record<string, Tensor>, metadata: Record<string, string> = {}): void {
  const entries = [...(tensors instanceof Map ? tensors : new Map(Object.entries(tensors)))].sort(([a], [b]) => (a < b ? -1 : 1));
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of entries) {
    const bytes = new Uint8Array(native().toBuffer(t.handle));
    header[name] = { dtype: TO_ST[t.dtype], shape: t.shape, data_offsets: [offset, offset + bytes.byteLength] };
    blobs.push(bytes);
    offset += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces to 8 bytes so the data section is aligned (what the reference implementation does).
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const hbytes = Buffer.from(json, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(hbytes.byteLength));
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, len);
    writeSync(fd, hbytes);
    for (const b of blobs) if (b.byteLength) writeSync(fd, b);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    if (existsSync(tmp)) unlinkSync(tmp);
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

/** Reads the header only (names, dtypes, shapes, metadata) without loading tensor data. */
export function readSafetensorsHeader(path: string): { header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>; metadata: Record<string, string>; dataStart: number; size: number } {
  if (!existsSync(path)) throw fileError(path, 'no such file');
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size < 8) throw fileError(path, `not a safetensors file (${size} bytes, shorter than the 8-byte header length)`);
    const lenBuf = Buffer.alloc(8);
    readSync(fd, lenBuf, 0, 8, 0);
    const hlen = Number(lenBuf.readBigUInt64LE());
    if (hlen <= 0 || 8 + hlen > size) throw fileError(path, `not a safetensors file (header length ${hlen} does not fit in ${size} bytes)`);
    const hbuf = Buffer.alloc(hlen);
    readSync(fd, hbuf, 0, hlen, 8);
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(hbuf.toString('utf8'));
    } catch (e) {
      throw fileError(path, `safetensors header is not valid JSON: ${(e as Error).message}`);
    }
    const metadata = (parsed.__metadata__ ?? {}) as Record<string, string>;
    delete parsed.__metadata__;
    return { header: parsed as never, metadata, dataStart: 8 + hlen, size };
  } finally {
    closeSync(fd);
  }
}

/** Loads every tensor (or only `names`). Errors name the file and the tensor. */
export function loadSafetensors(path: string, names?: string[]): SafetensorsFile {
  const { header, metadata, dataStart, size } = readSafetensorsHeader(path);
  const tensors = new Map<string, Tensor>();
  const fd = openSync(path, 'r');
  try {
    for (const [name, info] of Object.entries(header)) {
      if (names && !names.includes(name)) continue;
      const dtype = FROM_ST[info.dtype];
      if (!dtype) throw fileError(path, `tensor '${name}' has unsupported dtype ${info.dtype}`);
      const [begin, end] = info.data_offsets;
      const numel = info.shape.reduce((a, b) => a * b, 1);
      if (end - begin !== numel * BYTES[dtype]) {
        throw fileError(path, `tensor '${name}': ${end - begin} bytes for shape [${info.shape}] ${info.dtype} (expected ${numel * BYTES[dtype]})`);
      }
      if (dataStart + end > size) throw fileError(path, `tensor '${name}' runs past the end of the file (truncated?)`);
      const buf = new Uint8Array(end - begin);
      if (buf.byteLength) readSync(fd, buf, 0, buf.byteLength, dataStart + begin);
      tensors.set(name, new Tensor(native().fromBuffer(buf, info.shape, dtype)));
    }
  } catch (err) {
    for (const t of tensors.values()) t.dispose();
    if (err instanceof CafeError) throw err;
    throw fileError(path, (err as Error).message);
  } finally {
    closeSync(fd);
  }
  if (names) {
    const missing = names.filter((n) => !tensors.has(n));
    if (missing.length) throw fileError(path, `no tensor named ${missing.join(', ')}`);
  }
  return { tensors, metadata };
}
