import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ferplusTarget } from '../../src/data/adapters/ferplus-labels.js';
import { openDataset } from '../../src/data/index.js';
import { tempDir, write, writeImage } from './fixtures.js';

// vote order: neutral, happiness, surprise, sadness, anger, disgust, fear, contempt, unknown, NF
test('FER+ majority: > half of the votes after dropping single votes', () => {
  assert.deepEqual(ferplusTarget([9, 0, 0, 1, 0, 0, 0, 0, 0, 0], 'majority'), { label: 'neutral' });
  // 4 neutral, 3 anger, 2 disgust, 1 sadness -> single vote dropped, 4 of 9 is not a majority
  assert.deepEqual(ferplusTarget([4, 0, 0, 1, 3, 2, 0, 0, 0, 0], 'majority'), { drop: 'no-majority' });
  // 6 neutral, 2 unknown, 1 surprise, 1 sadness -> 6 of 8 after outlier removal
  assert.deepEqual(ferplusTarget([6, 0, 1, 1, 0, 0, 0, 0, 2, 0], 'majority'), { label: 'neutral' });
  assert.deepEqual(ferplusTarget([0, 0, 0, 0, 0, 0, 0, 0, 10, 0], 'majority'), { drop: 'unknown' });
  assert.deepEqual(ferplusTarget([1, 0, 0, 0, 0, 0, 0, 0, 0, 9], 'majority'), { drop: 'not-a-face' });
  assert.deepEqual(ferplusTarget([2, 0, 0, 0, 0, 0, 0, 8, 0, 0], 'majority'), { drop: 'contempt' });
  assert.deepEqual(ferplusTarget([0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 'majority'), { drop: 'no-votes' });
});

test('FER+ plurality: argmax of raw votes, ties to the earlier class', () => {
  assert.deepEqual(ferplusTarget([4, 0, 0, 1, 3, 2, 0, 0, 0, 0], 'plurality'), { label: 'neutral' });
  assert.deepEqual(ferplusTarget([0, 0, 0, 0, 5, 5, 0, 0, 0, 0], 'plurality'), { label: 'anger' });
  assert.deepEqual(ferplusTarget([3, 0, 0, 0, 0, 0, 0, 0, 5, 2], 'plurality'), { drop: 'unknown' });
});

test('FER+ probability: soft label over the 7 classes from the top voted classes', () => {
  const t = ferplusTarget([4, 0, 0, 1, 3, 2, 0, 0, 0, 0], 'probability');
  assert.equal(t.label, 'neutral');
  // single sadness vote dropped (9 left); neutral 4 + anger 3 = 7 >= 75% of 9, so disgust is not taken in
  const soft = t.soft!;
  assert.ok(Math.abs(soft.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  // EXPRESSIONS order: neutral, happiness, sadness, surprise, fear, disgust, anger
  assert.deepEqual(soft.map((v) => +v.toFixed(4)), [0.5714, 0, 0, 0, 0, 0, 0.4286]);
  // contempt share removed, rest renormalised
  const c = ferplusTarget([5, 0, 0, 0, 0, 0, 0, 3, 0, 0], 'probability');
  assert.deepEqual(c, { label: 'neutral', soft: [1, 0, 0, 0, 0, 0, 0] });
  assert.deepEqual(ferplusTarget([2, 0, 0, 0, 0, 0, 0, 0, 8, 0], 'probability'), { drop: 'unknown' });
});

async function ferplusFixture(dir: string, rows: Record<string, string[]>): Promise<void> {
  for (const [folder, lines] of Object.entries(rows)) {
    write(join(dir, folder, 'label.csv'), lines.join('\n') + '\n');
    for (const l of lines) {
      const name = l.split(',')[0];
      if (name && !name.startsWith('missing')) await writeImage(join(dir, folder, name), { w: 48, h: 48, seed: name.length });
    }
  }
}

test('ferplus adapter: splits, modes, missing files skipped, contempt counted', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await ferplusFixture(dir, {
      FER2013Train: ['a.png,"(0, 0, 48, 48)",10,0,0,0,0,0,0,0,0,0', 'b.png,"(0, 0, 48, 48)",0,8,0,0,0,0,0,2,0,0', 'c.png,"(0, 0, 48, 48)",2,0,0,0,0,0,0,8,0,0', 'missing1.png,"(0, 0, 48, 48)",10,0,0,0,0,0,0,0,0,0'],
      FER2013Valid: ['d.png,"(0, 0, 48, 48)",0,0,9,0,0,0,0,0,1,0'],
      FER2013Test: ['e.png,"(0, 0, 48, 48)",4,0,0,1,3,2,0,0,0,0'],
    });
    const all = await openDataset(`ferplus:${dir}`);
    assert.equal(all.name, 'ferplus');
    assert.deepEqual(all.items.map((i) => [i.id, i.split, i.label]), [
      ['FER2013Train/a.png', 'train', 'neutral'],
      ['FER2013Train/b.png', 'train', 'happiness'],
      ['FER2013Valid/d.png', 'valid', 'surprise'],
    ]);
    assert.deepEqual(all.skipped.map((s) => s.reason).sort(), ['label contempt (majority)', 'label no-majority (majority)', 'missing file']);
    const test = await openDataset(`ferplus:${dir}:test:mode=plurality`);
    assert.equal(test.spec, `ferplus:${dir}:test:mode=plurality`);
    assert.deepEqual(test.items.map((i) => i.label), ['neutral']);
    const prob = await openDataset(`ferplus:${dir}:train`, { args: { mode: 'probability' } });
    assert.ok(prob.items.every((i) => i.soft && i.soft.length === 7));
    await assert.rejects(openDataset(`ferplus:${dir}:mode=vote`), /ferplus mode/);
  } finally {
    cleanup();
  }
});

test('ferplus adapter: malformed rows give file:line errors', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await ferplusFixture(dir, { FER2013Test: ['a.png,"(0, 0, 48, 48)",10,0,0,0,0,0,0,0,0,0', 'b.png,"(0, 0, 48, 48)",1,2,3'] });
    await assert.rejects(openDataset(`ferplus:${dir}:test`), (e: Error) => e.message.includes('FER2013Test/label.csv:2') && /12 columns/.test(e.message));
    write(join(dir, 'FER2013Test', 'label.csv'), 'a.png,"(0, 0, 48, 48)",10,0,0,x,0,0,0,0,0,0\n');
    await assert.rejects(openDataset(`ferplus:${dir}:test`), /label\.csv:1: vote count 4 must be a number, got 'x'/);
    write(join(dir, 'FER2013Test', 'label.csv'), 'a.png,"oops",10,0,0,0,0,0,0,0,0,0\n');
    await assert.rejects(openDataset(`ferplus:${dir}:test`), /label\.csv:1: face box/);
    await assert.rejects(openDataset(`ferplus:${join(dir, 'nothing')}`), /not a FERPlus folder/);
  } finally {
    cleanup();
  }
});

test('fer2013 csv and the fer2013new.csv fallback of ferplus', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const px = (v: number): string => Array.from({ length: 2304 }, () => v).join(' ');
    write(join(dir, 'fer2013.csv'), `emotion,pixels,Usage\n0,${px(10)},Training\n3,${px(20)},PublicTest\n6,${px(30)},PrivateTest\n`);
    const d = await openDataset(`fer2013:${dir}`);
    assert.deepEqual(d.items.map((i) => [i.id, i.label, i.split]), [['fer0000000.png', 'anger', 'train'], ['fer0000001.png', 'happiness', 'valid'], ['fer0000002.png', 'neutral', 'test']]);
    assert.equal(d.items[0].source.kind, 'pixels');
    write(join(dir, 'fer2013new.csv'), 'Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF\nTraining,fer0000000.png,0,0,0,0,10,0,0,0,0,0\nPublicTest,,0,0,0,0,0,0,0,0,10,0\nPrivateTest,fer0000002.png,10,0,0,0,0,0,0,0,0,0\n');
    const f = await openDataset(`ferplus:${dir}`);
    assert.deepEqual(f.items.map((i) => [i.id, i.label]), [['fer0000000.png', 'anger'], ['fer0000002.png', 'neutral']]);
    write(join(dir, 'fer2013.csv'), `emotion,pixels,Usage\n9,${px(10)},Training\n`);
    await assert.rejects(openDataset(`fer2013:${dir}`), /fer2013\.csv:2: emotion must be 0-6, got '9'/);
    write(join(dir, 'fer2013.csv'), `emotion,pixels,Usage\n1,1 2 3,Training\n`);
    await assert.rejects(openDataset(`fer2013:${dir}`), /fer2013\.csv:2: pixels must hold 2304 values, got 3/);
  } finally {
    cleanup();
  }
});
