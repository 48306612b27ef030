// JAFFE: 213 TIFFs named `XX.YYn.NNN.tiff` (e.g. KA.AN1.39.tiff): XX = subject (10 Japanese female posers),
// YY = expression code AN anger, DI disgust, FE fear, HA happiness, NE neutral, SA sadness, SU surprise; n = take,
// NNN = image number. Files directly in PATH or in PATH/jaffe. Seeded subject-wise split (src/data/split.ts).
import { join } from 'node:path';
import { fileError, invalidParameter } from '../../errors.js';
import type { Expression } from '../../labels.js';
import { registerAdapter } from '../registry.js';
import { isDirectory, listImages, requireDirectory } from '../fs-scan.js';
import { applySubjectSplit, describeSubjectSplit, subjectSplitFromArgs } from '../split.js';
import type { DatasetItem } from '../types.js';

export const JAFFE_CODES: Record<string, Expression> = { AN: 'anger', DI: 'disgust', FE: 'fear', HA: 'happiness', NE: 'neutral', SA: 'sadness', SU: 'surprise' };
const SPLIT_ARGS = ['testFraction', 'seed', 'fold'];

registerAdapter({
  name: 'jaffe',
  summary: 'JAFFE: XX.YYn.NNN.tiff (YY in AN DI FE HA NE SA SU); subject-wise split',
  args: { testFraction: 'share of subjects in test (default 0.2)', seed: 'split seed (default 0)', fold: 'i/k for k-fold' },
  async open({ spec }) {
    for (const k of Object.keys(spec.args)) if (!SPLIT_ARGS.includes(k)) throw invalidParameter(`jaffe spec argument '${k}'`, SPLIT_ARGS.join(', '), spec.args[k]);
    const root = (await isDirectory(join(spec.path, 'jaffe'))) ? join(spec.path, 'jaffe') : spec.path;
    await requireDirectory(root, 'JAFFE dataset');
    const items: DatasetItem[] = [];
    const skipped: Array<{ id: string; reason: string }> = [];
    for (const name of await listImages(root)) {
      const m = /^([A-Z]{2})\.([A-Z]{2})(\d*)\.(\d+)\.tiff?$/i.exec(name);
      if (!m) {
        skipped.push({ id: name, reason: "name is not XX.YYn.NNN.tiff" });
        continue;
      }
      const label = JAFFE_CODES[m[2].toUpperCase()];
      if (!label) throw fileError(join(root, name), `expression code '${m[2]}' is not one of ${Object.keys(JAFFE_CODES).join(', ')}`);
      items.push({ id: name, source: { kind: 'file', path: join(root, name) }, label, subject: m[1].toUpperCase() });
    }
    if (items.length === 0) throw fileError(root, 'no JAFFE images (XX.YYn.NNN.tiff) found');
    const opts = subjectSplitFromArgs(spec.args);
    const notes = ['JAFFE codes AN anger, DI disgust, FE fear, HA happiness, NE neutral, SA sadness, SU surprise'];
    notes.push(describeSubjectSplit(applySubjectSplit(items, opts), opts));
    return { items, skipped, notes };
  },
});
