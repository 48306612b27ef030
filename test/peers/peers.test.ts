// Peers as shipped, mapped to cafe's 7 classes: label mapping by hand, probabilities sum to 1, no tensor leaks; the
// whole-photo face-api pipeline on the expression photos (shared data: skipped when absent).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXPRESSIONS } from '../../src/labels.js';
import { FACEAPI_LABELS, HUMAN_EMOTION_LABELS, peerPredict, toExpressions } from '../../src/peers/index.js';
import { tfReady } from '../../src/runtime/node-packages.js';
import { decodeInput } from '../../src/recognizer/decode.js';
import { datasetsHint, datasetsRoot } from '../../src/util/datasets.js';

const DIR = join(datasetsRoot(), 'photos', 'faceapi-examples');
const SKIP = existsSync(DIR) ? false : datasetsHint();

test('label maps: every peer class lands on its cafe expression', () => {
  const one = (labels: readonly string[], l: string) => toExpressions(labels, labels.map((x) => (x === l ? 1 : 0)));
  assert.equal(EXPRESSIONS[one(FACEAPI_LABELS, 'angry').indexOf(1)], 'anger');
  assert.equal(EXPRESSIONS[one(FACEAPI_LABELS, 'surprised').indexOf(1)], 'surprise');
  assert.equal(EXPRESSIONS[one(FACEAPI_LABELS, 'fearful').indexOf(1)], 'fear');
  assert.equal(EXPRESSIONS[one(HUMAN_EMOTION_LABELS, 'happy').indexOf(1)], 'happiness');
  assert.equal(EXPRESSIONS[one(HUMAN_EMOTION_LABELS, 'disgust').indexOf(1)], 'disgust');
  assert.equal(EXPRESSIONS[one(HUMAN_EMOTION_LABELS, 'neutral').indexOf(1)], 'neutral');
  assert.throws(() => toExpressions(['contempt'], [1]), /contempt/);
});

test('crop peers: 7 probabilities summing to 1, no tfjs tensor leak', async () => {
  const img = { width: 96, height: 96, channels: 3 as const, data: Uint8Array.from({ length: 96 * 96 * 3 }, (_, i) => (i * 7) % 256) };
  const tf = await tfReady();
  for (const p of ['human-emotion', 'faceapi-crop'] as const) await peerPredict(p, img); // load weights first
  const n = tf.memory().numTensors;
  for (const p of ['human-emotion', 'faceapi-crop'] as const) {
    const probs = (await peerPredict(p, img))!;
    assert.equal(probs.length, 7);
    assert.ok(Math.abs(probs.reduce((a, b) => a + b, 0) - 1) < 1e-3, p);
  }
  assert.equal(tf.memory().numTensors, n);
});

test('face-api whole-photo pipeline: expression photos, no face on a blank image', { skip: SKIP }, async () => {
  const { image } = await decodeInput(join(DIR, 'happy.jpg'), 1920);
  const probs = (await peerPredict('faceapi', image))!;
  assert.equal(EXPRESSIONS[probs.indexOf(Math.max(...probs))], 'happiness');
  assert.equal(await peerPredict('faceapi', { width: 200, height: 200, channels: 3, data: new Uint8Array(120000).fill(128) }), null);
});
