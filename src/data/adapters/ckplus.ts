// CK+ (extended Cohn-Kanade), two layouts:
//  - CK+48 cut: PATH/<class>/S<subject>_<seq>_<frame>.png (or PATH/CK+48/<class>/...), classes anger, contempt,
//    disgust, fear, happy, sadness, surprise (no neutral): the last 3 frames of each of 327 labelled sequences.
//  - Full release: PATH/Emotion/S005/001/S005_001_00000011_emotion.txt (one code: 0 neutral, 1 anger, 2 contempt,
//    3 disgust, 4 fear, 5 happy, 6 sadness, 7 surprise) and PATH/cohn-kanade-images/S005/001/*.png. Following the
//    usual 7-class protocol the last `peak=3` frames of a labelled sequence get its label and, with `neutral=first`
//    (default), its first frame is labelled neutral (`neutral=none` to leave neutral out).
// Contempt is outside the 7 classes: dropped and counted. No official split: a seeded subject-wise split
// (src/data/split.ts; default 20% of subjects in test, seed 0; `fold=i/k` for k-fold) — never frames of one subject
// in both sets.
import { join } from 'node:path';
import { fileError, invalidParameter } from '../../errors.js';
import type { Expression } from '../../labels.js';
import { registerAdapter } from '../registry.js';
import { isDirectory, listDir, listImages } from '../fs-scan.js';
import { readLines } from '../text-table.js';
import { applySubjectSplit, describeSubjectSplit, subjectSplitFromArgs } from '../split.js';
import type { DatasetItem } from '../types.js';
import { readClassDirs, type FolderRead } from './class-folders.js';

const CODES: Array<Expression | 'contempt'> = ['neutral', 'anger', 'contempt', 'disgust', 'fear', 'happiness', 'sadness', 'surprise'];
const KNOWN_ARGS = ['testFraction', 'seed', 'fold', 'peak', 'neutral'];

/** Subject of a CK+ file name 'S010_004_00000017.png' -> 'S010'. */
export function ckSubject(name: string): string | undefined {
  return /^(S\d+)_/i.exec(name)?.[1]?.toUpperCase();
}

async function readFull(root: string, args: Record<string, string>, out: FolderRead): Promise<void> {
  const peak = args.peak === undefined ? 3 : Number(args.peak);
  if (!Number.isInteger(peak) || peak < 1) throw invalidParameter('ckplus peak', 'a positive integer', args.peak);
  const neutral = args.neutral ?? 'first';
  if (neutral !== 'first' && neutral !== 'none') throw invalidParameter('ckplus neutral', "'first' or 'none'", neutral);
  let imgRoot = join(root, 'cohn-kanade-images');
  if (!(await isDirectory(imgRoot))) imgRoot = join(root, 'extended-cohn-kanade-images', 'cohn-kanade-images');
  if (!(await isDirectory(imgRoot))) throw fileError(join(root, 'cohn-kanade-images'), 'image folder not found next to Emotion/');
  for (const subj of await listDir(join(root, 'Emotion'))) {
    if (!subj.dir) continue;
    for (const seq of await listDir(join(root, 'Emotion', subj.name))) {
      if (!seq.dir) continue;
      const labelDir = join(root, 'Emotion', subj.name, seq.name);
      const labelFiles = (await listDir(labelDir)).filter((e) => e.name.endsWith('_emotion.txt'));
      if (labelFiles.length === 0) continue; // unlabelled sequence
      const file = join(labelDir, labelFiles[0].name);
      const lines = await readLines(file);
      const code = lines.length > 0 ? Number(lines[0].text.trim()) : NaN;
      if (!Number.isInteger(code) || code < 0 || code > 7) throw fileError(file, `emotion code must be 0-7, got '${lines[0]?.text.trim() ?? ''}'`, lines[0]?.line ?? 1);
      const seqDir = join(imgRoot, subj.name, seq.name);
      const frames = (await isDirectory(seqDir)) ? await listImages(seqDir) : [];
      if (frames.length === 0) {
        out.skipped.push({ id: `${subj.name}/${seq.name}`, reason: 'missing file (no frames for labelled sequence)' });
        continue;
      }
      const label = CODES[code];
      const peaks = frames.slice(-peak);
      for (const f of peaks) {
        const id = `${subj.name}/${seq.name}/${f}`;
        if (label === 'contempt') out.skipped.push({ id, reason: 'contempt (outside the 7 classes)' });
        else out.items.push({ id, source: { kind: 'file', path: join(seqDir, f) }, label, subject: subj.name.toUpperCase() });
      }
      if (neutral === 'first' && frames.length > peak) {
        const f = frames[0];
        out.items.push({ id: `${subj.name}/${seq.name}/${f}`, source: { kind: 'file', path: join(seqDir, f) }, label: 'neutral', subject: subj.name.toUpperCase() });
      }
    }
  }
  out.notes.push(`full CK+: last ${peak} frame(s) of each labelled sequence${neutral === 'first' ? ' + first frame as neutral' : ''}`);
}

registerAdapter({
  name: 'ckplus',
  summary: 'CK+: CK+48 class folders (S<subj>_<seq>_<frame>.png) or full CK+ with Emotion/ label files; subject-wise split',
  args: { testFraction: 'share of subjects in test (default 0.2)', seed: 'split seed (default 0)', fold: 'i/k for k-fold', peak: 'full CK+: peak frames per sequence (3)', neutral: "full CK+: 'first' (default) or 'none'" },
  async open({ spec }) {
    for (const k of Object.keys(spec.args)) if (!KNOWN_ARGS.includes(k)) throw invalidParameter(`ckplus spec argument '${k}'`, KNOWN_ARGS.join(', '), spec.args[k]);
    const out: FolderRead = { items: [], skipped: [], notes: [] };
    if (await isDirectory(join(spec.path, 'Emotion'))) {
      await readFull(spec.path, spec.args, out);
    } else {
      const root = (await isDirectory(join(spec.path, 'CK+48'))) ? join(spec.path, 'CK+48') : spec.path;
      if (!(await isDirectory(root))) throw fileError(root, 'CK+ dataset: directory not found');
      const n = await readClassDirs(root, '', undefined, out);
      if (n === 0) throw fileError(root, 'no class folders (anger/, disgust/, ...) and no Emotion/ folder: not a CK+ layout');
      for (const it of out.items) {
        const file = it.id.split('/').pop()!;
        const s = ckSubject(file);
        if (!s) throw fileError(join(root, it.id), "file name must start with the subject, 'S<digits>_' (e.g. S010_004_00000017.png)");
        it.subject = s;
      }
      out.notes.push('CK+48: label from the class folder, subject from the file name');
    }
    const contempt = out.skipped.filter((s) => s.reason.startsWith('contempt')).length;
    out.notes.push(`contempt dropped: ${contempt} image(s)`);
    const opts = subjectSplitFromArgs(spec.args);
    const assignment = applySubjectSplit(out.items, opts);
    out.notes.push(describeSubjectSplit(assignment, opts));
    return out;
  },
});
