// The picture of bench/facs-synth.ts' action-unit warps (helpers/facs-warp.ts): faces from face-api's packaged,
// MIT-licensed sample photos (no research data), detected and cut in FER+'s frame at 96 px gray, then each row shows
// the face as it is and warped into anger, sadness and fear at intensity 1.
// Run: node --import tsx bench/facs-figure.ts [--out bench/results/facs-synth/warps.png] [--faces 3]
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { nodeRuntime } from '../src/runtime/node.js';
import { alignFace } from '../src/detect/index.js';
import { createRecognizer } from '../src/recognizer/index.js';
import { ALIGN_FRAMES } from '../src/detect/align.js';
import { decodeRgb } from '../src/data/image.js';
import { samplePhotos } from '../src/recognizer/files.js';
import { writeAtomic } from '../src/util/atomic.js';
import { toGray } from '../src/encoders/preprocess.js';
import type { RgbImage } from '../src/encoders/types.js';
import { createLandmarker, FACS_TEMPLATES, facsWarp } from './helpers/facs-warp.js';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'bench/results/facs-synth/warps.png' }, faces: { type: 'string', default: '3' } } });
const want = Number(values.faces);
const S = 96;

// The recognizer finds the faces (it downscales large photos for BlazeFace); the crop is cut here in FER+'s frame.
const recognizer = await createRecognizer();
const mesher = await createLandmarker(nodeRuntime);
const faces: RgbImage[] = [];
for (const photo of samplePhotos()) {
  const img: RgbImage = { ...(await decodeRgb({ kind: 'file', path: photo })), channels: 3 };
  const found = (await recognizer.recognize(photo)).faces;
  for (const face of found.slice(0, 1)) faces.push(toGray(alignFace(img, { box: face.box, landmarks: face.landmarks, score: face.detectionScore ?? 1 }, { size: S, ...ALIGN_FRAMES.ferplus }).image));
  if (faces.length >= want) break;
}
const columns = ['as it is', ...Object.keys(FACS_TEMPLATES)] as const;
const tiles: RgbImage[][] = [];
for (const face of faces) {
  const lm = await mesher.landmarks(face);
  tiles.push([face, ...Object.values(FACS_TEMPLATES).map((t) => facsWarp(face, lm, t, 1).image)]);
}
await recognizer.dispose();
await mesher.dispose();

const head = 20;
const W = columns.length * S, H = head + tiles.length * S;
const canvas = Buffer.alloc(W * H * 3, 255);
tiles.forEach((row, r) => row.forEach((t, c) => {
  for (let y = 0; y < S; y++) t.data.subarray(y * S * 3, (y + 1) * S * 3).forEach((v, i) => (canvas[((head + r * S + y) * W + c * S) * 3 + i] = v));
}));
const labels = columns.map((c, i) => `<text x="${i * S + S / 2}" y="14" font-family="sans-serif" font-size="12" text-anchor="middle">${c}</text>`).join('');
const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${head}">${labels}</svg>`);
// sharp composites after resizing: label at 1x, then enlarge in a second pass.
const labelled = await sharp(canvas, { raw: { width: W, height: H, channels: 3 } }).composite([{ input: svg, top: 0, left: 0 }]).png().toBuffer();
const png = await sharp(labelled).resize(W * 2, H * 2, { kernel: 'nearest' }).png().toBuffer();
writeAtomic(values.out!, png);
console.log(`${values.out}: ${faces.length} faces x ${columns.join(', ')}`);
