// KDEF (Karolinska Directed Emotional Faces): files like `KDEF/AF01/AF01ANS.JPG`:
//   letter 1 session A|B, letter 2 gender F|M, 2 digits person id, 2 letters expression
//   (AF afraid->fear, AN angry->anger, DI disgusted->disgust, HA happy->happiness, NE neutral, SA sad->sadness,
//   SU surprised->surprise), then the angle S straight, HL/HR half left/right, FL/FR full left/right.
// Subject = gender + id (both sessions of a person are one subject). `angles=S` (comma list) keeps only those views;
// default all five. Seeded subject-wise split (src/data/split.ts).
import { basename, join } from 'node:path';
import { fileError, invalidParameter } from '../../errors.js';
import type { Expression } from '../../labels.js';
import { registerAdapter } from '../registry.js';
import { listImagesRecursive, requireDirectory } from '../fs-scan.js';
import { applySubjectSplit, describeSubjectSplit, subjectSplitFromArgs } from '../split.js';
import type { DatasetItem } from '../types.js';

export const KDEF_CODES: Record<string, Expression> = { AF: 'fear', AN: 'anger', DI: 'disgust', HA: 'happiness', NE: 'neutral', SA: 'sadness', SU: 'surprise' };
const ANGLES = ['S', 'HL', 'HR', 'FL', 'FR'];
const KNOWN_ARGS = ['testFraction', 'seed', 'fold', 'angles'];

registerAdapter({
  name: 'kdef',
  summary: 'KDEF: AF01ANS.JPG-style codes (session, gender, id, expression, angle); subject-wise split',
  args: { angles: 'comma list of S,HL,HR,FL,FR (default all)', testFraction: 'share of subjects in test (0.2)', seed: 'split seed (0)', fold: 'i/k' },
  async open({ spec }) {
    for (const k of Object.keys(spec.args)) if (!KNOWN_ARGS.includes(k)) throw invalidParameter(`kdef spec argument '${k}'`, KNOWN_ARGS.join(', '), spec.args[k]);
    const angles = (spec.args.angles ?? ANGLES.join(',')).toUpperCase().split(',');
    for (const a of angles) if (!ANGLES.includes(a)) throw invalidParameter('kdef angles', ANGLES.join(','), spec.args.angles);
    await requireDirectory(spec.path, 'KDEF dataset');
    const items: DatasetItem[] = [];
    const skipped: Array<{ id: string; reason: string }> = [];
    for (const rel of await listImagesRecursive(spec.path)) {
      const m = /^([AB])([FM])(\d{2})([A-Z]{2})(S|HL|HR|FL|FR)\.jpe?g$/i.exec(basename(rel));
      if (!m) {
        skipped.push({ id: rel, reason: 'name is not a KDEF code (e.g. AF01ANS.JPG)' });
        continue;
      }
      const label = KDEF_CODES[m[4].toUpperCase()];
      if (!label) throw fileError(join(spec.path, rel), `expression code '${m[4]}' is not one of ${Object.keys(KDEF_CODES).join(', ')}`);
      if (!angles.includes(m[5].toUpperCase())) {
        skipped.push({ id: rel, reason: `angle ${m[5].toUpperCase()} not selected` });
        continue;
      }
      items.push({ id: rel, source: { kind: 'file', path: join(spec.path, rel) }, label, subject: `${m[2]}${m[3]}`.toUpperCase() });
    }
    if (items.length === 0) throw fileError(spec.path, 'no KDEF images found');
    const opts = subjectSplitFromArgs(spec.args);
    const notes = [`KDEF angles ${angles.join(',')}; AF->fear AN->anger DI->disgust HA->happiness NE->neutral SA->sadness SU->surprise`];
    notes.push(describeSubjectSplit(applySubjectSplit(items, opts), opts));
    return { items, skipped, notes };
  },
});
