// recognizeMany, the pipeline `cafe predict` runs: decodes ahead, batches photos, keeps input order, reports a bad
// input in its own slot and goes on, gives what recognize() gives photo by photo, and drains its decodes on break.
// Photos: face-api's demo/sample*.jpg (they ship with the dependency).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRecognizer, type Recognizer } from '../../src/recognizer/recognizer.js';
import type { Recognition } from '../../src/recognizer/core.js';
import { packageDir } from '../../src/runtime/node-packages.js';
import { CafeError } from '../../src/errors.js';

const DEMO = join(packageDir('@vladmandic/face-api'), 'demo');
const PHOTOS = readdirSync(DEMO).filter((n) => /^sample\d+\.jpg$/.test(n)).sort().map((n) => join(DEMO, n));
let fer: Recognizer;
const one: Recognition[] = [];

before(async () => {
  fer = await createRecognizer();
  for (const p of PHOTOS) one.push(await fer.recognize(p));
});
after(() => fer?.dispose());

function assertSame(a: Recognition, b: Recognition, what: string): void {
  assert.equal(a.faces.length, b.faces.length, what);
  a.faces.forEach((f, i) => {
    assert.ok(Math.abs(f.box.x - b.faces[i].box.x) < 1e-3 && Math.abs(f.detectionScore! - b.faces[i].detectionScore!) < 1e-5, `${what} face ${i} box`);
    for (const [k, v] of Object.entries(f.scores)) assert.ok(Math.abs(v - b.faces[i].scores[k as keyof typeof f.scores]) < 1e-4, `${what} face ${i} ${k}`);
  });
}

for (const [batch, prefetch] of [[1, 2], [3, 1], [4, 0]]) {
  test(`batch ${batch}, prefetch ${prefetch}: input order, recognize()'s results, bad inputs in their own slot`, async () => {
    const inputs: Array<string | Uint8Array> = [PHOTOS[0], '/nonexistent/photo.jpg', ...PHOTOS.slice(1, 4), new Uint8Array([1, 2, 3]), ...PHOTOS.slice(4)];
    const out = [];
    for await (const o of fer.recognizeMany(inputs, { batch, prefetch })) out.push(o);
    assert.deepEqual(out.map((o) => o.index), inputs.map((_, i) => i));
    assert.ok(out.every((o, i) => o.input === inputs[i]));
    assert.ok(out[1].error instanceof CafeError && /nonexistent\/photo\.jpg/.test(out[1].error.message));
    assert.ok(out[5].error instanceof CafeError && /byte buffer/.test(out[5].error.message));
    const good = out.filter((o) => !o.error);
    assert.equal(good.length, PHOTOS.length);
    good.forEach((o, i) => assertSame(o.result!, one[i], PHOTOS[i]));
  });
}

test('crops mode batched: one face per input, the whole image', async () => {
  const out = [];
  for await (const o of fer.recognizeMany(PHOTOS.slice(0, 3), { batch: 2, detect: false })) out.push(o);
  assert.deepEqual(out.map((o) => o.result!.faces.length), [1, 1, 1]);
  assert.equal(out[0].result!.faces[0].detectionScore, null);
});

test('break stops the pipeline (pending decodes drained); bad options are rejected', async () => {
  let n = 0;
  for await (const o of fer.recognizeMany(PHOTOS, { batch: 1, prefetch: 3 })) {
    assert.ok(o.result);
    if (++n === 2) break;
  }
  assert.equal(n, 2);
  await assert.rejects(fer.recognizeMany(PHOTOS, { batch: 0 }).next(), CafeError);
  await assert.rejects(fer.recognizeMany(PHOTOS, { prefetch: -1 }).next(), CafeError);
});
