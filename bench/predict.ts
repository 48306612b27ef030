// Photo -> expression on raw movie frames (photos/sfew-frames: 105 frames, 15 per class), three ways, in one process:
//   ours        cafe's detect (BlazeFace) -> align (eyes) -> recognize, the model given by --model (default: shipped)
//   crops       the same model on SFEW's official aligned crops of the same frames (100 of the 105 have one, in
//               sfew2/Train), i.e. what our own detection + alignment costs or gains against the dataset's
//   face-api    @vladmandic/face-api detectAllFaces().withFaceExpressions() on the same frames, as shipped
// plus the peers' expression nets on the official crops. Per frame the largest detected face is scored; a frame
// with no face counts as wrong. Timing: decode + detect + classify, warm (one untimed photo first); ours as `cafe
// predict` runs it (recognizeMany: decoding ahead) and one photo at a time (recognize()), face-api one photo at a
// time; each pipeline runs over all frames in turn, in two rounds (the second in reverse order), so the load of other
// processes on this shared machine hits all alike. Agreement: per frame, our detections (BlazeFace on onnxruntime)
// against the previous detector (the same graph on tfjs-wasm, src/detect/blazeface-tfjs.ts): same number of faces,
// boxes, keypoints and scores, and the label each face then gets.
// Run: node --import tsx bench/predict.ts [--model DIR] [--out bench/results/predict] [--datasets DIR]
// (datasets: --datasets, else $CAFE_DATASETS, else ../shared/datasets beside the repository)
import { execSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { EXPRESSIONS, type Expression } from '../src/labels.js';
import { createRecognizer, PIPELINE_BATCH, pipelineThreads, type Recognition } from '../src/recognizer/recognizer.js';
import { decodeInput } from '../src/recognizer/decode.js';
import { createFaceApi } from '../src/peers/faceapi.js';
import { createHumanEmotion } from '../src/peers/human-emotion.js';
import { createTfjsFaceDetector } from '../src/detect/blazeface-tfjs.js';
import { nodeRuntime } from '../src/runtime/node.js';
import { writeAtomic } from '../src/util/atomic.js';
import { args, opt, sfewFramesOrSkip } from './helpers/args.js';

const { root: ROOT, frames: FRAMES } = sfewFramesOrSkip();
const OUT = opt('out') ?? 'bench/results/predict';
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

// As `cafe predict` runs it: onnxruntime on half the cores, photos in batches, decoding ahead.
const fer = await createRecognizer({ model: opt('model'), threads: pipelineThreads() });
const modelName = fer.model.manifest.name;
const labels = items.map((i) => i.label);
const rows: Row[] = [];

const faceapi = await createFaceApi();
await fer.recognize(items[0].frame);
await faceapi.detectAll((await decodeInput(items[0].frame, 1920)).image);
const largest = <T extends { box: { width: number; height: number } }>(fs: T[]): T | undefined => (fs.length ? fs.reduce((a, b) => (area(b.box) > area(a.box) ? b : a)) : undefined);
const frames = items.map((it) => it.frame);
const ours: Array<Expression | null> = [];
const oursFaces: Recognition['faces'][] = [];
const fa: Array<Expression | null> = [];
const seconds = { pipeline: 0, single: 0, faceapi: 0 };
const runs: Record<keyof typeof seconds, () => Promise<void>> = {
  async pipeline() {
    const got: Recognition['faces'][] = [];
    for await (const o of fer.recognizeMany(frames, { batch: PIPELINE_BATCH, prefetch: PIPELINE_BATCH })) {
      if (o.error) throw o.error;
      got.push(o.result.faces);
    }
    oursFaces.splice(0, oursFaces.length, ...got);
    ours.splice(0, ours.length, ...got.map((fs) => largest(fs)?.label ?? null));
  },
  async single() {
    for (const f of frames) await fer.recognize(f);
  },
  async faceapi() {
    const got: Array<Expression | null> = [];
    for (const f of frames) {
      const faces = await faceapi.detectAll((await decodeInput(f, 1920)).image);
      const big = largest(faces);
      got.push(big ? argmax(big.probs) : null);
    }
    fa.splice(0, fa.length, ...got);
  },
};
const ORDER = ['pipeline', 'faceapi', 'single'] as const;
for (const order of [ORDER, [...ORDER].reverse()]) {
  for (const k of order) {
    const t0 = performance.now();
    await runs[k]();
    seconds[k] += (performance.now() - t0) / 1000;
  }
}
const ROUNDS = 2;
rows.push(score(`cafe predict (${modelName})`, 'frames: decode -> detect -> align -> recognize, pipelined (recognizeMany)', ours, labels, seconds.pipeline / ROUNDS));
rows.push({ ...score(`cafe predict (${modelName}), one photo at a time`, 'frames: recognize() per photo, no overlap', ours, labels, seconds.single / ROUNDS) });
rows.push(score('face-api detectAllFaces().withFaceExpressions()', 'frames: its SSD detector + expression net', fa, labels, seconds.faceapi / ROUNDS));

// Agreement with the previous detector (tfjs-wasm), untimed.
const tfDet = await createTfjsFaceDetector({}, nodeRuntime);
const agreement = [];
for (let i = 0; i < items.length; i++) {
  const d = await decodeInput(items[i].frame, 1920);
  const prev = await tfDet.detect(d.image);
  const now = oursFaces[i];
  // Its faces scored through the same path as ours (given faces: the model's frames and TTA), on the pixels they
  // were found in, so nothing is decoded again.
  const prevLabels = prev.length ? (await fer.recognize(d.image, { faces: prev })).faces.map((f) => f.label) : [];
  const sameCount = prev.length === now.length;
  let px = 0;
  let sc = 0;
  let sameLabels = sameCount;
  if (sameCount) {
    prev.forEach((f, k) => {
      const g = now[k];
      const s = d.scale;
      px = Math.max(px, ...(['x', 'y', 'width', 'height'] as const).map((c) => Math.abs(f.box[c] * s - g.box[c])), ...f.landmarks.map((p, j) => Math.hypot(p.x * s - g.landmarks[j].x, p.y * s - g.landmarks[j].y)));
      sc = Math.max(sc, Math.abs(f.score - g.detectionScore!));
      if (prevLabels[k] !== g.label) sameLabels = false;
    });
  }
  agreement.push({ frame: items[i].frame.slice(FRAMES.length + 1), facesPrevious: prev.length, facesNow: now.length, sameCount, sameLabels, maxPixelDiff: px, maxScoreDiff: sc });
}
await tfDet.dispose();
const agree = {
  frames: agreement.length,
  sameCount: agreement.filter((a) => a.sameCount).length,
  sameLabels: agreement.filter((a) => a.sameLabels).length,
  maxPixelDiff: Math.max(...agreement.map((a) => a.maxPixelDiff)),
  maxScoreDiff: Math.max(...agreement.map((a) => a.maxScoreDiff)),
};

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
  loadAverage: loadavg().map((x) => Math.round(x * 100) / 100), frames: items.length, rows, agreementWithPreviousDetector: { ...agree, perFrame: agreement },
  perFrame: items.map((it, i) => ({ frame: it.frame.slice(FRAMES.length + 1), label: it.label, ours: ours[i], faceapi: fa[i] })),
};
const pct = (x: number) => (100 * x).toFixed(1);
const md = [
  `# Photo -> expression on raw SFEW frames`, '',
  `\`${command}\` at \`${commit}\`${dirty ? ' (uncommitted changes)' : ''}, ${result.date}, ${result.machine}, load average ${result.loadAverage.join(' ')} (a shared machine: absolute speeds are pessimistic; the pipelines ran in one process, each over all frames in turn, two rounds in opposite orders).`, '',
  `Model: **${modelName}**. ${items.length} frames (720x576) from photos/sfew-frames in ${ROOT}, 15 per class; the largest detected face per frame is scored, a frame without a face counts as wrong. The official aligned crops exist for ${withCrop.length} of the frames (all in sfew2/Train).`, '',
  '| pipeline | input | n | faces found | accuracy | balanced acc. | photos/s |', '|---|---|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.name} | ${r.what} | ${r.n} | ${r.detected} | ${pct(r.accuracy)}% | ${pct(r.balancedAccuracy)}% | ${r.photosPerSecond ? r.photosPerSecond.toFixed(2) : ''} |`),
  '',
  `cafe predict (pipelined) vs face-api: **${(rows[0].photosPerSecond! / rows[2].photosPerSecond!).toFixed(2)}x** the photos/s.`, '',
  `Detections against the previous detector (BlazeFace on tfjs-wasm), per frame: same number of faces in **${agree.sameCount}/${agree.frames}** frames, same label for every face in **${agree.sameLabels}/${agree.frames}**; largest box/keypoint difference ${agree.maxPixelDiff.toExponential(1)} px, largest score difference ${agree.maxScoreDiff.toExponential(1)}.`,
  '',
].join('\n');
for (const [ext, text] of [['json', JSON.stringify(result, null, 2) + '\n'], ['md', md]] as const) writeAtomic(`${OUT}.${ext}`, text);
console.log(md);
