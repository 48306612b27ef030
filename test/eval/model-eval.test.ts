// `cafe eval --model`: an exported model folder scored through the deployed path (the recognizer, onnxruntime only).
// Reference: the labels `cafe predict` gives the same photos (largest face with --detect, the whole image as a crop
// without); a photo without a face counts as an error. Fixture: face-api's sample photos plus a blank-ish photo
// without a face, in class folders of a user dataset (folder:).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import { samplePhotos } from '../../src/recognizer/files.js';
import { cropBox, evaluateModel } from '../../src/eval/model-eval.js';
import { createRecognizer } from '../../src/recognizer/recognizer.js';
import { EXPRESSIONS } from '../../src/labels.js';
import { ALIGN_FRAMES, type AlignOptions } from '../../src/detect/align.js';

let dir: string;
const labelled: Array<{ file: string; label: number }> = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cafe-model-eval-'));
  const classes = ['Happy', 'Neutral', 'Sad'];
  samplePhotos().forEach((f, i) => {
    const cls = classes[i % 3];
    mkdirSync(join(dir, 'data', cls), { recursive: true });
    const file = join(dir, 'data', cls, `s${i}.jpg`);
    copyFileSync(f, file);
    labelled.push({ file, label: EXPRESSIONS.indexOf((['happiness', 'neutral', 'sadness'] as const)[i % 3]) });
  });
  // No face in a smooth gradient: --detect must count it as an error.
  const w = 320, h = 240;
  const px = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) px.fill(40 + ((i % w) * 150) / w, i * 3, i * 3 + 3);
  const file = join(dir, 'data', 'Sad', 'gradient.png');
  await sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toFile(file);
  labelled.push({ file, label: EXPRESSIONS.indexOf('sadness') });
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function reference(detect: boolean, align?: AlignOptions): Promise<Map<string, number>> {
  const fer = await createRecognizer(align ? { align } : {});
  const out = new Map<string, number>();
  for (const { file } of labelled) {
    const r = await fer.recognize(file, { detect });
    const face = r.faces.reduce<(typeof r.faces)[number] | undefined>((a, f) => (!a || f.box.width * f.box.height > a.box.width * a.box.height ? f : a), undefined);
    out.set(file, face ? EXPRESSIONS.indexOf(face.label) : -1);
  }
  await fer.dispose();
  return out;
}

for (const detect of [true, false]) {
  test(`evaluateModel (${detect ? 'detect + align' : 'crops'}) counts exactly what the recognizer predicts`, async () => {
    const ref = await reference(detect);
    const { model, reports } = await evaluateModel(undefined, [`folder:${join(dir, 'data')}`], { detect, progress: false });
    assert.equal(model.name, 'cafe-ferplus');
    const [r] = reports;
    assert.equal(r.scores.n, labelled.length);
    const correct = labelled.filter((l) => ref.get(l.file) === l.label).length;
    assert.equal(r.scores.accuracy, correct / labelled.length);
    const missed = [...ref.values()].filter((p) => p < 0).length;
    assert.equal(r.noFace, detect ? missed : 0);
    if (detect) assert.ok(missed >= 1, 'the gradient has no face');
    assert.equal(r.scores.missed.reduce((a, b) => a + b, 0), r.noFace);
    // Confusion rows hold every scored item that got a prediction.
    assert.equal(r.scores.confusion.flat().reduce((a, b) => a + b, 0), labelled.length - r.noFace);
    assert.ok(r.imagesPerSecond > 0);
  });
}

test('evaluateModel with alignFrame re-frames the detected faces as the recognizer with that frame does', async () => {
  // 'ferplus': not the default model's own frame (sfew), so ignoring alignFrame would show.
  const ref = await reference(true, ALIGN_FRAMES.ferplus);
  const own = await reference(true, ALIGN_FRAMES.sfew);
  assert.notDeepEqual([...ref.values()], [...own.values()], 'the two frames label some photo differently, so the test can tell');
  const { reports } = await evaluateModel(undefined, [`folder:${join(dir, 'data')}`], { detect: true, alignFrame: 'ferplus', progress: false });
  const correct = labelled.filter((l) => ref.get(l.file) === l.label).length;
  assert.equal(reports[0].scores.accuracy, correct / labelled.length);
});

test('cropBox cuts the face box, clamped to the image', () => {
  const img = { width: 4, height: 3, channels: 3 as const, data: Uint8Array.from({ length: 36 }, (_, i) => i) };
  const c = cropBox(img, { x: 1, y: 1, width: 9, height: 5 });
  assert.deepEqual([c.width, c.height], [3, 2]);
  assert.deepEqual([...c.data], [15, 16, 17, 18, 19, 20, 21, 22, 23, 27, 28, 29, 30, 31, 32, 33, 34, 35]);
});

test('cafe eval --model: JSON + Markdown + confusion PNG per target; usage errors exit 2', () => {
  const cli = join(import.meta.dirname, '..', 'recognizer', 'run-cli.mts');
  const out = join(dir, 'report');
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'eval', '--model', 'default', '--target', `folder:${join(dir, 'data')}`, '--detect', '--out', out, '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
  assert.equal(j.targets.length, 1);
  assert.equal(j.targets[0].scores.n, labelled.length);
  assert.match(j.path, /detect/);
  assert.deepEqual(JSON.parse(r.stdout).targets[0].scores.accuracy, j.targets[0].scores.accuracy);
  assert.ok(existsSync(`${out}.md`) && existsSync(`${out}-0-confusion.png`));
  const both = spawnSync(process.execPath, ['--import', 'tsx', cli, 'eval', '--model', 'default', '--run', dir, '--target', 'x'], { encoding: 'utf8' });
  assert.equal(both.status, 2);
  const bad = spawnSync(process.execPath, ['--import', 'tsx', cli, 'eval', '--model', 'default', '--target', 'x', '--limit', '-3'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--limit/);
  for (const extra of [['--align-frame', 'sfew'], ['--detect', '--align-frame', 'cinema']]) {
    const r2 = spawnSync(process.execPath, ['--import', 'tsx', cli, 'eval', '--model', 'default', '--target', `folder:${join(dir, 'data')}`, ...extra], { encoding: 'utf8' });
    assert.equal(r2.status, 2, extra.join(' '));
    assert.match(r2.stderr, /--align-frame/);
  }
  for (const extra of [['--tta-frames', 'ferplus'], ['--detect', '--tta-frames', 'ferplus,cinema']]) {
    const r2 = spawnSync(process.execPath, ['--import', 'tsx', cli, 'eval', '--model', 'default', '--target', `folder:${join(dir, 'data')}`, ...extra], { encoding: 'utf8' });
    assert.equal(r2.status, 2, extra.join(' '));
    assert.match(r2.stderr, /--tta-frames/);
  }
  const onRun = spawnSync(process.execPath, ['--import', 'tsx', cli, 'eval', '--run', dir, '--target', 'x', '--align-frame', 'sfew'], { encoding: 'utf8' });
  assert.equal(onRun.status, 2);
  assert.match(onRun.stderr, /--align-frame, --tta-frames .*go with --model/);
});
