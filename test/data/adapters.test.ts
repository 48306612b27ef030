// RAF-DB, AffectNet, ExpW, CSV adapters on generated fixtures in their real layouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDataset } from '../../src/data/index.js';
import { tempDir, write, writeImage } from './fixtures.js';

test('rafdb: labels 1-7, aligned names, split from prefix, errors name file:line', async () => {
  const { dir, cleanup } = tempDir();
  try {
    write(join(dir, 'EmoLabel', 'list_patition_label.txt'), 'train_00001.jpg 1\ntrain_00002.jpg 4\ntest_0001.jpg 7\ntest_0002.jpg 5\n');
    for (const n of ['train_00001', 'train_00002', 'test_0001']) await writeImage(join(dir, 'Image', 'aligned', `${n}_aligned.jpg`), { format: 'jpeg', channels: 3 });
    const d = await openDataset(`rafdb:${dir}`);
    assert.deepEqual(d.items.map((i) => [i.id, i.label, i.split]), [['train_00001.jpg', 'surprise', 'train'], ['train_00002.jpg', 'happiness', 'train'], ['test_0001.jpg', 'neutral', 'test']]);
    assert.deepEqual(d.skipped, [{ id: 'test_0002.jpg', reason: 'missing file' }]);
    assert.ok(d.items[0].source.kind === 'file' && d.items[0].source.path.endsWith('Image/aligned/train_00001_aligned.jpg'));
    assert.equal((await openDataset(`rafdb:${dir}:test`)).items.length, 1);
    write(join(dir, 'EmoLabel', 'list_patition_label.txt'), 'train_00001.jpg 1\ntrain_00002.jpg 8\n');
    await assert.rejects(openDataset(`rafdb:${dir}`), /list_patition_label\.txt:2: label must be 1-7, got '8'/);
    write(join(dir, 'EmoLabel', 'list_patition_label.txt'), 'train_00001.jpg\n');
    await assert.rejects(openDataset(`rafdb:${dir}`), /list_patition_label\.txt:1: expected/);
  } finally {
    cleanup();
  }
});

test('affectnet: 7 basic classes kept, contempt/none/uncertain/no-face dropped, box + landmarks', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const header = 'subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,valence,arousal';
    write(join(dir, 'training.csv'), `${header}\n1/a.jpg,2,3,10,12,1;2;3;4,1,0.5,0.1\n1/b.jpg,0,0,16,16,,7,0,0\n1/c.jpg,0,0,16,16,,9,0,0\n2/missing.jpg,0,0,16,16,,0,0,0\n`);
    write(join(dir, 'validation.csv'), `${header}\n2/d.jpg,0,0,16,16,,6,0,0\n`);
    for (const p of ['1/a.jpg', '1/b.jpg', '1/c.jpg', '2/d.jpg']) await writeImage(join(dir, 'Manually_Annotated_Images', p), { format: 'jpeg', channels: 3 });
    const d = await openDataset(`affectnet:${dir}`);
    assert.deepEqual(d.items.map((i) => [i.id, i.label, i.split]), [['1/a.jpg', 'happiness', 'train'], ['2/d.jpg', 'anger', 'test']]);
    assert.deepEqual(d.items[0].box, { x: 2, y: 3, width: 10, height: 12 });
    assert.deepEqual(d.items[0].landmarks, [[1, 2], [3, 4]]);
    assert.deepEqual(d.skipped.map((s) => s.reason), ['contempt (outside the 7 classes)', 'label uncertain', 'missing file']);
    assert.deepEqual((await openDataset(`affectnet:${dir}:test`)).items.map((i) => i.id), ['2/d.jpg']);
    write(join(dir, 'validation.csv'), `${header}\n2/d.jpg,0,0,16,16,,12,0,0\n`);
    await assert.rejects(openDataset(`affectnet:${dir}:test`), /validation\.csv:2: expression must be 0-10, got '12'/);
  } finally {
    cleanup();
  }
});

test('expw: faces cropped by box, split by source image, bad rows named', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const lines = [];
    for (let i = 0; i < 10; i++) {
      await writeImage(join(dir, 'image', 'origin', `img${i}.jpg`), { w: 40, h: 40, format: 'jpeg', channels: 3, seed: i });
      lines.push(`img${i}.jpg 0 5 6 30 35 80.5 ${i % 7}`, `img${i}.jpg 1 1 1 20 20 60.0 3`);
    }
    write(join(dir, 'label', 'label.lst'), lines.join('\n') + '\n');
    const d = await openDataset(`expw:${dir}`);
    assert.equal(d.items.length, 20);
    assert.deepEqual(d.items[0].box, { x: 6, y: 5, width: 24, height: 30 });
    assert.equal(d.items[0].label, 'anger');
    for (const it of d.items) assert.equal(it.split, d.items.find((o) => o.subject === it.subject && o !== it)!.split);
    const test = await openDataset(`expw:${dir}:test`);
    assert.equal(test.items.length, 4); // 2 of 10 source images, 2 faces each
    write(join(dir, 'label', 'label.lst'), 'img0.jpg 0 5 6 30 35 80.5 7\n');
    await assert.rejects(openDataset(`expw:${dir}`), /label\.lst:1: expression_label must be 0-6, got '7'/);
    write(join(dir, 'label', 'label.lst'), 'img0.jpg 0 5 6 30\n');
    await assert.rejects(openDataset(`expw:${dir}`), /label\.lst:1: expected 8 fields/);
  } finally {
    cleanup();
  }
});

test('csv: words, synonyms or indices; contempt skipped; unknown label names file:line', async () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const n of ['a', 'b', 'c', 'd', 'e']) await writeImage(join(dir, 'img', `${n}.png`));
    write(join(dir, 'labels.csv'), 'path,label,split,subject\nimg/a.png,Angry,train,p1\nimg/b.png,1,test,p2\nimg/c.png,contempt\nimg/d.png,\nimg/zz.png,sad\n');
    const d = await openDataset(`csv:${join(dir, 'labels.csv')}`);
    assert.deepEqual(d.items.map((i) => [i.id, i.label, i.split, i.subject]), [['img/a.png', 'anger', 'train', 'p1'], ['img/b.png', 'happiness', 'test', 'p2'], ['img/d.png', undefined, undefined, undefined]]);
    assert.deepEqual(d.skipped.map((s) => s.reason), ['contempt (outside the 7 classes)', 'missing file']);
    write(join(dir, 'labels.csv'), 'img/a.png,happy\nimg/b.png,grumpy\n');
    await assert.rejects(openDataset(`csv:${join(dir, 'labels.csv')}`), /labels\.csv:2: label 'grumpy' is not an expression/);
    write(join(dir, 'labels.csv'), 'img/a.png,9\n');
    await assert.rejects(openDataset(`csv:${join(dir, 'labels.csv')}`), /labels\.csv:1: label index must be 0-6/);
    await assert.rejects(openDataset(`csv:${join(dir, 'nope.csv')}`), /nope\.csv: file not found/);
  } finally {
    cleanup();
  }
});
