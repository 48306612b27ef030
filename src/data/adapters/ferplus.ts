// FERPlus, Microsoft layout: PATH/FER2013{Train,Valid,Test}/ holding 48x48 PNGs and a `label.csv` whose rows are
//   fer0000000.png,"(0, 0, 48, 48)",n_neutral,n_happiness,n_surprise,n_sadness,n_anger,n_disgust,n_fear,n_contempt,n_unknown,n_NF
// (also PATH/data/FER2013Train/... as in the official repo). Without the folders, PATH/fer2013new.csv (Usage, Image
// name, 10 votes) joined by row with PATH/fer2013.csv (pixels) is read instead.
// Label modes (spec `mode=majority|plurality|probability`, default majority) are documented in ferplus-labels.ts.
// The face box of label.csv is the whole 48x48 image in every release, so it is not used as a crop.
import { join } from 'node:path';
import { fileError, invalidParameter } from '../../errors.js';
import { registerAdapter } from '../registry.js';
import { FileIndex, isDirectory, isFile } from '../fs-scan.js';
import { parseNumber, readCsv } from '../text-table.js';
import type { Box, DatasetItem, Split } from '../types.js';
import { FERPLUS_LABEL_MODES, ferplusTarget, type FerplusLabelMode } from './ferplus-labels.js';
import { fer2013Id, findFer2013Csv, pixelsSource, readFer2013 } from './fer2013.js';

const FOLDERS: Array<[Split, string]> = [['train', 'FER2013Train'], ['valid', 'FER2013Valid'], ['test', 'FER2013Test']];
const USAGE: Record<string, Split> = { Training: 'train', PublicTest: 'valid', PrivateTest: 'test' };

function parseBox(text: string): Box | undefined {
  const m = /^\(?\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)?$/.exec(text.trim());
  if (!m) return undefined;
  return { x: Number(m[1]), y: Number(m[2]), width: Number(m[3]), height: Number(m[4]) };
}

function labelMode(args: Record<string, string>): FerplusLabelMode {
  const m = args.mode ?? 'majority';
  if (!(FERPLUS_LABEL_MODES as readonly string[]).includes(m)) throw invalidParameter('ferplus mode', FERPLUS_LABEL_MODES.join(' | '), m);
  return m as FerplusLabelMode;
}

async function findRoot(path: string): Promise<string | undefined> {
  for (const r of [path, join(path, 'data')]) if (await isDirectory(join(r, 'FER2013Train')) || (await isDirectory(join(r, 'FER2013Test')))) return r;
  return undefined;
}

registerAdapter({
  name: 'ferplus',
  summary: 'FERPlus: FER2013{Train,Valid,Test}/ PNGs + label.csv of 10 vote counts (or fer2013new.csv + fer2013.csv)',
  args: { mode: 'majority (default, official FER+ rule) | plurality | probability (soft labels)' },
  labelModes: [...FERPLUS_LABEL_MODES],
  async open({ spec, checkFiles }) {
    for (const k of Object.keys(spec.args)) if (k !== 'mode') throw invalidParameter(`ferplus spec argument '${k}'`, 'mode=...', spec.args[k]);
    const mode = labelMode(spec.args);
    const items: DatasetItem[] = [];
    const skipped: Array<{ id: string; reason: string }> = [];
    const drops = new Map<string, number>();
    const keep = (id: string, votes: number[], base: Omit<DatasetItem, 'id' | 'label' | 'soft'>): void => {
      const t = ferplusTarget(votes, mode);
      if (t.drop) {
        drops.set(t.drop, (drops.get(t.drop) ?? 0) + 1);
        skipped.push({ id, reason: `label ${t.drop} (${mode})` });
        return;
      }
      items.push({ id, ...base, label: t.label, ...(t.soft ? { soft: t.soft } : {}) });
    };
    const root = await findRoot(spec.path);
    if (root) {
      const files = new FileIndex();
      for (const [split, folder] of FOLDERS) {
        if (spec.split && spec.split !== split) continue;
        const dir = join(root, folder);
        const csv = join(dir, 'label.csv');
        if (!(await isFile(csv))) {
          if (spec.split) throw fileError(csv, 'file not found');
          continue;
        }
        for (const row of await readCsv(csv)) {
          if (row.fields.length === 12 && row.fields[0].toLowerCase().includes('image')) continue; // optional header
          if (row.fields.length < 12) throw fileError(csv, `expected image,box,10 vote counts (12 columns), got ${row.fields.length} columns`, row.line);
          const name = row.fields[0].trim();
          if (!name) throw fileError(csv, 'empty image name', row.line);
          const box = parseBox(row.fields[1]);
          if (!box) throw fileError(csv, `face box must look like "(x, y, w, h)", got '${row.fields[1]}'`, row.line);
          const votes = Array.from({ length: 10 }, (_, i) => parseNumber(csv, row, 2 + i, `vote count ${i + 1}`));
          if (votes.some((v) => v < 0 || !Number.isInteger(v))) throw fileError(csv, `vote counts must be non-negative integers, got ${votes.join(',')}`, row.line);
          const id = `${folder}/${name}`;
          if (checkFiles && !(await files.has(dir, name))) {
            skipped.push({ id, reason: 'missing file' });
            continue;
          }
          const fullImage = box.x === 0 && box.y === 0 && box.width === 48 && box.height === 48;
          keep(id, votes, { source: { kind: 'file', path: join(dir, name) }, split, ...(fullImage ? {} : { box }) });
        }
      }
    } else {
      const newCsv = join(spec.path, 'fer2013new.csv');
      const pixCsv = await findFer2013Csv(spec.path);
      if (!(await isFile(newCsv)) || !pixCsv) {
        throw fileError(spec.path, 'not a FERPlus folder: expected FER2013Train/ FER2013Valid/ FER2013Test/ with label.csv, or fer2013new.csv next to fer2013.csv');
      }
      const pixels = await readFer2013(pixCsv);
      const rows = (await readCsv(newCsv)).slice(1);
      if (rows.length !== pixels.length) throw fileError(newCsv, `has ${rows.length} rows but ${pixCsv} has ${pixels.length}; they must be row-aligned`);
      rows.forEach((row, i) => {
        if (row.fields.length < 12) throw fileError(newCsv, `expected Usage,Image name,10 vote counts, got ${row.fields.length} columns`, row.line);
        const split = USAGE[row.fields[0].trim()];
        if (!split) throw fileError(newCsv, `Usage must be Training, PublicTest or PrivateTest, got '${row.fields[0]}'`, row.line);
        if (spec.split && split !== spec.split) return;
        const name = row.fields[1].trim();
        const id = name || fer2013Id(i);
        if (!name) {
          skipped.push({ id, reason: 'removed by FER+ (no image name)' });
          return;
        }
        const votes = Array.from({ length: 10 }, (_, k) => parseNumber(newCsv, row, 2 + k, `vote count ${k + 1}`));
        keep(id, votes, { source: pixelsSource(pixels[i].pixels), split });
      });
    }
    const dropText = [...drops].map(([k, v]) => `${v} ${k}`).join(', ');
    return {
      items,
      skipped,
      notes: [
        `label mode ${mode} (see src/data/adapters/ferplus-labels.ts); FER+ order neutral, happiness, surprise, sadness, anger, disgust, fear mapped by name`,
        `dropped by the label rule: ${dropText || 'none'}`,
      ],
    };
  },
});
