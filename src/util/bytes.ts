/** One fresh buffer holding all parts in order (its .buffer is exactly the bytes: safe to hand to tfjs/onnxruntime). */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
