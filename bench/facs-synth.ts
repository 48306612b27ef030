// Synthetic posed-style training faces (#11 "more diverse sources"; helpers/facs-warp.ts): FER+ train faces whose
// majority label is neutral, warped along FACS action units into anger (or sadness, fear), written as a FER+-layout
// folder (FER2013Train/ + label.csv, 10 votes for the warped class) so that every cafe tool reads it as another
// --train source with FER+'s frame (--reframe works). With pairs (the default) each warped face's unwarped original
// is written beside it with 10 neutral votes: the source then teaches the difference the action units make, and its
// own prior (--logit-adjust-loss) holds neutral as well as the synthetic class.
//
// The folder is cut from research data: write it under runs/ (ignored), never commit it. Resumable: images already
// written are kept (with the gains synth.json recorded for them); label.csv and synth.json are rewritten atomically
// at the end.
// Run: node --import tsx bench/facs-synth.ts [--from SPEC] [--out runs/facs-anger] [--classes anger]
//        [--per-class 1500] [--seed 0] [--no-pairs]
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { nodeRuntime } from '../src/runtime/node.js';
import { openDataset } from '../src/data/index.js';
import { decodeItem } from '../src/features/decode.js';
import { Rng } from '../src/util/rng.js';
import { Progress } from '../src/util/progress.js';
import { writeAtomic } from '../src/util/atomic.js';
import { datasetsRoot } from '../src/util/datasets.js';
import { invalidParameter } from '../src/errors.js';
import { createLandmarker, FACS_TEMPLATES, facsWarp, type FacsClass } from './helpers/facs-warp.js';

// FER+ label.csv vote columns: neutral, happiness, surprise, sadness, anger, disgust, fear, contempt, unknown, NF.
const VOTE_COLUMN: Record<FacsClass | 'neutral', number> = { neutral: 0, sadness: 3, anger: 4, fear: 6 };

const { values } = parseArgs({
  options: {
    from: { type: 'string' },
    out: { type: 'string', default: 'runs/facs-anger' },
    classes: { type: 'string', default: 'anger' },
    'per-class': { type: 'string', default: '1500' },
    seed: { type: 'string', default: '0' },
    'no-pairs': { type: 'boolean', default: false },
  },
});
const from = values.from ?? `ferplus:${datasetsRoot()}/ferplus:train:mode=majority`;
const classes = values.classes!.split(',').map((c) => c.trim());
for (const c of classes) if (!Object.hasOwn(FACS_TEMPLATES, c)) throw invalidParameter('--classes', Object.keys(FACS_TEMPLATES).join(', '), c);
const perClass = Number(values['per-class']);
if (!Number.isInteger(perClass) || perClass < 1) throw invalidParameter('--per-class', 'a positive integer', values['per-class']);
const seed = Number(values.seed);
const pairs = !values['no-pairs'];
const dir = join(values.out!, 'FER2013Train');

const ds = await openDataset(from);
const neutral = ds.items.filter((it) => it.label === 'neutral');
if (neutral.length < perClass * classes.length) throw invalidParameter('--per-class', `at most ${Math.floor(neutral.length / classes.length)} (${neutral.length} neutral faces in ${from})`, perClass);
const rng = new Rng(seed);
rng.shuffle(neutral);

const votes = (c: FacsClass | 'neutral') => Array.from({ length: 10 }, (_, k) => (k === VOTE_COLUMN[c] ? 10 : 0)).join(',');
const png = (img: { width: number; height: number; channels: number; data: Uint8Array }) =>
  sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels as 3 } }).png().toBuffer();

// A resumed run keeps the gains its earlier run measured for the faces it reuses.
const manifestPath = join(values.out!, 'synth.json');
const earlier = new Map<string, number>();
if (existsSync(manifestPath)) {
  for (const f of (JSON.parse(readFileSync(manifestPath, 'utf8')) as { faces?: Array<{ file: string; gain: number | null }> }).faces ?? []) {
    if (f.gain !== null) earlier.set(f.file, f.gain);
  }
}
const mesher = await createLandmarker(nodeRuntime);
const rows: string[] = [];
const manifest: Array<{ file: string; source: string; class: string; intensity: number; gain: number }> = [];
const progress = new Progress(perClass * classes.length, 'facs-synth');
let k = 0, reused = 0, failed = 0;
try {
  for (const cls of classes as FacsClass[]) {
    for (let n = 0; n < perClass; n++, k++) {
      const item = neutral[k];
      const intensity = 0.7 + 0.6 * rng.next(); // drawn for every face, so a resumed run gets the same values
      const name = `s${String(k).padStart(5, '0')}-${cls}.png`;
      const orig = `s${String(k).padStart(5, '0')}-orig.png`;
      try {
        let gain = earlier.get(name) ?? NaN;
        if (existsSync(join(dir, name)) && (!pairs || existsSync(join(dir, orig)))) reused++;
        else {
          const img = await decodeItem(item);
          const warped = facsWarp(img, await mesher.landmarks(img), FACS_TEMPLATES[cls], intensity);
          gain = warped.gain;
          writeAtomic(join(dir, name), await png(warped.image));
          if (pairs) writeAtomic(join(dir, orig), await png(img));
        }
        rows.push(`${name},"(0, 0, 48, 48)",${votes(cls)}`);
        if (pairs) rows.push(`${orig},"(0, 0, 48, 48)",${votes('neutral')}`);
        manifest.push({ file: name, source: item.id, class: cls, intensity: Number(intensity.toFixed(4)), gain: Number(gain.toFixed(4)) });
      } catch (err) {
        failed++;
        console.error(`facs-synth: skipped ${item.id}: ${(err as Error).message}`);
      }
      progress.tick(1, `${reused} reused, ${failed} skipped`);
    }
  }
} finally {
  await mesher.dispose();
}
progress.done();
writeAtomic(join(dir, 'label.csv'), rows.join('\n') + '\n');
writeAtomic(manifestPath, JSON.stringify({ from, classes, perClass, seed, pairs, written: manifest.length, failed, templates: FACS_TEMPLATES, faces: manifest }, null, 1) + '\n');
console.log(`facs-synth: ${manifest.length} synthetic faces${pairs ? ' + their originals' : ''} in ${values.out} (${reused} reused, ${failed} skipped)`);
