// Photo -> expression on raw movie frames (photos/sfew-frames: 105 frames, 15 per class), three ways, in one process:
//   ours        cafe's detect (BlazeFace) -> align (eyes) -> recognize, the model given by --model (default: shipped)
//   crops       the same model on SFEW's official aligned crops of the same frames (100 of the 105 have one, in
//               sfew2/Train), i.e. what our own detection + alignment costs or gains against the dataset's
//   face-api    @vladmandic/face-api detectAllFaces().withFaceExpressions() on the same frames, as shipped
// plus the peers' expression nets on the official crops. Per frame the largest detected face is scored; a frame
// with no face counts as wrong. Timing: decode + detect + classify per photo, warm (one untimed photo first), interleaved.
// Run: node --import tsx bench/predict.ts [--model DIR] [--out bench/results/predict] [--datasets DIR]
// (datasets: --datasets, else $CAFE_DATASETS, else ../shared/datasets beside the repository)
import { execSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { EXPRESSIONS, type Expression } from '../src/labels.js';
import { createRecognizer } from '../src/recognizer/recognizer.js';
import { decodeInput } from '../src/recognizer/decode.js';
import { createFaceApi } from '../src/peers/faceapi.js';
import { createHumanEmotion } from '../src/peers/human-emotion.js';
import { nodeRuntime } from '../src/runtime/node.js';
import { writeAtomic } from '../src/util/atomic.js';
import { datasetsHint, datasetsRoot } from '../src/util/datasets.js';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const ROOT = datasetsRoot(opt('datasets'));
const FRAMES = join(ROOT, 'photos/sfew-frames');
const OUT = opt('out') ?? 'bench/results/predict';
if (!existsSync(FRAMES)) {
  console.error(`skipped: photos/sfew-frames is absent; ${datasetsHint(ROOT)}`);
  process.exit(0);
}
const CLASS: Record<string, Expression> = { Angry: 'anger', Disgust: 'disgust', Fear: 'fear', Happy: 'happiness', Neutral: 'neutral', Sad: 'sadness', Surprise: 'surprise' };

interface Item { frame: string; crop?: string; label: Expression }
const items: Item[] = [];
for (const cls of readdirSync(FRAMES).sort()) {
  for (const f of readdirSync(join(FRAMES, cls)).sort()) {
    if (!f.endsWith('.jpg')) continue;
    const crop = ['Train', 'Val'].map((s) => join(ROOT, 'sfew2', s, cls, f.replace(/\.jpg$/, '.png'))).find(existsSync);
    items.push({ frame: join(FRAMES, cls, f), crop, label: CLASS[cls] });
  }
}

const argmax = (p: ArrayLike<number>) => {
  let b = 0;
  for (let i = 1; i < p.length; i++) if (p[i] > p[b]) b = i;
  return EXPRESSIONS[b];
};

interface Row { name: string; what: string; n: number; detected: number; correct: number; accuracy: number; balancedAccuracy: number; photosPerSecond?: number }
function score(name: string, what: string, preds: Array<Expression | null>, labels: Expression[], seconds?: number): Row {
  const correct = preds.filter((p, i) => p === labels[i]).length;
  const recalls = EXPRESSIONS.filter((e) => labels.includes(e)).map((e) => {
    const idx = labels.map((l, i) => (l === e ? i : -1)).filter((i) => i >= 0);
    return idx.filter((i) => preds[i] === e).length / idx.length;
  });
  return {
    name, what, n: labels.length, detected: preds.filter((p) => p !== null).length, correct,
    accuracy: correct / labels.length, balancedAccuracy: recalls.reduce((a, b) => a + b, 0) / recalls.length,
    ...(seconds !== undefined ? { photosPerSecond: labels.length / seconds } : {}),
  };
}
const area = (b: { width: number; height: number }) => b.width * b.height;

const fer = await createRecognizer({ model: opt('model') });
const modelName = fer.model.manifest.name;
const labels = items.map((i) => i.label);
const rows: Row[] = [];

// Interleaved frame by frame (ours, then face-api, on the same frame), so the load of other processes on this
// shared machine hits both pipelines alike; each pipeline's time is the sum of its own calls.
const faceapi = await createFaceApi();
await fer.recognize(items[0].frame);
await faceapi.detectAll((await decodeInput(items[0].frame, 1920)).image);
let oursSeconds = 0;
let faSeconds = 0;
const ours: Array<Expression | null> = [];
const fa: Array<Expression | null> = [];
for (const it of items) {
  let t0 = performance.now();
  const r = await fer.recognize(it.frame);
  ours.push(r.faces.length ? r.faces.reduce((a, b) => (area(b.box) > area(a.box) ? b : a)).label : null);
  oursSeconds += (performance.now() - t0) / 1000;
  t0 = performance.now();
  const faces = await faceapi.detectAll((await decodeInput(it.frame, 1920)).image);
  fa.push(faces.length ? argmax(faces.reduce((a, b) => (area(b.box) > area(a.box) ? b : a)).probs) : null);
  faSeconds += (performance.now() - t0) / 1000;
}

rows.push(score(`cafe predict (${modelName})`, 'frames: detect -> align -> recognize', ours, labels, oursSeconds));
rows.push(score('face-api detectAllFaces().withFaceExpressions()', 'frames: its SSD detector + expression net', fa, labels, faSeconds));

// Official aligned crops of the same frames.
const withCrop = items.map((it, i) => ({ ...it, i })).filter((it) => it.crop);
const cropImgs = await Promise.all(withCrop.map(async (it) => (await decodeInput(it.crop!, 1920)).image));
const cropLabels = withCrop.map((it) => it.label);
rows.push(score(`cafe predict (${modelName})`, `same ${withCrop.length} frames: detect -> align -> recognize`, withCrop.map((it) => ours[it.i]), cropLabels));
rows.push(score('face-api detectAllFaces().withFaceExpressions()', `same ${withCrop.length} frames`, withCrop.map((it) => fa[it.i]), cropLabels));
rows.push(score(`${modelName} on official crops`, `SFEW aligned crops (${withCrop.length}), no detection`, (await fer.classifyCrops(cropImgs)).map(argmax), cropLabels));
rows.push(score('face-api expression net on official crops', 'faceapi-crop peer', (await faceapi.predictCrops(cropImgs)).map(argmax), cropLabels));
const human = await createHumanEmotion(nodeRuntime);
rows.push(score("human's emotion net on official crops", 'human-emotion peer', (await human.predict(cropImgs)).map(argmax), cropLabels));
human.dispose();
await fer.dispose();

const command = `node --import tsx bench/predict.ts${args.length ? ' ' + args.join(' ') : ''}`;
const commit = execSync('git rev-parse HEAD', { encoding: 'utf8' }).trim();
const dirty = execSync('git status --porcelain -- src/detect src/recognizer src/peers src/export bench/predict.ts models', { encoding: 'utf8' }).trim() !== '';
const result = {
  command, commit, dirty, date: new Date().toISOString(), model: modelName, machine: `${cpus().length} x ${cpus()[0]?.model}`,
  loadAverage: loadavg().map((x) => Math.round(x * 100) / 100), frames: items.length, rows,
  perFrame: items.map((it, i) => ({ frame: it.frame.slice(FRAMES.length + 1), label: it.label, ours: ours[i], faceapi: fa[i] })),
};
const pct = (x: number) => (100 * x).toFixed(1);
const md = [
  `# Photo -> expression on raw SFEW frames`, '',
  `\`${command}\` at \`${commit}\`${dirty ? ' (uncommitted changes)' : ''}, ${result.date}, ${result.machine}, load average ${result.loadAverage.join(' ')} (a shared machine: absolute speeds are pessimistic; the two pipelines ran interleaved frame by frame in one process).`, '',
  `Model: **${modelName}**. ${items.length} frames (720x576) from photos/sfew-frames in ${ROOT}, 15 per class; the largest detected face per frame is scored, a frame without a face counts as wrong. The official aligned crops exist for ${withCrop.length} of the frames (all in sfew2/Train).`, '',
  '| pipeline | input | n | faces found | accuracy | balanced acc. | photos/s |', '|---|---|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.name} | ${r.what} | ${r.n} | ${r.detected} | ${pct(r.accuracy)}% | ${pct(r.balancedAccuracy)}% | ${r.photosPerSecond ? r.photosPerSecond.toFixed(2) : ''} |`),
  '',
].join('\n');
for (const [ext, text] of [['json', JSON.stringify(result, null, 2) + '\n'], ['md', md]] as const) writeAtomic(`${OUT}.${ext}`, text);
console.log(md);
