// AffectNet (manually annotated part): PATH/training.csv and PATH/validation.csv with columns
//   subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,valence,arousal
// images under PATH/Manually_Annotated_Images/<subDirectory_filePath> (or Manually_Annotated/Manually_Annotated_Images,
// or directly under PATH). expression 0-10 = neutral, happy, sad, surprise, fear, disgust, anger, contempt, none,
// uncertain, no-face: 0-6 are kept, 7 is dropped as contempt, 8-10 as not an expression. Splits: train =
// training.csv; valid and test = validation.csv (AffectNet's test set is not public, so the 7-class validation set is
// the usual test). The face box is cropped (with margin) and the 68 landmarks are kept.
import { join } from 'node:path';
import { fileError, invalidParameter } from '../../errors.js';
import type { Expression } from '../../labels.js';
import { registerAdapter } from '../registry.js';
import { FileIndex, isDirectory, isFile } from '../fs-scan.js';
import { parseNumber, readCsv } from '../text-table.js';
import type { DatasetItem, Split } from '../types.js';

export const AFFECTNET_LABELS: Expression[] = ['neutral', 'happiness', 'sadness', 'surprise', 'fear', 'disgust', 'anger'];
const OTHER = ['contempt', 'none', 'uncertain', 'no-face'];

async function imageRoot(path: string): Promise<string> {
  for (const c of ['Manually_Annotated_Images', join('Manually_Annotated', 'Manually_Annotated_Images'), join('Manually_Annotated_compressed', 'Manually_Annotated_Images')]) {
    if (await isDirectory(join(path, c))) return join(path, c);
  }
  return path;
}

registerAdapter({
  name: 'affectnet',
  summary: 'AffectNet: training.csv / validation.csv (expression 0-10, 7 basic kept); validation = test',
  async open({ spec, checkFiles }) {
    for (const k of Object.keys(spec.args)) throw invalidParameter(`affectnet spec argument '${k}'`, 'none', spec.args[k]);
    const imgRoot = await imageRoot(spec.path);
    const files = new FileIndex();
    const items: DatasetItem[] = [];
    const skipped: Array<{ id: string; reason: string }> = [];
    const sources: Array<[Split, string]> = spec.split === 'train' ? [['train', 'training.csv']]
      : spec.split ? [[spec.split, 'validation.csv']] : [['train', 'training.csv'], ['test', 'validation.csv']];
    for (const [split, name] of sources) {
      const csv = join(spec.path, name);
      if (!(await isFile(csv)) && !spec.split) continue;
      const rows = await readCsv(csv);
      const header = rows[0]?.fields.map((h) => h.trim()) ?? [];
      const col = (h: string): number => {
        const i = header.indexOf(h);
        if (i < 0) throw fileError(csv, `header lacks column '${h}'`, rows[0]?.line ?? 1);
        return i;
      };
      const [ip, ix, iy, iw, ih, il, ie] = ['subDirectory_filePath', 'face_x', 'face_y', 'face_width', 'face_height', 'facial_landmarks', 'expression'].map(col);
      for (const row of rows.slice(1)) {
        if (row.fields.length < header.length) throw fileError(csv, `expected ${header.length} columns, got ${row.fields.length}`, row.line);
        const rel = row.fields[ip].trim();
        const code = parseNumber(csv, row, ie, 'expression');
        if (!Number.isInteger(code) || code < 0 || code > 10) throw fileError(csv, `expression must be 0-10, got '${row.fields[ie]}'`, row.line);
        if (code >= 7) {
          skipped.push({ id: rel, reason: OTHER[code - 7] === 'contempt' ? 'contempt (outside the 7 classes)' : `label ${OTHER[code - 7]}` });
          continue;
        }
        const box = { x: parseNumber(csv, row, ix, 'face_x'), y: parseNumber(csv, row, iy, 'face_y'), width: parseNumber(csv, row, iw, 'face_width'), height: parseNumber(csv, row, ih, 'face_height') };
        const lm = row.fields[il].split(';').map(Number);
        const landmarks: Array<[number, number]> = [];
        if (lm.length >= 2 && lm.every(Number.isFinite)) for (let i = 0; i + 1 < lm.length; i += 2) landmarks.push([lm[i], lm[i + 1]]);
        const path = join(imgRoot, rel);
        const slash = rel.lastIndexOf('/');
        if (checkFiles && !(await files.has(join(imgRoot, rel.slice(0, Math.max(0, slash))), rel.slice(slash + 1)))) {
          skipped.push({ id: rel, reason: 'missing file' });
          continue;
        }
        items.push({ id: rel, source: { kind: 'file', path }, label: AFFECTNET_LABELS[code], box, ...(landmarks.length ? { landmarks } : {}), split });
      }
    }
    return { items, skipped, notes: ['AffectNet expression 0-6 kept (neutral, happy, sad, surprise, fear, disgust, anger); 7 contempt, 8 none, 9 uncertain, 10 no-face dropped; validation.csv is the test set'] };
  },
});
