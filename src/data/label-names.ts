// Maps the class names datasets use (folder names, codes, words) onto the one label space in src/labels.ts.
// Contempt is recognised but is NOT in the 7-class space: callers drop and count it rather than guessing.
import { EXPRESSIONS, type Expression } from '../labels.js';

/** Result of naming a class: one of the 7 expressions, contempt (known but outside the space), or unknown. */
export type NamedClass = { kind: 'expression'; expression: Expression } | { kind: 'contempt' } | { kind: 'unknown' };

const SYNONYMS: Record<string, Expression | 'contempt'> = {};
function add(target: Expression | 'contempt', ...names: string[]): void {
  for (const n of names) SYNONYMS[n] = target;
}
add('neutral', 'neutral', 'neutrality', 'ne', 'neu', 'calm');
add('happiness', 'happiness', 'happy', 'happ', 'ha', 'hap', 'joy', 'smile', 'smiling');
add('sadness', 'sadness', 'sad', 'sa');
add('surprise', 'surprise', 'surprised', 'surprising', 'su', 'sur');
add('fear', 'fear', 'fearful', 'afraid', 'scared', 'fe', 'fea', 'af');
add('disgust', 'disgust', 'disgusted', 'di', 'dis');
add('anger', 'anger', 'angry', 'an', 'ang', 'mad');
add('contempt', 'contempt', 'contemptuous', 'co', 'con');

/** Names a class from a folder name or label word, case-insensitively ('Angry', 'anger', '6_anger' -> anger). */
export function nameClass(raw: string): NamedClass {
  const key = raw.trim().toLowerCase();
  // Accept "3_happy", "happy-faces", "01 Angry" style prefixes/suffixes commonly seen in class-per-folder sets.
  const candidates = [key, ...key.split(/[^a-z]+/).filter(Boolean)];
  for (const c of candidates) {
    const hit = SYNONYMS[c];
    if (hit === 'contempt') return { kind: 'contempt' };
    if (hit) return { kind: 'expression', expression: hit };
  }
  return { kind: 'unknown' };
}

/** The list of accepted words, for error messages. */
export function knownClassWords(): string {
  return [...EXPRESSIONS, 'angry', 'happy', 'sad', 'surprised', 'fearful', 'disgusted', 'contempt'].join(', ');
}
