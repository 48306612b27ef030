// The dataset spec users type on the command line: `adapter:PATH[:split][:key=value]...`, e.g.
//   ferplus:/data/ferplus:test        sfew:/data/sfew2/Val         ckplus:/data/ck:train:fold=2/10
//   ferplus:/data/ferplus:train:mode=probability                   folder:./my-faces
// PATH may itself contain ':' — trailing segments are only taken as arguments when they are a split word or key=value.
import { invalidParameter } from '../errors.js';
import type { Split } from './types.js';

export interface ParsedSpec {
  adapter: string;
  path: string;
  split?: Split;
  /** key=value arguments, e.g. { mode: 'probability', fold: '2/10' }. */
  args: Record<string, string>;
}

const SPLIT_WORDS: Record<string, Split> = { train: 'train', training: 'train', valid: 'valid', val: 'valid', validation: 'valid', test: 'test' };

/** Maps a split word (train, val, valid, validation, test) to a Split, or undefined. */
export function splitFromWord(word: string): Split | undefined {
  return SPLIT_WORDS[word.toLowerCase()];
}

export function parseSpec(spec: string): ParsedSpec {
  if (typeof spec !== 'string' || !/^[a-z][a-z0-9_-]*:./i.test(spec)) {
    throw invalidParameter('dataset spec', "'adapter:PATH[:split][:key=value...]' (e.g. 'ferplus:/data/ferplus:test')", spec);
  }
  const colon = spec.indexOf(':');
  const adapter = spec.slice(0, colon).toLowerCase();
  const parts = spec.slice(colon + 1).split(':');
  const args: Record<string, string> = {};
  let split: Split | undefined;
  while (parts.length > 1) {
    const last = parts[parts.length - 1];
    const kv = /^([a-zA-Z][\w-]*)=(.*)$/.exec(last);
    if (kv) {
      args[kv[1]] = kv[2];
    } else if (last === 'all') {
      // explicit "every split": same as no split word
    } else if (splitFromWord(last) && split === undefined) {
      split = splitFromWord(last);
    } else break;
    parts.pop();
  }
  const path = parts.join(':');
  if (!path) throw invalidParameter('dataset spec path', 'a non-empty PATH', spec);
  return { adapter, path, split, args };
}

/** Canonical spec string for a parsed spec (stable key order), used as Dataset.spec and in cache keys. */
export function formatSpec(p: ParsedSpec): string {
  const keys = Object.keys(p.args).sort();
  return [p.adapter, p.path, ...(p.split ? [p.split] : []), ...keys.map((k) => `${k}=${p.args[k]}`)].join(':');
}
