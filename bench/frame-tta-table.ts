// The table of bench/frame-tta.sh: one row per variant from the JSON that `cafe eval --model --json`-style reports
// wrote (accuracy, balanced accuracy in brackets, images/s), into <dir>/README.md.
// Run: node --import tsx bench/frame-tta-table.ts DIR NAME [NAME ...]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from '../src/util/atomic.js';

const [dir, ...names] = process.argv.slice(2);
if (!dir || !names.length) throw new Error('usage: frame-tta-table.ts DIR NAME [NAME ...]');
type Report = { command: string; commit: string; date: string; targets: Array<{ target: string; scores: { accuracy: number; balancedAccuracy: number }; imagesPerSecond: number }> };
const reports = names.map((n) => ({ name: n, r: JSON.parse(readFileSync(join(dir, `${n}.json`), 'utf8')) as Report }));
const targets = reports[0].r.targets.map((t) => t.target);
const pct = (v: number) => (100 * v).toFixed(2);
const lines = [
  '# Frame TTA on the shipped model, end to end (detect + align + recognize)',
  '',
  'Accuracy % (balanced accuracy in brackets) per target; images/s is the mean over the targets (decode + detection + recognition, on a shared 2-core machine).',
  '',
  `| variant | ${targets.map((t) => `\`${t.replace(/^.*datasets\//, '')}\``).join(' | ')} | mean | images/s |`,
  `|---|${targets.map(() => '---:').join('|')}|---:|---:|`,
  ...reports.map(({ name, r }) => {
    const mean = r.targets.reduce((a, t) => a + t.scores.accuracy, 0) / r.targets.length;
    const ips = r.targets.reduce((a, t) => a + t.imagesPerSecond, 0) / r.targets.length;
    return `| ${name} | ${r.targets.map((t) => `${pct(t.scores.accuracy)} (${pct(t.scores.balancedAccuracy)})`).join(' | ')} | ${pct(mean)} | ${ips.toFixed(1)} |`;
  }),
  '',
  ...reports.map(({ name, r }) => `- ${name}: \`${r.command}\` (commit ${r.commit.slice(0, 10)}, ${r.date})`),
  '',
];
writeAtomic(join(dir, 'README.md'), lines.join('\n'));
console.log(lines.join('\n'));
