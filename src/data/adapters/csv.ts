// Generic CSV for user data: `csv:labels.csv`, one row per image `path,label[,split[,subject]]`, optional header
// (`path,label,...`). Paths are relative to the CSV's folder unless absolute. label is an expression word or synonym
// (angry, happy, ...; see src/data/label-names.ts) or an index 0-6 in cafe's order (neutral, happiness, sadness,
// surprise, fear, disgust, anger); an empty label means unlabelled. Contempt rows are skipped and counted; any other
// word is an error naming the file and line.
import { dirname, isAbsolute, join } from 'node:path';
import { fileError, invalidParameter } from '../../errors.js';
import { EXPRESSIONS } from '../../labels.js';
import { registerAdapter } from '../registry.js';
import { isFile } from '../fs-scan.js';
import { knownClassWords, nameClass } from '../label-names.js';
import { splitFromWord } from '../spec.js';
import { readCsv } from '../text-table.js';
import type { DatasetItem } from '../types.js';

registerAdapter({
  name: 'csv',
  summary: 'generic CSV: path,label[,split[,subject]] rows (label = word or 0-6 in cafe order)',
  async open({ spec, checkFiles }) {
    for (const k of Object.keys(spec.args)) throw invalidParameter(`csv spec argument '${k}'`, 'none', spec.args[k]);
    const csv = spec.path;
    const base = dirname(csv);
    const rows = await readCsv(csv);
    const items: DatasetItem[] = [];
    const skipped: Array<{ id: string; reason: string }> = [];
    const seen = new Set<string>();
    for (const [i, row] of rows.entries()) {
      const f = row.fields.map((s) => s.trim());
      if (i === 0 && f[0].toLowerCase() === 'path') continue;
      if (f.length < 2 && !(f.length === 1 && f[0])) throw fileError(csv, 'expected path,label[,split[,subject]]', row.line);
      const [rel, labelText = '', splitText = '', subject = ''] = f;
      if (!rel) throw fileError(csv, 'empty path', row.line);
      if (seen.has(rel)) throw fileError(csv, `duplicate path '${rel}'`, row.line);
      seen.add(rel);
      const path = isAbsolute(rel) ? rel : join(base, rel);
      const item: DatasetItem = { id: rel, source: { kind: 'file', path } };
      if (labelText) {
        if (/^\d+$/.test(labelText)) {
          const n = Number(labelText);
          if (n > 6) throw fileError(csv, `label index must be 0-6 (${EXPRESSIONS.join(', ')}), got ${n}`, row.line);
          item.label = EXPRESSIONS[n];
        } else {
          const named = nameClass(labelText);
          if (named.kind === 'contempt') {
            skipped.push({ id: rel, reason: 'contempt (outside the 7 classes)' });
            continue;
          }
          if (named.kind === 'unknown') throw fileError(csv, `label '${labelText}' is not an expression (use one of ${knownClassWords()} or 0-6)`, row.line);
          item.label = named.expression;
        }
      }
      if (splitText) {
        const s = splitFromWord(splitText);
        if (!s) throw fileError(csv, `split must be train, valid or test, got '${splitText}'`, row.line);
        item.split = s;
      }
      if (subject) item.subject = subject;
      if (checkFiles && !(await isFile(path))) {
        skipped.push({ id: rel, reason: 'missing file' });
        continue;
      }
      items.push(item);
    }
    return { items, skipped, notes: [`labels from ${csv}`] };
  },
});
