// Reading the text label files datasets ship (CSV, whitespace lists) with line numbers kept for error messages.
import { readFile } from 'node:fs/promises';
import { fileError } from '../errors.js';

export interface TextRow {
  /** 1-based line number in the file. */
  line: number;
  fields: string[];
}

/** Splits one CSV line (RFC 4180 quotes, no embedded newlines — none of the FER label files have them). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inQuotes = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (inQuotes) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else inQuotes = false;
      } else cur += ch;
    } else if (ch === '"') inQuotes = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw fileError(path, code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? (err as Error).message})`);
  }
}

/** Non-empty lines of a text file (BOM and CR stripped), each with its 1-based line number. */
export async function readLines(path: string): Promise<Array<{ line: number; text: string }>> {
  const text = await readText(path);
  const out: Array<{ line: number; text: string }> = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].replace(/\r$/, '');
    if (t.trim() !== '') out.push({ line: i + 1, text: t });
  }
  return out;
}

export async function readCsv(path: string): Promise<TextRow[]> {
  return (await readLines(path)).map(({ line, text }) => ({ line, fields: splitCsvLine(text) }));
}

export async function readWhitespaceTable(path: string): Promise<TextRow[]> {
  return (await readLines(path)).map(({ line, text }) => ({ line, fields: text.trim().split(/\s+/) }));
}

/** Parses a finite number or throws a file:line error naming the column. */
export function parseNumber(path: string, row: TextRow, index: number, column: string): number {
  const raw = row.fields[index];
  const v = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(v)) throw fileError(path, `${column} must be a number, got ${raw === undefined ? 'nothing' : `'${raw}'`}`, row.line);
  return v;
}
