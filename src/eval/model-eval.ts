// Scores an exported model folder (what `cafe predict` loads) on labelled datasets through the deployed path: the
// Node recognizer on onnxruntime, with the model's own colour and size handling; no libtorch. Two ways to feed it:
// - crops (default): each item as the dataset ships it (cut to its face box when it has one), like `cafe predict --crops`;
// - detect: the whole image goes through detection + alignment, like `cafe predict` on a photo. The largest face found
//   is scored; an image where no face is found counts as an error (pred -1), so the number is end to end.
import { openDataset } from '../data/index.js';
import { decodeRgb, isBlank } from '../data/image.js';
import type { Box, DatasetItem } from '../data/types.js';
import type { RgbImage } from '../encoders/types.js';
import { EXPRESSIONS } from '../labels.js';
import { createRecognizer, type Recognizer } from '../recognizer/recognizer.js';
import type { AlignFrame, Tta } from '../export/manifest.js';
import { ALIGN_FRAMES, type AlignFrameName } from '../detect/align.js';
import { Progress } from '../util/progress.js';
import { score } from './metrics.js';
import type { TargetReport } from './report.js';

export interface ModelEvalOptions {
  /** Run detection + alignment on each image instead of trusting the dataset's crops. Default false. */
  detect?: boolean;
  /** Test-time augmentation; default the model's own (model.json "tta"). */
  tta?: Tta;
  /** detect only: frame the aligned crops this way (ALIGN_FRAMES) instead of the model's own (model.json "align"):
   *  how a framing choice is measured before it is exported. The crop width stays the model's. */
  alignFrame?: AlignFrameName;
  /** detect only: further frames each face is also cut in (model.json "ttaFrames"); [] = none; default the model's. */
  ttaFrames?: AlignFrame[];
  /** > 0: an evenly spaced subset of about this many labelled items per target (quick checks). Default 0 = all. */
  limit?: number;
  progress?: boolean;
}

export interface ModelTargetReport extends TargetReport {
  /** Labelled items read but not scored (unreadable or all-black images), with the reason. */
  skipped: string[];
  /** detect only: images in which no face was found (counted as errors). */
  noFace: number;
  /** Images scored per second (decode + detection when asked + recognition). */
  imagesPerSecond: number;
}

/** Cuts `box` (clamped to the image) out of `img`. */
export function cropBox(img: RgbImage, box: Box): RgbImage {
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(img.width, Math.ceil(box.x + box.width));
  const y1 = Math.min(img.height, Math.ceil(box.y + box.height));
  if (x1 - x0 < 2 || y1 - y0 < 2) return img;
  const c = img.channels;
  const w = x1 - x0;
  const data = new Uint8Array(w * (y1 - y0) * c);
  for (let y = y0; y < y1; y++) data.set(img.data.subarray((y * img.width + x0) * c, (y * img.width + x1) * c), (y - y0) * w * c);
  return { width: w, height: y1 - y0, channels: c, data };
}

function evenSubset<T>(xs: T[], limit: number): T[] {
  return limit > 0 && xs.length > limit ? xs.filter((_, i) => i % Math.ceil(xs.length / limit) === 0) : xs;
}

async function scoreTarget(fer: Recognizer, spec: string, opts: ModelEvalOptions): Promise<ModelTargetReport> {
  const ds = await openDataset(spec);
  const items: DatasetItem[] = evenSubset(ds.items.filter((i) => i.label !== undefined), opts.limit ?? 0);
  const pred: number[] = [];
  const truth: number[] = [];
  const skipped: string[] = [];
  let noFace = 0;
  const bar = new Progress(items.length, `eval ${ds.spec}${opts.detect ? ' (detect)' : ''}`, { silent: !(opts.progress ?? true) });
  const t0 = performance.now();
  for (const it of items) {
    let img: RgbImage;
    try {
      img = { ...(await decodeRgb(it.source)), channels: 3 };
      if (isBlank(img.data)) throw new Error('blank image');
    } catch (err) {
      skipped.push(`${it.id}: ${(err as Error).message}`);
      bar.tick(1);
      continue;
    }
    const input = !opts.detect && it.box ? cropBox(img, it.box) : img;
    const r = await fer.recognize(input, { detect: opts.detect ?? false });
    const face = r.faces.reduce<(typeof r.faces)[number] | undefined>((a, f) => (!a || f.box.width * f.box.height > a.box.width * a.box.height ? f : a), undefined);
    if (!face) noFace++;
    pred.push(face ? EXPRESSIONS.indexOf(face.label) : -1);
    truth.push(EXPRESSIONS.indexOf(it.label!));
    bar.tick(1);
  }
  bar.done();
  const secs = (performance.now() - t0) / 1000;
  const s = score(pred, truth);
  const absent = EXPRESSIONS.filter((_, c) => !s.present.includes(c));
  const notes: string[] = [];
  if (absent.length) notes.push(`no ${absent.join('/')} in this set: 7-way argmax, predicting ${absent.join('/')} counts as an error; balanced accuracy and macro-F1 over its ${s.present.length} classes`);
  if (opts.detect) notes.push(`detect + align: no face found in ${noFace} of ${pred.length} (counted as errors)`);
  if (skipped.length) notes.push(`${skipped.length} unreadable or blank images left out`);
  return { target: ds.spec, scores: s, note: notes.join('; '), skipped, noFace, imagesPerSecond: pred.length / Math.max(secs, 1e-9) };
}

/** Scores the model folder `modelDir` (default: the shipped model) on every target spec. */
export async function evaluateModel(modelDir: string | undefined, targets: string[], opts: ModelEvalOptions = {}): Promise<{ model: { name: string; dir: string; description?: string }; reports: ModelTargetReport[] }> {
  const fer = await createRecognizer({ model: modelDir, tta: opts.tta, ...(opts.alignFrame ? { align: ALIGN_FRAMES[opts.alignFrame] } : {}), ...(opts.ttaFrames ? { ttaFrames: opts.ttaFrames } : {}) });
  try {
    const reports: ModelTargetReport[] = [];
    for (const spec of targets) reports.push(await scoreTarget(fer, spec, opts));
    const m = fer.model.manifest;
    return { model: { name: m.name, dir: fer.model.dir, ...(m.description ? { description: m.description } : {}) }, reports };
  } finally {
    await fer.dispose();
  }
}
