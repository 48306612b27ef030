// CK+ (CK+48 and full), JAFFE, KDEF, SFEW/MMA/folder adapters on generated fixtures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDataset } from '../../src/data/index.js';
import { tempDir, write, writeImage } from './fixtures.js';

function noSubjectInTwoSplits(items: Array<{ subject?: string; split?: string }>): void {
  const where = new Map<string, string>();
  for (const it of items) {
    const prev = where.get(it.subject!);
    if (prev) assert.equal(prev, it.split, `subject ${it.subject} in ${prev} and ${it.split}`);
    where.set(it.subject!, it.split!);
  }
}

test('ckplus CK+48: class folders, contempt dropped and counted, subject-wise split', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const classes = ['anger', 'contempt', 'disgust', 'happy', 'sadness'];
    for (let s = 10; s < 20; s++) for (const [ci, c] of classes.entries()) for (let f = 1; f <= 3; f++) {
      await writeImage(join(dir, 'CK+48', c, `S0${s}_00${ci + 1}_0000000${f}.png`), { w: 8, h: 8, seed: s * 10 + f });
    }
    const d = await openDataset(`ckplus:${dir}`);
    assert.equal(d.items.length, 10 * 4 * 3);
    assert.equal(d.skipped.length, 30);
    assert.ok(d.skipped.every((s) => s.reason.startsWith('contempt')));
    assert.ok(d.notes.some((n) => n === 'contempt dropped: 30 image(s)'));
    assert.ok(d.items.some((i) => i.label === 'happiness'));
    noSubjectInTwoSplits(d.items);
    assert.equal(new Set(d.items.filter((i) => i.split === 'test').map((i) => i.subject)).size, 2);
    const tr = await openDataset(`ckplus:${dir}:train`);
    const te = await openDataset(`ckplus:${dir}:test`);
    assert.equal(tr.items.length + te.items.length, d.items.length);
    // 5-fold: each subject is in exactly one test fold
    const tested = new Set<string>();
    for (let k = 1; k <= 5; k++) for (const it of (await openDataset(`ckplus:${dir}:test:fold=${k}/5`)).items) tested.add(it.subject!);
    assert.equal(tested.size, 10);
    // another seed gives another split
    const other = await openDataset(`ckplus:${dir}:test:seed=7`);
    assert.notDeepEqual(other.items.map((i) => i.subject), te.items.map((i) => i.subject));
    await writeImage(join(dir, 'CK+48', 'anger', 'bad_name.png'));
    await assert.rejects(openDataset(`ckplus:${dir}`), /bad_name\.png: file name must start with the subject/);
  } finally {
    cleanup();
  }
});

test('ckplus full release: Emotion/ codes, last 3 frames + first as neutral, bad code named', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const seqs: Array<[string, string, number | null]> = [['S005', '001', 3], ['S010', '002', 2], ['S011', '001', null], ['S011', '002', 5]];
    for (const [s, q, code] of seqs) {
      for (let f = 1; f <= 6; f++) await writeImage(join(dir, 'cohn-kanade-images', s, q, `${s}_${q}_0000000${f}.png`), { w: 8, h: 8, seed: f });
      if (code !== null) write(join(dir, 'Emotion', s, q, `${s}_${q}_00000006_emotion.txt`), `   ${code.toExponential(7)}\n`);
      else write(join(dir, 'Emotion', s, q, '.keep'), '');
    }
    const d = await openDataset(`ckplus:${dir}`);
    const byLabel = (l: string): number => d.items.filter((i) => i.label === l).length;
    assert.equal(byLabel('disgust'), 3);
    assert.equal(byLabel('happiness'), 3);
    assert.equal(byLabel('neutral'), 3); // first frames of the 3 labelled sequences (a contempt onset is neutral too)
    assert.equal(d.skipped.length, 3); // S010 contempt: its 3 peak frames
    assert.ok(d.items.filter((i) => i.label === 'disgust').every((i) => /0000000[456]\.png$/.test(i.id)));
    write(join(dir, 'Emotion', 'S005', '001', 'S005_001_00000006_emotion.txt'), '9\n');
    await assert.rejects(openDataset(`ckplus:${dir}`), /S005_001_00000006_emotion\.txt:1: emotion code must be 0-7, got '9'/);
  } finally {
    cleanup();
  }
});

test('jaffe: XX.YYn.NNN.tiff names, subject split, unknown code named', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const subjects = ['KA', 'KL', 'KM', 'KR', 'MK', 'NA', 'NM', 'TM', 'UY', 'YM'];
    const codes = ['AN', 'DI', 'FE', 'HA', 'NE', 'SA', 'SU'];
    let n = 1;
    for (const s of subjects) for (const c of codes) await writeImage(join(dir, 'jaffe', `${s}.${c}1.${n++}.tiff`), { format: 'tiff', w: 8, h: 8, seed: n });
    write(join(dir, 'jaffe', 'README'), 'x');
    const d = await openDataset(`jaffe:${dir}`);
    assert.equal(d.items.length, 70);
    assert.equal(d.items.find((i) => i.id.startsWith('KA.FE'))!.label, 'fear');
    noSubjectInTwoSplits(d.items);
    assert.equal(new Set(d.items.filter((i) => i.split === 'test').map((i) => i.subject)).size, 2);
    await writeImage(join(dir, 'jaffe', 'KA.XX1.99.tiff'), { format: 'tiff', w: 8, h: 8 });
    await assert.rejects(openDataset(`jaffe:${dir}`), /KA\.XX1\.99\.tiff: expression code 'XX'/);
  } finally {
    cleanup();
  }
});

test('kdef: codes, both sessions one subject, angle filter', async () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const sess of ['A', 'B']) for (const p of ['F01', 'F02', 'M01', 'M02', 'M03']) for (const e of ['AF', 'HA', 'NE']) for (const a of ['S', 'HL']) {
      await writeImage(join(dir, 'KDEF', `${sess}${p}`, `${sess}${p}${e}${a}.JPG`), { format: 'jpeg', w: 8, h: 8, channels: 3 });
    }
    const d = await openDataset(`kdef:${dir}`);
    assert.equal(d.items.length, 2 * 5 * 3 * 2);
    assert.equal(d.items.find((i) => i.id.endsWith('AF01AFS.JPG'))!.label, 'fear');
    assert.equal(d.items.find((i) => i.id.endsWith('BM03HAHL.JPG'))!.subject, 'M03');
    noSubjectInTwoSplits(d.items);
    const front = await openDataset(`kdef:${dir}:angles=S`);
    assert.equal(front.items.length, 30);
    await writeImage(join(dir, 'KDEF', 'AF01', 'AF01XXS.JPG'), { format: 'jpeg', w: 8, h: 8, channels: 3 });
    await assert.rejects(openDataset(`kdef:${dir}`), /AF01XXS\.JPG: expression code 'XX'/);
  } finally {
    cleanup();
  }
});

test('sfew / mma / folder: split and class folders by synonym', async () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const split of ['Train', 'Val']) for (const c of ['Angry', 'Happy', 'Sad', 'Contempt', 'Misc']) await writeImage(join(dir, 'sfew', split, c, `${split}${c}.png`), { channels: 3 });
    const d = await openDataset(`sfew:${join(dir, 'sfew')}`);
    assert.deepEqual(d.items.map((i) => [i.split, i.label]), [['train', 'anger'], ['train', 'happiness'], ['train', 'sadness'], ['valid', 'anger'], ['valid', 'happiness'], ['valid', 'sadness']]);
    assert.equal(d.skipped.filter((s) => s.reason.startsWith('contempt')).length, 2);
    assert.equal(d.skipped.filter((s) => s.reason.includes("'Misc'")).length, 2);
    const val = await openDataset(`sfew:${join(dir, 'sfew', 'Val')}`);
    assert.ok(val.items.length === 3 && val.items.every((i) => i.split === 'valid'));
    for (const split of ['train', 'valid', 'test']) for (const c of ['angry', 'neutral']) await writeImage(join(dir, 'mma', split, c, 'x.jpg'), { format: 'jpeg', channels: 3 });
    assert.equal((await openDataset(`mma:${join(dir, 'mma')}:test`)).items.length, 2);
    await writeImage(join(dir, 'flat', 'a', 'b', 'img.png'));
    const flat = await openDataset(`folder:${join(dir, 'flat')}`);
    assert.deepEqual(flat.items.map((i) => [i.id, i.label]), [['a/b/img.png', undefined]]);
    await assert.rejects(openDataset(`sfew:${join(dir, 'flat')}`), /class folders/);
    await assert.rejects(openDataset(`sfew:${join(dir, 'none')}`), /directory not found/);
  } finally {
    cleanup();
  }
});
