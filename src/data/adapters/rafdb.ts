// RAF-DB basic emotions: PATH/EmoLabel/list_patition_label.txt (sic) with lines `train_00001.jpg 5` / `test_0001.jpg 1`,
// images PATH/Image/aligned/train_00001_aligned.jpg (`images=original` reads PATH/Image/original/train_00001.jpg).
// Labels 1-7 = surprise, fear, disgust, happiness, sadness, anger, neutral. Split from the name prefix (train/test);
// the official test set is the usual test. PATH may also be the folder holding `basic/`.
import { join } from 'node:path';
import { fileError, invalidParameter } from '../../errors.js';
import type { Expression } from '../../labels.js';
import { registerAdapter } from '../registry.js';
import { FileIndex, isFile } from '../fs-scan.js';
import { readWhitespaceTable } from '../text-table.js';
import type { DatasetItem, Split } from '../types.js';

export const RAFDB_LABELS: Expression[] = ['surprise', 'fear', 'disgust', 'happiness', 'sadness', 'anger', 'neutral'];

registerAdapter({
  name: 'rafdb',
  summary: 'RAF-DB basic: EmoLabel/list_patition_label.txt + Image/aligned/*_aligned.jpg; labels 1-7',
  args: { images: 'aligned (default) | original' },
  async open({ spec, checkFiles }) {
    for (const k of Object.keys(spec.args)) if (k !== 'images') throw invalidParameter(`rafdb spec argument '${k}'`, 'images=aligned|original', spec.args[k]);
    const kind = spec.args.images ?? 'aligned';
    if (kind !== 'aligned' && kind !== 'original') throw invalidParameter('rafdb images', "'aligned' or 'original'", kind);
    let root = spec.path;
    const rel = join('EmoLabel', 'list_patition_label.txt');
    if (!(await isFile(join(root, rel))) && (await isFile(join(root, 'basic', rel)))) root = join(root, 'basic');
    const listFile = join(root, rel);
    const imgDir = join(root, 'Image', kind);
    const files = new FileIndex();
    const items: DatasetItem[] = [];
    const skipped: Array<{ id: string; reason: string }> = [];
    for (const row of await readWhitespaceTable(listFile)) {
      if (row.fields.length !== 2) throw fileError(listFile, `expected '<image> <label 1-7>', got '${row.fields.join(' ')}'`, row.line);
      const [name, code] = row.fields;
      const n = Number(code);
      if (!Number.isInteger(n) || n < 1 || n > 7) throw fileError(listFile, `label must be 1-7, got '${code}'`, row.line);
      const prefix = name.split('_')[0].toLowerCase();
      const split: Split | undefined = prefix === 'train' ? 'train' : prefix === 'test' ? 'test' : undefined;
      if (!split) throw fileError(listFile, `image name must start with train_ or test_, got '${name}'`, row.line);
      if (spec.split && spec.split !== split) continue;
      const file = kind === 'aligned' ? name.replace(/\.(jpe?g|png)$/i, '_aligned.$1') : name;
      if (checkFiles && !(await files.has(imgDir, file))) {
        skipped.push({ id: name, reason: 'missing file' });
        continue;
      }
      items.push({ id: name, source: { kind: 'file', path: join(imgDir, file) }, label: RAFDB_LABELS[n - 1], split });
    }
    return { items, skipped, notes: [`RAF-DB ${kind} images; labels 1-7 = ${RAFDB_LABELS.join(', ')}; no valid split (use test)`] };
  },
});
