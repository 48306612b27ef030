// What `cafe queue submit` accepts: predict's inputs (files, folders, globs; src/recognizer/files.ts) plus list files:
// a `*.txt` argument names one input per line (blank lines and `#` comments skipped; relative entries are relative to
// the list's folder), which is how a million-photo job is handed over without a million arguments.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileError } from '../errors.js';
import { expandInputs, type ExpandedInputs } from '../recognizer/files.js';

/** Reads a list file: one path, folder or glob per line. */
export function readInputList(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw fileError(path, `cannot read the input list (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const base = dirname(path);
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => (isAbsolute(l) ? l : join(base, l)));
}

/** Expands the arguments in order (list files in place), like predict: the result order is the output order. */
export function expandQueueInputs(args: string[]): ExpandedInputs {
  const flat = args.flatMap((a) => (a.toLowerCase().endsWith('.txt') ? readInputList(a) : [a]));
  return expandInputs(flat);
}
