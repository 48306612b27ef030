import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpec, formatSpec } from '../../src/data/spec.js';
import { nameClass } from '../../src/data/label-names.js';
import { Rng } from '../../src/util/rng.js';
import { assignSubjects, subjectSplitFromArgs } from '../../src/data/split.js';
import { openDataset } from '../../src/data/index.js';

test('parseSpec: adapter, path, split word and key=value arguments', () => {
  assert.deepEqual(parseSpec('ferplus:/data/ferplus:test'), { adapter: 'ferplus', path: '/data/ferplus', split: 'test', args: {} });
  assert.deepEqual(parseSpec('sfew:/data/sfew2/Val'), { adapter: 'sfew', path: '/data/sfew2/Val', split: undefined, args: {} });
  assert.deepEqual(parseSpec('ckplus:/d/ck:train:fold=2/10:seed=3'), { adapter: 'ckplus', path: '/d/ck', split: 'train', args: { fold: '2/10', seed: '3' } });
  assert.equal(parseSpec('rafdb:./r:val').split, 'valid');
  // a colon inside the path survives when the tail is not a split or key=value
  assert.equal(parseSpec('folder:/a:b/c').path, '/a:b/c');
  assert.equal(formatSpec(parseSpec('ferplus:/x:test:mode=plurality')), 'ferplus:/x:test:mode=plurality');
  assert.throws(() => parseSpec('nocolon'), /Expected 'adapter:PATH/);
});

test('openDataset: unknown adapter names the known ones', async () => {
  await assert.rejects(openDataset('nope:/tmp'), /one of .*ferplus.* for dataset adapter but received 'nope'/);
});

test('class names map by synonym; contempt is known but outside the space', () => {
  assert.deepEqual(nameClass('Angry'), { kind: 'expression', expression: 'anger' });
  assert.deepEqual(nameClass('Sad'), { kind: 'expression', expression: 'sadness' });
  assert.deepEqual(nameClass('happy'), { kind: 'expression', expression: 'happiness' });
  assert.deepEqual(nameClass('3_Surprised'), { kind: 'expression', expression: 'surprise' });
  assert.deepEqual(nameClass('contempt'), { kind: 'contempt' });
  assert.deepEqual(nameClass('other'), { kind: 'unknown' });
});

test('Rng is deterministic per seed and roughly uniform/normal', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const xs = Array.from({ length: 1000 }, () => a.next());
  assert.deepEqual(xs, Array.from({ length: 1000 }, () => b.next()));
  assert.notDeepEqual(xs.slice(0, 5), Array.from({ length: 5 }, () => new Rng(43).next()));
  const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05);
  const r = new Rng(1);
  const ns = Array.from({ length: 4000 }, () => r.normal());
  const m = ns.reduce((s, v) => s + v, 0) / ns.length;
  const v = ns.reduce((s, x) => s + (x - m) ** 2, 0) / ns.length;
  assert.ok(Math.abs(m) < 0.06 && Math.abs(v - 1) < 0.08, `mean ${m} var ${v}`);
});

test('subject split: deterministic, disjoint, k folds cover every subject once', () => {
  const subjects = Array.from({ length: 23 }, (_, i) => `S${i}`);
  const s1 = assignSubjects(subjects, subjectSplitFromArgs({}));
  const s2 = assignSubjects([...subjects].reverse(), subjectSplitFromArgs({}));
  assert.deepEqual([...s1].sort(), [...s2].sort());
  assert.equal([...s1.values()].filter((v) => v === 'test').length, 5); // round(23 * 0.2)
  const seen = new Map<string, number>();
  for (let i = 1; i <= 5; i++) {
    for (const [s, split] of assignSubjects(subjects, subjectSplitFromArgs({ fold: `${i}/5` }))) if (split === 'test') seen.set(s, (seen.get(s) ?? 0) + 1);
  }
  assert.equal(seen.size, 23);
  assert.ok([...seen.values()].every((n) => n === 1));
  assert.throws(() => subjectSplitFromArgs({ fold: '6/5' }), /fold/);
  assert.throws(() => subjectSplitFromArgs({ testFraction: '1.5' }), /testFraction/);
});
