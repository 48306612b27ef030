// Identity of files by content (sha256), for cache keys: the Node Runtime's weightsHash and the Node encoders' weight
// hashes.
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';

const memo = new Map<string, string>();

/**
 * sha256 (hex) over the contents of `paths`, in order. Memoised per process by path, size and mtime, since a CLIP
 * tower is ~350 MB and every getFeatures() call needs the hash.
 */
export async function hashFiles(paths: string[]): Promise<string> {
  const h = createHash('sha256');
  for (const p of paths) {
    const st = statSync(p);
    const key = `${p}:${st.size}:${st.mtimeMs}`;
    let fileHash = memo.get(key);
    if (!fileHash) {
      const fh = createHash('sha256');
      for await (const chunk of createReadStream(p, { highWaterMark: 1 << 22 })) fh.update(chunk as Buffer);
      fileHash = fh.digest('hex');
      memo.set(key, fileHash);
    }
    h.update(fileHash);
  }
  return h.digest('hex');
}
