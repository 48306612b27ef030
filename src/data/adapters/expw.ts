// ExpW (Expression in-the-Wild): PATH/label/label.lst (or PATH/label.lst) with one face per line:
//   image_name face_id face_box_top face_box_left face_box_right face_box_bottom face_box_confidence expression_label
// labels 0-6 = angry, disgust, fear, happy, sad, surprise, neutral; images in PATH/image/origin/ (or PATH/origin,
// PATH/image). Several faces of one image are several items (`<image>#<face_id>`) cropped by their box. ExpW has no
// official split: a seeded split by source image (faces of one photo never straddle sets), default 20% test.
import { join } from 'node:path';
import { fileError, invalidParameter } from '../../errors.js';
import type { Expression } from '../../labels.js';
import { registerAdapter } from '../registry.js';
import { FileIndex, isDirectory, isFile } from '../fs-scan.js';
import { parseNumber, readWhitespaceTable } from '../text-table.js';
import { applySubjectSplit, describeSubjectSplit, subjectSplitFromArgs } from '../split.js';
import type { DatasetItem } from '../types.js';

export const EXPW_LABELS: Expression[] = ['anger', 'disgust', 'fear', 'happiness', 'sadness', 'surprise', 'neutral'];
const SPLIT_ARGS = ['testFraction', 'seed', 'fold'];

async function first(paths: string[], test: (p: string) => Promise<boolean>): Promise<string | undefined> {
  for (const p of paths) if (await test(p)) return p;
  return undefined;
}

registerAdapter({
  name: 'expw',
  summary: 'ExpW: label/label.lst (name, face id, box top left right bottom, confidence, label 0-6) + image/origin/',
  args: { testFraction: 'share of source images in test (0.2)', seed: 'split seed (0)', fold: 'i/k' },
  async open({ spec, checkFiles }) {
    for (const k of Object.keys(spec.args)) if (!SPLIT_ARGS.includes(k)) throw invalidParameter(`expw spec argument '${k}'`, SPLIT_ARGS.join(', '), spec.args[k]);
    const list = await first([join(spec.path, 'label', 'label.lst'), join(spec.path, 'label.lst')], isFile);
    if (!list) throw fileError(join(spec.path, 'label', 'label.lst'), 'file not found');
    const imgDir = (await first([join(spec.path, 'image', 'origin'), join(spec.path, 'origin'), join(spec.path, 'image')], isDirectory)) ?? spec.path;
    const files = new FileIndex();
    const items: DatasetItem[] = [];
    const skipped: Array<{ id: string; reason: string }> = [];
    for (const row of await readWhitespaceTable(list)) {
      if (row.fields.length !== 8) throw fileError(list, `expected 8 fields (name face_id top left right bottom confidence label), got ${row.fields.length}`, row.line);
      const name = row.fields[0];
      const [faceId, top, left, right, bottom] = [1, 2, 3, 4, 5].map((i) => parseNumber(list, row, i, ['', 'face_id', 'top', 'left', 'right', 'bottom'][i]));
      const label = parseNumber(list, row, 7, 'expression_label');
      if (!Number.isInteger(label) || label < 0 || label > 6) throw fileError(list, `expression_label must be 0-6, got '${row.fields[7]}'`, row.line);
      if (right <= left || bottom <= top) throw fileError(list, `empty face box (top ${top} left ${left} right ${right} bottom ${bottom})`, row.line);
      const id = `${name}#${faceId}`;
      if (checkFiles && !(await files.has(imgDir, name))) {
        skipped.push({ id, reason: 'missing file' });
        continue;
      }
      items.push({ id, source: { kind: 'file', path: join(imgDir, name) }, label: EXPW_LABELS[label], box: { x: left, y: top, width: right - left, height: bottom - top }, subject: name });
    }
    const opts = subjectSplitFromArgs(spec.args);
    const notes = [`ExpW labels 0-6 = ${EXPW_LABELS.join(', ')}; face boxes cropped`];
    notes.push(describeSubjectSplit(applySubjectSplit(items, opts), opts).replace(/subject/g, 'source-image'));
    return { items, skipped, notes };
  },
});
