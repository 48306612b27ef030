// `cafe data inspect` on a fixture with every kind of problem, and integration checks on ../shared/datasets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dataInspect } from '../../src/cli/commands/data-inspect.js';
import { commands } from '../../src/cli/commands/index.js';
import { openDataset } from '../../src/data/index.js';
import { scanImages } from '../../src/data/inspect.js';
import { SHARED, tempDir, write, writeImage } from './fixtures.js';

async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => lines.push(a.join(' '));
  try {
    return { code: await fn(), out: lines.join('\n') };
  } finally {
    console.log = log;
  }
}

test('data inspect: counts, zero-byte, unreadable, all-black, duplicates, contempt', async () => {
  assert.ok(commands.includes(dataInspect));
  const { dir, cleanup } = tempDir();
  try {
    await writeImage(join(dir, 'Train', 'Happy', 'a.png'), { seed: 1 });
    await writeImage(join(dir, 'Train', 'Happy', 'a-copy.png'), { seed: 1 });
    await writeImage(join(dir, 'Train', 'Sad', 'b.jpg'), { format: 'jpeg', channels: 3, w: 20, h: 30 });
    await writeImage(join(dir, 'Val', 'Sad', 'black.png'), { black: true });
    write(join(dir, 'Val', 'Sad', 'zero.png'), '');
    write(join(dir, 'Val', 'Angry', 'junk.png'), 'junk');
    await writeImage(join(dir, 'Val', 'Contempt', 'c.png'));
    const { code, out } = await capture(() => dataInspect.run([`folder:${dir}`, '--quiet']));
    assert.equal(code, 0);
    assert.match(out, /\| happiness \|\s+2 \|\s+0 \|\s+2 \|/);
    assert.match(out, /\| sadness\s+\|\s+1 \|\s+2 \|\s+3 \|/);
    assert.match(out, /contempt \(outside the 7 classes\)\s+\|\s+1/);
    assert.match(out, /\| zero-byte\s+\|\s+1 \|/);
    assert.match(out, /\| unreadable\s+\|\s+1 \|/);
    assert.match(out, /\| all-black\s+\|\s+1 \|/);
    assert.match(out, /Train\/Happy\/a-copy\.png = Train\/Happy\/a\.png/);
    assert.match(out, /\| 20x30\s+\|\s+1 \|/);
    assert.match(out, /3 more skipped by the image scan/);
    const json = JSON.parse((await capture(() => dataInspect.run([`folder:${dir}`, '--json', '--quiet']))).out);
    assert.equal(json.scan.problems.length, 3);
    await assert.rejects(dataInspect.run([`folder:${join(dir, 'nope')}`]), /directory not found/);
  } finally {
    cleanup();
  }
});

const has = (p: string): boolean => existsSync(join(SHARED, p));

test('shared FERPlus: every label.csv row read, counts per mode', async (t) => {
  if (!has('ferplus/FER2013Train/label.csv')) return t.skip(`no FERPlus under ${SHARED} (integration test needs ../shared/datasets)`);
  const expected = { majority: 31222, plurality: 35263, probability: 34748 };
  for (const [mode, n] of Object.entries(expected)) {
    const d = await openDataset(`ferplus:${join(SHARED, 'ferplus')}:mode=${mode}`);
    assert.equal(d.items.length, n, mode);
    assert.equal(d.items.length + d.skipped.length, 28558 + 3579 + 3573);
  }
  const test = await openDataset(`ferplus:${join(SHARED, 'ferplus')}:test`);
  assert.equal(test.items.length, 3122);
  assert.ok(test.items.every((i) => i.split === 'test'));
});

test('shared SFEW Val: the 12 all-black images are reported and skipped', async (t) => {
  if (!has('sfew2/Val')) return t.skip(`no SFEW 2.0 under ${SHARED}`);
  const d = await openDataset(`sfew:${join(SHARED, 'sfew2', 'Val')}`);
  assert.equal(d.items.length, 431);
  const scan = await scanImages(d, { progress: false });
  assert.equal(scan.problems.filter((p) => p.kind === 'all-black').length, 12);
  assert.equal(scan.problems.length, 12);
});

test('shared CK+48: 54 contempt dropped, subject-wise split without overlap', async (t) => {
  if (!has('ckplus48/CK+48')) return t.skip(`no CK+48 under ${SHARED}`);
  const d = await openDataset(`ckplus:${join(SHARED, 'ckplus48')}`);
  assert.equal(d.items.length + d.skipped.length, 981);
  assert.equal(d.skipped.filter((s) => s.reason.startsWith('contempt')).length, 54);
  const train = new Set(d.items.filter((i) => i.split === 'train').map((i) => i.subject));
  const test = new Set(d.items.filter((i) => i.split === 'test').map((i) => i.subject));
  assert.ok(test.size > 0 && train.size > test.size);
  for (const s of test) assert.ok(!train.has(s), `subject ${s} in both splits`);
});
