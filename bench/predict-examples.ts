// The README's main command, checked: every face in the face-api example photos, and whether each of the seven
// single-face expression photos gets the label its file name says.
// Run: node --import tsx bench/predict-examples.ts [--model DIR] [--out bench/results/predict-examples] [--datasets DIR]
// (datasets: --datasets, else $CAFE_DATASETS, else ../shared/datasets beside the repository)
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createRecognizer } from '../src/recognizer/recognizer.js';
import { expandInputs } from '../src/recognizer/files.js';
import { writeAtomic } from '../src/util/atomic.js';
import { datasetsHint, datasetsRoot } from '../src/util/datasets.js';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const ROOT = datasetsRoot(opt('datasets'));
const DIR = join(ROOT, 'photos', 'faceapi-examples');
const OUT = opt('out') ?? 'bench/results/predict-examples';
if (!existsSync(DIR)) {
  console.error(`skipped: photos/faceapi-examples is absent; ${datasetsHint(ROOT)}`);
  process.exit(0);
}
const EXPECTED: Record<string, string> = { angry: 'anger', disgusted: 'disgust', fearful: 'fear', happy: 'happiness', neutral: 'neutral', sad: 'sadness', surprised: 'surprise' };
const fer = await createRecognizer({ model: opt('model') });
const { files } = expandInputs([DIR]);
const rows: Array<{ file: string; faces: number; labels: string[]; expected?: string; correct?: boolean }> = [];
for (const f of files) {
  const r = await fer.recognize(f);
  const name = basename(f).replace(/\.[^.]+$/, '');
  const labels = r.faces.map((x) => `${x.label} ${Math.round(100 * x.score)}%`);
  const expected = EXPECTED[name];
  rows.push({ file: f.slice(DIR.length + 1), faces: r.faces.length, labels, ...(expected ? { expected, correct: r.faces.length === 1 && r.faces[0].label === expected } : {}) });
}
const model = fer.model.manifest.name;
await fer.dispose();
const expr = rows.filter((r) => r.expected);
const commit = execSync('git rev-parse HEAD', { encoding: 'utf8' }).trim();
const command = `node --import tsx bench/predict-examples.ts${args.length ? ' ' + args.join(' ') : ''}`;
const md = [
  '# cafe predict on the face-api example photos', '',
  `\`${command}\` at \`${commit}\` (same pipeline as \`npx cafe predict ../shared/datasets/photos/faceapi-examples\`). Model: **${model}**.`, '',
  `Expression photos labelled as their file name says: **${expr.filter((r) => r.correct).length} / ${expr.length}**. Faces found: ${rows.reduce((a, r) => a + r.faces, 0)} in ${rows.length} photos; photos without a face: ${rows.filter((r) => r.faces === 0).map((r) => r.file).join(', ') || 'none'}.`, '',
  '| photo | faces | predicted (per face) | expected |', '|---|---:|---|---|',
  ...rows.map((r) => `| ${r.file} | ${r.faces} | ${r.labels.join(', ')} | ${r.expected ? `${r.expected} ${r.correct ? 'ok' : '**wrong**'}` : ''} |`), '',
].join('\n');
for (const [ext, text] of [['json', JSON.stringify({ command, commit, model, rows }, null, 2) + '\n'], ['md', md]] as const) writeAtomic(`${OUT}.${ext}`, text);
console.log(md);
