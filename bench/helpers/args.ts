// Command-line flags and the datasets root shared by the benches: `--name value` pairs, --datasets DIR (else
// $CAFE_DATASETS, else ../shared/datasets beside the repository).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { datasetsHint, datasetsRoot } from '../../src/util/datasets.js';

/** The bench's own arguments (for flags without a value and for recording the exact command). */
export const args = process.argv.slice(2);

/** The value after `--name`, or undefined. */
export function opt(name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** The datasets root and its photos/sfew-frames folder; exits 0 with a message (a skip) when the frames are absent. */
export function sfewFramesOrSkip(): { root: string; frames: string } {
  const root = datasetsRoot(opt('datasets'));
  const frames = join(root, 'photos/sfew-frames');
  if (!existsSync(frames)) {
    console.error(`skipped: photos/sfew-frames is absent; ${datasetsHint(root)}`);
    process.exit(0);
  }
  return { root, frames };
}
