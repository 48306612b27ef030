// Calibrates the canonical face frame: where BlazeFace puts the eyes in FER+ crops (the shipped model's training
// images), so that live aligned crops are framed like what the model learned from. Medians over the first 300 FER+
// test images (upscaled by the decoder to the detector's input; 48 px faces are found at minSize 0).
// Run: node --import tsx bench/predict-align.ts [--out bench/results/predict-align] [--datasets DIR]
// (datasets: --datasets, else $CAFE_DATASETS, else ../shared/datasets beside the repository)
import { execSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createFaceDetector } from '../src/detect/blazeface.js';
import { nodeRuntime } from '../src/runtime/node.js';
import { decodeRgb } from '../src/data/image.js';
import { writeAtomic } from '../src/util/atomic.js';
import { datasetsHint, datasetsRoot } from '../src/util/datasets.js';

const args = process.argv.slice(2);
const OUT = args.includes('--out') ? args[args.indexOf('--out') + 1] : 'bench/results/predict-align';
const ROOT = datasetsRoot(args.includes('--datasets') ? args[args.indexOf('--datasets') + 1] : undefined);
const dir = join(ROOT, 'ferplus', 'FER2013Test');
if (!existsSync(dir)) {
  console.error(`skipped: ferplus/FER2013Test is absent; ${datasetsHint(ROOT)}`);
  process.exit(0);
}
const det = await createFaceDetector({ minScore: 0.5, minSize: 0, retryPadded: false }, nodeRuntime);
const files = readdirSync(dir).filter((f) => f.endsWith('.png')).sort().slice(0, 300);
const ys: number[] = [];
const ds: number[] = [];
const xs: number[] = [];
let miss = 0;
for (const f of files) {
  const img = { ...(await decodeRgb({ kind: 'file', path: join(dir, f) })), channels: 3 as const };
  const faces = await det.detect(img);
  if (!faces.length) {
    miss++;
    continue;
  }
  const [l, r] = faces[0].landmarks;
  const W = img.width;
  ys.push((l.y + r.y) / 2 / W);
  ds.push(Math.hypot(r.x - l.x, r.y - l.y) / W);
  xs.push((l.x + r.x) / 2 / W);
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const result = {
  command: `node --import tsx bench/predict-align.ts${args.length ? ' ' + args.join(' ') : ''}`,
  commit: execSync('git rev-parse HEAD', { encoding: 'utf8' }).trim(),
  images: files.length, detected: ys.length, missed: miss,
  eyeY: r3(med(ys)), eyeDistance: r3(med(ds)), eyeMidX: r3(med(xs)),
};
const md = `# Canonical face frame, measured on FER+\n\n\`${result.command}\` at \`${result.commit}\`.\n\nBlazeFace found a face in ${result.detected} of ${result.images} FER+ test images. Medians, as fractions of the image side: eye height **${result.eyeY}**, inter-ocular distance **${result.eyeDistance}**, eye midpoint x ${result.eyeMidX}. These are DEFAULT_ALIGN_OPTIONS (src/detect/align.ts): eyeY 0.41, eyeDistance 0.27.\n`;
for (const [ext, text] of [['json', JSON.stringify(result, null, 2) + '\n'], ['md', md]] as const) writeAtomic(`${OUT}.${ext}`, text);
console.log(md);
