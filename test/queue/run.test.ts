// The queue's parts that need no broker: input lists, run ids, one shard's work (with a stand-in recognizer), the
// merge, and the broker URL / unreachable-broker errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { expandQueueInputs, readInputList } from '../../src/queue/inputs.js';
import { jobId, newManifest, runIdOfJob, saveManifest, shardCount, shardJob, shardRecordsPath } from '../../src/queue/run.js';
import { readShardDone, runShard } from '../../src/queue/shard.js';
import { collectRun } from '../../src/queue/collect.js';
import { brokerUrl, connectBroker } from '../../src/queue/broker.js';
import { CSV_HEADER, faceRecords, recordCsv } from '../../src/recognizer/records.js';
import type { Recognition } from '../../src/recognizer/core.js';
import { EXPRESSIONS } from '../../src/labels.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'cafe-queue-unit-'));

/** A stand-in recognition: `n` faces, scores from the file name so each photo's records differ. */
function fakeRecognition(file: string, n: number): Recognition {
  const k = file.length % 7;
  const scores = Object.fromEntries(EXPRESSIONS.map((e, i) => [e, i === k ? 0.7 : 0.05])) as Recognition['faces'][0]['scores'];
  return {
    width: 640, height: 480,
    faces: Array.from({ length: n }, (_, i) => ({ box: { x: 10 * i, y: 5, width: 50.04, height: 60 }, landmarks: [{ x: 1.26, y: 2 }], detectionScore: 0.91234, scores, label: EXPRESSIONS[k], score: 0.7 })),
  };
}

test('readInputList: one entry a line, comments and blanks skipped, relative to the list', () => {
  const dir = tmp();
  try {
    writeFileSync(join(dir, 'a.jpg'), 'x');
    writeFileSync(join(dir, 'list.txt'), '# photos\n\na.jpg\n/abs/b.jpg\r\n  sub/*.png  \n');
    assert.deepEqual(readInputList(join(dir, 'list.txt')), [join(dir, 'a.jpg'), '/abs/b.jpg', join(dir, 'sub/*.png')]);
    const { files, missing } = expandQueueInputs([join(dir, 'list.txt')]);
    assert.deepEqual(files, [join(dir, 'a.jpg')]);
    assert.deepEqual(missing, ['/abs/b.jpg', join(dir, 'sub/*.png')]);
    assert.throws(() => readInputList(join(dir, 'nope.txt')), /nope\.txt: cannot read the input list \(ENOENT\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('run ids: same inputs -> same id; another shard size, order or folder -> another; job ids BullMQ accepts', () => {
  const base = { queue: 'q', out: '/o', cwd: '/c', shardSize: 2, files: ['a', 'b', 'c'], missing: [], options: { crops: false } };
  const m = newManifest(base);
  assert.match(m.runId, /^[0-9a-f]{16}$/);
  assert.equal(newManifest(base).runId, m.runId);
  assert.notEqual(newManifest({ ...base, shardSize: 3 }).runId, m.runId);
  assert.notEqual(newManifest({ ...base, files: ['b', 'a', 'c'] }).runId, m.runId);
  assert.notEqual(newManifest({ ...base, out: '/o2' }).runId, m.runId);
  assert.equal(shardCount(m), 2);
  assert.deepEqual(shardJob(m, 1).files, ['c']);
  const id = jobId(m.runId, 7);
  assert.ok(!id.includes(':') && !/^\d+$/.test(id));
  assert.equal(runIdOfJob(id), m.runId);
});

test('saveManifest: a resubmit of the same run is accepted, another run in the same folder refused', () => {
  const dir = tmp();
  try {
    const base = { queue: 'q', out: dir, cwd: '/c', shardSize: 2, files: ['a', 'b'], missing: [], options: { crops: false } };
    assert.equal(saveManifest(newManifest(base)), 'created');
    assert.equal(saveManifest(newManifest(base)), 'same');
    assert.throws(() => saveManifest(newManifest({ ...base, files: ['a'] })), /holds another queue run/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('runShard: a bad photo fails its item, not the shard; a written shard is reused; collect merges in input order', async () => {
  const dir = tmp();
  try {
    const files = ['p0.jpg', 'bad.jpg', 'p22.jpg', 'none.jpg', 'p4444.jpg'];
    const m = newManifest({ queue: 'q', out: join(dir, 'out'), cwd: dir, shardSize: 2, files, missing: ['gone/*.jpg'], options: { crops: false } });
    saveManifest(m);
    let calls = 0;
    const recognize = async (path: string) => {
      calls++;
      assert.ok(path.startsWith(dir), 'read relative to the submitter folder');
      if (path.endsWith('bad.jpg')) throw new Error(`${path}: cannot decode image`);
      return fakeRecognition(path.slice(dir.length + 1), path.endsWith('none.jpg') ? 0 : path.length % 2 + 1);
    };
    // Collect refuses while shards are missing, or lists them with partial.
    const r0 = await runShard(shardJob(m, 0), recognize, 'w');
    assert.equal(r0.photos, 2);
    assert.deepEqual(r0.failed.map((f) => f.file), ['bad.jpg']);
    assert.throws(() => collectRun(m, { format: 'json' }), /2 of 3 shards not done yet \(first: shard 1\)/);
    assert.deepEqual(collectRun(m, { format: 'json', partial: true }).pending, [1, 2]);
    await runShard(shardJob(m, 2), recognize, 'w');
    await runShard(shardJob(m, 1), recognize, 'w');
    assert.deepEqual(readShardDone(m.out, 1)!.noFace, ['none.jpg']);
    // A second attempt (its worker died after writing, before the ack) finds the shard written: no work, same result.
    const before = calls;
    const again = await runShard(shardJob(m, 1), recognize, 'w2');
    assert.equal(calls, before);
    assert.equal(again.reused, true);
    assert.equal(again.worker, 'w');

    const expected = files.filter((f) => f !== 'bad.jpg').flatMap((f) => faceRecords(f, fakeRecognition(f, f.endsWith('none.jpg') ? 0 : join(dir, f).length % 2 + 1)));
    const json = collectRun(m, { format: 'json' });
    assert.equal(json.text, expected.map((r) => JSON.stringify(r) + '\n').join(''));
    assert.deepEqual(json.failed.map((f) => f.file), ['gone/*.jpg', 'bad.jpg']);
    assert.equal(json.photos, 5);
    const csv = collectRun(m, { format: 'csv' });
    assert.equal(csv.text, [CSV_HEADER, ...expected.map(recordCsv)].map((l) => l + '\n').join(''));

    // A shard file that does not match its done-marker is an error, not a silent short output.
    writeFileSync(shardRecordsPath(m.out, 2), readFileSync(shardRecordsPath(m.out, 2), 'utf8') + readFileSync(shardRecordsPath(m.out, 2), 'utf8'));
    assert.throws(() => collectRun(m, { format: 'json' }), /records, its done-marker says/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('runShard: a shard that cannot be written fails the job (it is retried), and leaves no done-marker', async () => {
  const dir = tmp();
  try {
    const m = newManifest({ queue: 'q', out: join(dir, 'out'), cwd: dir, shardSize: 5, files: ['a.jpg'], missing: [], options: { crops: false } });
    mkdirSync(shardRecordsPath(m.out, 0), { recursive: true });
    await assert.rejects(runShard(shardJob(m, 0), async () => fakeRecognition('a.jpg', 1), 'w'), /EISDIR|directory/);
    assert.equal(readShardDone(m.out, 0), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('broker URL: checked; an unreachable broker fails fast with the URL in the error', async () => {
  assert.throws(() => brokerUrl('http://x'), /redis:\/\/ or rediss:\/\//);
  assert.throws(() => brokerUrl('not a url'), /a URL like redis/);
  const saved = process.env.CAFE_BROKER;
  delete process.env.CAFE_BROKER;
  assert.throws(() => brokerUrl(undefined), /no broker: pass --broker/);
  if (saved !== undefined) process.env.CAFE_BROKER = saved;
  assert.equal(brokerUrl('redis://127.0.0.1:1'), 'redis://127.0.0.1:1');
  // A port with nothing listening (bound then closed).
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  await assert.rejects(connectBroker(`redis://:secret@127.0.0.1:${port}`, { timeoutMs: 500 }), (err: Error) => {
    assert.match(err.message, new RegExp(`cannot reach the broker at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}`));
    assert.doesNotMatch(err.message, /secret/);
    return true;
  });
});
