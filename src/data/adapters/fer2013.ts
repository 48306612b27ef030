// FER2013 original Kaggle release: one `fer2013.csv` with columns emotion,pixels,Usage; `pixels` is 2304
// space-separated gray values of a 48x48 face. Labels 0-6 = angry, disgust, fear, happy, sad, surprise, neutral.
// Usage Training/PublicTest/PrivateTest -> train/valid/test (PrivateTest is the usual test set).
// Item ids are `fer%07d.png` by row, the names FER+ gives the same rows, so the two can be joined.
import { join } from 'node:path';
import { fileError, invalidParameter } from '../../errors.js';
import type { Expression } from '../../labels.js';
import { registerAdapter } from '../registry.js';
import { isFile } from '../fs-scan.js';
import { readCsv, type TextRow } from '../text-table.js';
import type { DatasetItem, Split } from '../types.js';

export const FER2013_LABELS: Expression[] = ['anger', 'disgust', 'fear', 'happiness', 'sadness', 'surprise', 'neutral'];
const USAGE: Record<string, Split> = { Training: 'train', PublicTest: 'valid', PrivateTest: 'test' };
const SIDE = 48;

export async function findFer2013Csv(path: string): Promise<string | undefined> {
  if (path.toLowerCase().endsWith('.csv') && (await isFile(path))) return path;
  for (const c of ['fer2013.csv', 'fer2013/fer2013.csv']) if (await isFile(join(path, c))) return join(path, c);
  return undefined;
}

/** Parses one `pixels` field into 48x48 gray bytes, or throws naming file and line. */
export function parsePixels(csv: string, row: TextRow, text: string): Uint8Array {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== SIDE * SIDE) throw fileError(csv, `pixels must hold ${SIDE * SIDE} values, got ${parts.length}`, row.line);
  const out = new Uint8Array(SIDE * SIDE);
  for (let i = 0; i < parts.length; i++) {
    const v = Number(parts[i]);
    if (!Number.isInteger(v) || v < 0 || v > 255) throw fileError(csv, `pixel ${i} is '${parts[i]}', expected 0-255`, row.line);
    out[i] = v;
  }
  return out;
}

export interface Fer2013Row {
  index: number;
  line: number;
  label: number;
  usage: string;
  pixels: Uint8Array;
}

/** All rows of fer2013.csv (header required), validated. */
export async function readFer2013(csv: string): Promise<Fer2013Row[]> {
  const rows = await readCsv(csv);
  if (rows.length === 0) throw fileError(csv, 'empty file');
  const header = rows[0].fields.map((h) => h.trim());
  const ie = header.indexOf('emotion');
  const ip = header.indexOf('pixels');
  const iu = header.indexOf('Usage');
  if (ie < 0 || ip < 0) throw fileError(csv, `header must have 'emotion' and 'pixels' columns, got '${header.join(',')}'`, rows[0].line);
  const out: Fer2013Row[] = [];
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r];
    if (row.fields.length < header.length) throw fileError(csv, `expected ${header.length} columns, got ${row.fields.length}`, row.line);
    const label = Number(row.fields[ie]);
    if (!Number.isInteger(label) || label < 0 || label > 6) throw fileError(csv, `emotion must be 0-6, got '${row.fields[ie]}'`, row.line);
    out.push({ index: r - 1, line: row.line, label, usage: iu >= 0 ? row.fields[iu].trim() : 'Training', pixels: parsePixels(csv, row, row.fields[ip]) });
  }
  return out;
}

export function fer2013Id(index: number): string {
  return `fer${String(index).padStart(7, '0')}.png`;
}

export function pixelsSource(pixels: Uint8Array): DatasetItem['source'] {
  return { kind: 'pixels', width: SIDE, height: SIDE, channels: 1, data: pixels };
}

registerAdapter({
  name: 'fer2013',
  summary: 'FER2013 fer2013.csv (emotion,pixels,Usage); PATH = the csv or its folder; split by Usage',
  async open({ spec }) {
    const csv = await findFer2013Csv(spec.path);
    if (!csv) throw fileError(spec.path, 'fer2013.csv not found (give the csv or the folder holding it)');
    const items: DatasetItem[] = [];
    for (const row of await readFer2013(csv)) {
      const split = USAGE[row.usage];
      if (!split) throw fileError(csv, `Usage must be Training, PublicTest or PrivateTest, got '${row.usage}'`, row.line);
      if (spec.split && split !== spec.split) continue;
      items.push({ id: fer2013Id(row.index), source: pixelsSource(row.pixels), label: FER2013_LABELS[row.label], split });
    }
    if (Object.keys(spec.args).length > 0) throw invalidParameter('fer2013 spec arguments', 'none', Object.keys(spec.args));
    return { items, skipped: [], notes: ['FER2013 labels 0-6 = anger, disgust, fear, happiness, sadness, surprise, neutral; Training/PublicTest/PrivateTest = train/valid/test'] };
  },
});
