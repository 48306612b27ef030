// Where does BlazeFace put the eyes in FER2013 crops? Calibrates the canonical frame.
import { createFaceDetector } from '../src/detect/blazeface.js';
import { decodeRgb } from '../src/data/image.js';
import { readdirSync } from 'node:fs';
const det = await createFaceDetector({ minScore: 0.5, minSize: 0 });
const dir = '/work/shared/datasets/ferplus/FER2013Test/';
const files = readdirSync(dir).filter(f => f.endsWith('.png')).slice(0, 300);
const ys: number[] = [], ds: number[] = [], xs: number[] = []; let miss = 0;
for (const f of files) {
  const img = { ...(await decodeRgb({ kind: 'file', path: dir + f } as any)), channels: 3 as const };
  const faces = await det.detect(img);
  if (!faces.length) { miss++; continue; }
  const [l, r] = faces[0].landmarks; const W = img.width;
  ys.push((l.y + r.y) / 2 / W); ds.push(Math.hypot(r.x - l.x, r.y - l.y) / W); xs.push((l.x + r.x) / 2 / W);
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log({ n: ys.length, miss, eyeY: med(ys), eyeDistance: med(ds), midX: med(xs) });
