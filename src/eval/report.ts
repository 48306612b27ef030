// Evaluation reports: JSON (everything), Markdown (the table), and one confusion-matrix PNG per target, drawn as an
// SVG and rasterised by sharp. All files are written to a temp name and renamed.
import sharp from 'sharp';
import { EXPRESSIONS } from '../labels.js';
import type { Scores } from './metrics.js';
import { writeAtomic } from '../util/atomic.js';

export interface TargetReport {
  target: string;
  scores: Scores;
  /** Why a set is scored over fewer classes (CK+48: no neutral). */
  note: string;
}

export const pct = (x: number) => (Number.isFinite(x) ? (100 * x).toFixed(2) : '-');


const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Row-normalised confusion matrix as SVG: cell shade = recall share, text = count. */
export function confusionSvg(confusion: number[][], title: string): string {
  const n = confusion.length;
  const cell = 56;
  const left = 110;
  const top = 60;
  const w = left + n * cell + 20;
  const h = top + n * cell + 100;
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="DejaVu Sans, Arial, sans-serif">`, `<rect width="${w}" height="${h}" fill="white"/>`];
  parts.push(`<text x="${w / 2}" y="22" font-size="14" text-anchor="middle">${esc(title)}</text>`);
  parts.push(`<text x="${left + (n * cell) / 2}" y="${top + n * cell + 90}" font-size="12" text-anchor="middle">predicted</text>`);
  for (let t = 0; t < n; t++) {
    const total = confusion[t].reduce((a, b) => a + b, 0);
    parts.push(`<text x="${left - 6}" y="${top + t * cell + cell / 2 + 4}" font-size="11" text-anchor="end">${EXPRESSIONS[t]}</text>`);
    for (let p = 0; p < n; p++) {
      const v = confusion[t][p];
      const share = total ? v / total : 0;
      const shade = Math.round(255 * (1 - share));
      const x = left + p * cell;
      const y = top + t * cell;
      parts.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="rgb(${shade},${shade},255)" stroke="#999"/>`);
      parts.push(`<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" font-size="11" text-anchor="middle" fill="${share > 0.5 ? 'white' : 'black'}">${v}</text>`);
    }
  }
  for (let p = 0; p < n; p++) {
    const x = left + p * cell + cell / 2;
    const y = top + n * cell + 8;
    parts.push(`<text x="${x}" y="${y}" font-size="11" text-anchor="end" transform="rotate(-45 ${x} ${y})">${EXPRESSIONS[p]}</text>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}

export async function writeConfusionPng(path: string, confusion: number[][], title: string): Promise<void> {
  const png = await sharp(Buffer.from(confusionSvg(confusion, title))).png().toBuffer();
  writeAtomic(path, png);
}

/** Markdown table of one run over its targets, with the mean over targets. */
export function reportMarkdown(title: string, rows: TargetReport[], footer: string[]): string {
  const mean = (k: 'accuracy' | 'balancedAccuracy' | 'macroF1') => rows.reduce((a, r) => a + r.scores[k], 0) / rows.length;
  return [
    `# ${title}`,
    '',
    '| target | n | accuracy % | balanced acc % | macro-F1 % | note |',
    '|---|---:|---:|---:|---:|---|',
    ...rows.map((r) => `| \`${r.target}\` | ${r.scores.n} | ${pct(r.scores.accuracy)} | ${pct(r.scores.balancedAccuracy)} | ${pct(r.scores.macroF1)} | ${r.note} |`),
    `| mean over targets | | ${pct(mean('accuracy'))} | ${pct(mean('balancedAccuracy'))} | ${pct(mean('macroF1'))} | |`,
    '',
    ...footer,
    '',
  ].join('\n');
}
