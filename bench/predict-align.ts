// Calibrates the canonical face frames (ALIGN_FRAMES in src/detect/align.ts): where BlazeFace puts the eyes in a
// training set's own crops, so that live aligned crops are framed like what a model learned from. Medians over the
// first 300 images of FER+ test (48 x 48) and of SFEW 2.0 Train (143 x 181 official crops; its classes in turn), as
// fractions of the crop's height (eye height) and width (inter-ocular distance, eye midpoint x). Small crops are
// upscaled by the decoder to the detector's input; 48 px faces are found at minSize 0.
// Run: node --import tsx bench/predict-align.ts [--out bench/results/predict-align] [--datasets DIR]
// (datasets: --datasets, else $CAFE_DATASETS, else ../shared/datasets beside the repository)
import { execSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createFaceDetector } from '../src/detect/blazeface.js';
import { ALIGN_FRAMES } from '../src/detect/align.js';
import { nodeRuntime } from '../src/runtime/node.js';
import { decodeRgb } from '../src/data/image.js';
import { writeAtomic } from '../src/util/atomic.js';
import { datasetsHint, datasetsRoot } from '../src/util/datasets.js';

const args = process.argv.slice(2);
const OUT = args.includes('--out') ? args[args.indexOf('--out') + 1] : 'bench/results/predict-align';
const ROOT = datasetsRoot(args.includes('--datasets') ? args[args.indexOf('--datasets') + 1] : undefined);
const N = 300;

// Each set's files: FER+ test in name order; SFEW Train round-robin over its class folders (name order within each).
const sets: Array<{ frame: keyof typeof ALIGN_FRAMES; what: string; files: () => string[] }> = [
  { frame: 'ferplus', what: 'FER+ test (48 x 48 gray)', files: () => {
    const dir = join(ROOT, 'ferplus', 'FER2013Test');
    return readdirSync(dir).filter((f) => f.endsWith('.png')).sort().slice(0, N).map((f) => join(dir, f));
  } },
  { frame: 'sfew', what: 'SFEW 2.0 Train (143 x 181 colour, official crops)', files: () => {
    const dir = join(ROOT, 'sfew2', 'Train');
    const lists = readdirSync(dir).sort().map((c) => readdirSync(join(dir, c)).filter((f) => f.endsWith('.png')).sort().map((f) => join(dir, c, f)));
    const out: string[] = [];
    for (let i = 0; out.length < N && lists.some((l) => i < l.length); i++) for (const l of lists) if (i < l.length && out.length < N) out.push(l[i]);
    return out;
  } },
];
const needed = [join(ROOT, 'ferplus', 'FER2013Test'), join(ROOT, 'sfew2', 'Train')];
const missing = needed.find((p) => !existsSync(p));
if (missing) {
  console.error(`skipped: ${missing} is absent; ${datasetsHint(ROOT)}`);
  process.exit(0);
}
const det = await createFaceDetector({ minScore: 0.5, minSize: 0, retryPadded: false }, nodeRuntime);
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const rows = [];
for (const set of sets) {
  const files = set.files();
  const ys: number[] = [], ds: number[] = [], xs: number[] = [], ws: number[] = [], hs: number[] = [];
  for (const f of files) {
    const img = { ...(await decodeRgb({ kind: 'file', path: f })), channels: 3 as const };
    const faces = await det.detect(img);
    if (!faces.length) continue;
    const [l, r] = faces[0].landmarks;
    ys.push((l.y + r.y) / 2 / img.height);
    ds.push(Math.hypot(r.x - l.x, r.y - l.y) / img.width);
    xs.push((l.x + r.x) / 2 / img.width);
    ws.push(img.width);
    hs.push(img.height);
  }
  rows.push({
    frame: set.frame, set: set.what, images: files.length, detected: ys.length,
    width: med(ws), height: med(hs), aspect: r3(med(hs) / med(ws)),
    eyeY: r3(med(ys)), eyeDistance: r3(med(ds)), eyeMidX: r3(med(xs)),
    used: ALIGN_FRAMES[set.frame],
  });
}
const result = {
  command: `node --import tsx bench/predict-align.ts${args.length ? ' ' + args.join(' ') : ''}`,
  commit: execSync('git rev-parse HEAD', { encoding: 'utf8' }).trim(),
  rows,
};
const f2 = (x: number) => (Math.round(x * 100) / 100).toFixed(2);
const md = [
  '# Canonical face frames, measured on the training sets\' own crops',
  '',
  `\`${result.command}\` at \`${result.commit}\`.`,
  '',
  `BlazeFace's eye keypoints on the first ${N} images of each set, medians: eye height as a fraction of the crop's height, inter-ocular distance and eye midpoint x as fractions of its width. \`ALIGN_FRAMES\` (src/detect/align.ts) holds these, rounded to two places; \`cafe export --align-frame NAME\` records one in a model folder.`,
  '',
  '| frame | set | detected | crop (median) | aspect h/w | eye height | inter-ocular | eye midpoint x | ALIGN_FRAMES (eyeY, eyeDistance, aspect) |',
  '|---|---|---:|---|---:|---:|---:|---:|---|',
  ...rows.map((r) => `| ${r.frame} | ${r.set} | ${r.detected} / ${r.images} | ${r.width} x ${r.height} | ${r.aspect} | ${r.eyeY} | ${r.eyeDistance} | ${r.eyeMidX} | ${f2(r.used.eyeY)}, ${f2(r.used.eyeDistance)}, ${r.used.aspect.toFixed(3)} |`),
  '',
].join('\n');
for (const [ext, text] of [['json', JSON.stringify(result, null, 2) + '\n'], ['md', md]] as const) writeAtomic(`${OUT}.${ext}`, text);
console.log(md);
