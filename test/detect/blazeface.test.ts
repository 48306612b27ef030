// Detection on the face-api example photos (shared research data: skipped when absent) and on generated images.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createFaceDetector, type FaceDetector } from '../../src/detect/blazeface.js';
import { nodeRuntime } from '../../src/runtime/node.js';
import { decodeInput } from '../../src/recognizer/decode.js';
import { datasetsHint, datasetsRoot } from '../../src/util/datasets.js';
import { CafeError } from '../../src/errors.js';

const DIR = join(datasetsRoot(), 'photos', 'faceapi-examples');
const SKIP = existsSync(DIR) ? false : datasetsHint();
let det: FaceDetector;
before(async () => {
  det = await createFaceDetector({}, nodeRuntime);
});
after(() => det?.dispose());

test('one face in each single-face expression photo, eyes inside the box, right eye on the image left', { skip: SKIP }, async () => {
  for (const f of ['angry', 'disgusted', 'fearful', 'happy', 'neutral', 'sad', 'surprised']) {
    const { image } = await decodeInput(join(DIR, `${f}.jpg`), 1920);
    const faces = await det.detect(image);
    assert.equal(faces.length, 1, f);
    const [r, l] = faces[0].landmarks;
    const b = faces[0].box;
    assert.ok(r.x < l.x, `${f}: right eye left of left eye`);
    for (const p of [r, l]) assert.ok(p.x > b.x && p.x < b.x + b.width && p.y > b.y && p.y < b.y + b.height, `${f}: eye in box`);
  }
});

test('group photos: several faces, thresholds filter', { skip: SKIP }, async () => {
  const { image } = await decodeInput(join(DIR, 'bbt4.jpg'), 1920);
  assert.equal((await det.detect(image)).length, 6);
  const strict = await createFaceDetector({ minSize: 100 }, nodeRuntime);
  try {
    const big = await strict.detect(image);
    assert.ok(big.length >= 1 && big.length < 6 && big.every((f) => f.box.width >= 100));
  } finally {
    await strict.dispose();
  }
});

test('blank, tiny and gray images: no face', async () => {
  assert.deepEqual(await det.detect({ width: 32, height: 32, channels: 3, data: new Uint8Array(32 * 32 * 3) }), []);
  assert.deepEqual(await det.detect({ width: 640, height: 480, channels: 3, data: new Uint8Array(640 * 480 * 3).fill(128) }), []);
  assert.deepEqual(await det.detect({ width: 1, height: 1, channels: 1, data: new Uint8Array(1) }), []);
});

test('bad detector options are rejected', async () => {
  await assert.rejects(createFaceDetector({ minScore: 2 }, nodeRuntime), CafeError);
  await assert.rejects(createFaceDetector({ maxFaces: 0 }, nodeRuntime), CafeError);
  await assert.rejects(createFaceDetector({ modelPath: '/nonexistent/blazeface.json' }, nodeRuntime), /not found/);
});
