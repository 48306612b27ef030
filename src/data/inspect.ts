// Dataset inspection behind `cafe data inspect`: class counts per split, and a scan of every image for problems
// (zero-byte, unreadable, all-black, duplicate files) with sizes. A batch job: bad items are reported, never fatal.
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { EXPRESSIONS } from '../labels.js';
import { Progress } from '../util/progress.js';
import { BLANK_THRESHOLD } from './image.js';
import type { Dataset, DatasetItem } from './types.js';

const SPLIT_ORDER = ['train', 'valid', 'test', 'none'];

export interface ClassCounts {
  /** split ('train' | 'valid' | 'test' | 'none') -> class name (or 'unlabelled') -> count. */
  counts: Record<string, Record<string, number>>;
  /** split -> number of distinct subjects, when items have subjects. */
  subjects?: Record<string, number>;
  /** Subjects found in more than one split (must be empty for subject-wise splits). */
  subjectsInSeveralSplits?: string[];
}

export function countClasses(items: DatasetItem[]): ClassCounts {
  const counts: Record<string, Record<string, number>> = {};
  const subj = new Map<string, Set<string>>();
  for (const it of items) {
    const split = it.split ?? 'none';
    const row = (counts[split] ??= {});
    const label = it.label ?? 'unlabelled';
    row[label] = (row[label] ?? 0) + 1;
    if (it.subject) {
      if (!subj.has(it.subject)) subj.set(it.subject, new Set());
      subj.get(it.subject)!.add(split);
    }
  }
  const out: ClassCounts = { counts };
  if (subj.size > 0) {
    out.subjects = {};
    for (const splits of subj.values()) for (const s of splits) out.subjects[s] = (out.subjects[s] ?? 0) + 1;
    out.subjectsInSeveralSplits = [...subj].filter(([, s]) => s.size > 1).map(([k]) => k);
  }
  return out;
}

/** Text table: one row per class, one column per split, plus totals. */
export function formatClassTable(c: ClassCounts): string {
  const splits = SPLIT_ORDER.filter((s) => c.counts[s]);
  const classes: string[] = [...EXPRESSIONS];
  if (splits.some((s) => c.counts[s].unlabelled)) classes.push('unlabelled');
  const header = ['class', ...splits, 'total'];
  const rows: string[][] = [];
  for (const cls of classes) {
    const vals = splits.map((s) => c.counts[s][cls] ?? 0);
    rows.push([cls, ...vals.map(String), String(vals.reduce((a, b) => a + b, 0))]);
  }
  const totals = splits.map((s) => Object.values(c.counts[s]).reduce((a, b) => a + b, 0));
  rows.push(['total', ...totals.map(String), String(totals.reduce((a, b) => a + b, 0))]);
  if (c.subjects) rows.push(['subjects', ...splits.map((s) => String(c.subjects![s] ?? 0)), String(Object.values(c.subjects).reduce((a, b) => a + b, 0))]);
  return markdownTable(header, rows);
}

export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => `| ${cells.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** Counts of skip reasons, e.g. { 'missing file': 4, 'contempt (outside the 7 classes)': 54 }. */
export function reasonCounts(skipped: Array<{ reason: string }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of skipped) out[s.reason] = (out[s.reason] ?? 0) + 1;
  return out;
}

export type ProblemKind = 'zero-byte' | 'unreadable' | 'all-black' | 'duplicate';

export interface ScanReport {
  scanned: number;
  /** 'WxH' -> count. */
  sizes: Record<string, number>;
  /** 'png gray' style format + channel layout -> count. */
  formats: Record<string, number>;
  /** Items a loader skips (zero-byte, unreadable, all-black), with the reason. */
  problems: Array<{ id: string; kind: ProblemKind; detail: string }>;
  /** Groups of items whose files are byte-identical (reported, not skipped: labels may legitimately differ). */
  duplicates: string[][];
  seconds: number;
}

export interface ScanOptions {
  /** Parallel reads/decodes; default 2 x CPUs. */
  concurrency?: number;
  /** Progress bar on stderr; default true. */
  progress?: boolean;
}

async function scanItem(it: DatasetItem): Promise<{ hash: string; size?: string; format?: string; problem?: { kind: ProblemKind; detail: string } }> {
  let input: Buffer;
  if (it.source.kind === 'pixels') {
    const s = it.source;
    input = Buffer.from(s.data.buffer, s.data.byteOffset, s.data.byteLength);
    const hash = createHash('sha1').update(input).digest('hex');
    let max = 0;
    for (const v of s.data) if (v > max) max = v;
    const problem = max <= BLANK_THRESHOLD ? { kind: 'all-black' as const, detail: `max pixel value ${max}` } : undefined;
    return { hash, size: `${s.width}x${s.height}`, format: `pixels ${s.channels === 1 ? 'gray' : 'rgb'}`, problem };
  }
  try {
    input = await readFile(it.source.path);
  } catch (err) {
    return { hash: `unreadable:${it.id}`, problem: { kind: 'unreadable', detail: `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` } };
  }
  const hash = createHash('sha1').update(input).digest('hex');
  if (input.length === 0) return { hash, problem: { kind: 'zero-byte', detail: 'empty file' } };
  try {
    const { data, info } = await sharp(input, { failOn: 'error' }).raw().toBuffer({ resolveWithObject: true });
    const meta = await sharp(input).metadata();
    let max = 0;
    for (let i = 0; i < data.length && max <= BLANK_THRESHOLD; i++) if (data[i] > max) max = data[i];
    // The file's own channels (sharp's raw output is already converted to sRGB).
    const ch = meta.channels ?? info.channels;
    const layout = ch === 1 ? 'gray' : ch === 2 ? 'gray+alpha' : ch === 3 ? 'rgb' : 'rgba';
    return {
      hash,
      size: `${info.width}x${info.height}`,
      format: `${meta.format} ${layout}${meta.isPalette ? ' palette' : ''}`,
      problem: max <= BLANK_THRESHOLD ? { kind: 'all-black', detail: `every pixel <= ${BLANK_THRESHOLD}` } : undefined,
    };
  } catch (err) {
    return { hash, problem: { kind: 'unreadable', detail: (err as Error).message.split('\n')[0] } };
  }
}

/** Reads and decodes every item once; reports and keeps going on bad ones. */
export async function scanImages(dataset: Dataset, opts: ScanOptions = {}): Promise<ScanReport> {
  const t0 = performance.now();
  sharp.cache(false);
  const items = dataset.items;
  const progress = new Progress(items.length, `scan ${dataset.name}`, { silent: opts.progress === false });
  const report: ScanReport = { scanned: 0, sizes: {}, formats: {}, problems: [], duplicates: [], seconds: 0 };
  const byHash = new Map<string, string[]>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const it = items[next++];
      const r = await scanItem(it);
      report.scanned++;
      if (r.size) report.sizes[r.size] = (report.sizes[r.size] ?? 0) + 1;
      if (r.format) report.formats[r.format] = (report.formats[r.format] ?? 0) + 1;
      if (r.problem) report.problems.push({ id: it.id, ...r.problem });
      const group = byHash.get(r.hash);
      if (group) group.push(it.id);
      else byHash.set(r.hash, [it.id]);
      progress.tick(1, report.problems.length ? `${report.problems.length} problem(s)` : '');
    }
  };
  const n = Math.max(1, opts.concurrency ?? 2 * availableParallelism());
  await Promise.all(Array.from({ length: Math.min(n, Math.max(1, items.length)) }, worker));
  progress.done(report.problems.length ? `${report.problems.length} problem(s)` : '');
  report.duplicates = [...byHash.values()].filter((g) => g.length > 1).map((g) => g.sort());
  report.duplicates.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  report.problems.sort((a, b) => (a.id < b.id ? -1 : 1));
  report.seconds = (performance.now() - t0) / 1000;
  return report;
}
