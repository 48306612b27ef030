// Atomic file writes: write beside the target, then rename over it, so a crash or a reader never sees a half-written
// file. The temp name is unique per process and call, so concurrent writers of one path cannot collide.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

let seq = 0;

/** Writes `data` to `path` atomically, creating the parent folder when missing. */
export function writeAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${seq++}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}
