// Metrics on hand-made predictions, including a set without neutral (CK+-like).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argmaxRows, score } from '../../src/eval/metrics.js';
import { confusionSvg } from '../../src/eval/report.js';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} vs ${b}`);

test('accuracy, balanced accuracy, macro-F1 and confusion on a hand-made case', () => {
  // truth: 0 0 0 1 1 2 ; pred: 0 0 1 1 1 0
  const s = score([0, 0, 1, 1, 1, 0], [0, 0, 0, 1, 1, 2]);
  close(s.accuracy, 4 / 6);
  // recalls: c0 2/3, c1 2/2, c2 0/1 -> mean over present classes {0,1,2}
  close(s.balancedAccuracy, (2 / 3 + 1 + 0) / 3);
  // precisions: c0 2/3, c1 2/3, c2 0 -> F1: c0 2/3, c1 0.8, c2 0
  close(s.macroF1, (2 / 3 + 0.8 + 0) / 3);
  assert.deepEqual(s.present, [0, 1, 2]);
  assert.deepEqual(s.confusion[0].slice(0, 3), [2, 1, 0]);
  assert.deepEqual(s.confusion[2].slice(0, 3), [1, 0, 0]);
});

test('a set without neutral: predicting neutral is an error, averages skip neutral', () => {
  // truth has classes 1 and 2 only; one prediction is neutral (0)
  const s = score([1, 0, 2, 2], [1, 1, 2, 2]);
  close(s.accuracy, 3 / 4);
  assert.deepEqual(s.present, [1, 2]);
  close(s.balancedAccuracy, (1 / 2 + 1) / 2);
  close(s.macroF1, ((2 * 1 * 0.5) / 1.5 + 1) / 2);
});

test('argmaxRows and the confusion SVG', () => {
  assert.deepEqual(Array.from(argmaxRows(new Float32Array([0, 1, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 9]))), [1, 6]);
  const svg = confusionSvg([[1, 2], [3, 4]], 'x & y');
  assert.match(svg, /^<svg/);
  assert.match(svg, /x &amp; y/);
});

test('pred -1 (no face found) counts as an error for its class and as no class\'s false positive', () => {
  // truth: 0 0 1 1; pred: 0 -1 1 0 -> accuracy 2/4; recall 0: 1/2, recall 1: 1/2; precision 0: 1/2, precision 1: 1/1.
  const s = score([0, -1, 1, 0], [0, 0, 1, 1]);
  assert.equal(s.accuracy, 0.5);
  assert.deepEqual(s.missed.slice(0, 2), [1, 0]);
  assert.equal(s.perClass[0].support, 2);
  assert.equal(s.perClass[0].recall, 0.5);
  assert.equal(s.perClass[0].precision, 0.5);
  assert.equal(s.perClass[1].precision, 1);
  assert.equal(s.balancedAccuracy, 0.5);
  assert.deepEqual(s.confusion[0].slice(0, 2), [1, 0]);
});
