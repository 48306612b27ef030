// The dynamic batcher on a fake worker pool (no model): batches of at most maxBatch, a lone image waits maxWaitMs
// for company, a full queue is a 503 with Retry-After, withdrawn images never reach a worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Batcher } from '../../src/serve/batcher.js';
import { HttpError } from '../../src/serve/http-error.js';
import type { WorkerPool } from '../../src/serve/pool.js';

function fakePool(workers: number, ms: number) {
  const batches: number[] = [];
  let busy = 0;
  const pool = {
    onIdle: () => {},
    get idleCount() { return workers - busy; },
    get readyCount() { return workers; },
    run(items: unknown[]) {
      busy++;
      batches.push(items.length);
      return new Promise((resolve) => setTimeout(() => {
        busy--;
        resolve({ results: items.map(() => ({ ok: true, recognition: { width: 1, height: 1, faces: [] }, decodeMs: 0, detectMs: 0 })), inferenceMs: ms, crops: items.length, workMs: ms });
        queueMicrotask(() => pool.onIdle());
      }, ms));
    },
  };
  return { pool: pool as unknown as WorkerPool, batches };
}

const item = () => ({ bytes: new Uint8Array(1), detect: true });

test('batcher: concurrent images share calls of at most maxBatch', async () => {
  const { pool, batches } = fakePool(1, 20);
  const b = new Batcher(pool, { maxBatch: 4, maxWaitMs: 5, maxQueue: 64 });
  const ac = new AbortController();
  const all = Array.from({ length: 10 }, () => b.submit([item()], ac.signal)[0]);
  const out = await Promise.all(all);
  assert.equal(batches.reduce((a, c) => a + c, 0), 10);
  assert.ok(batches.every((n) => n <= 4), String(batches));
  assert.ok(Math.max(...batches) === 4, String(batches));
  assert.ok(out.every((o) => o.result.ok && o.batchSize >= 1));
});

test('batcher: a lone image waits maxWaitMs for others, then goes alone; maxBatch 1 never waits', async () => {
  const { pool, batches } = fakePool(1, 1);
  const b = new Batcher(pool, { maxBatch: 8, maxWaitMs: 60, maxQueue: 64 });
  const t0 = performance.now();
  const first = b.submit([item()], new AbortController().signal)[0];
  await new Promise((r) => setTimeout(r, 20));
  const second = b.submit([item()], new AbortController().signal)[0];
  const [a] = await Promise.all([first, second]);
  assert.deepEqual(batches, [2]);
  assert.ok(performance.now() - t0 >= 55 && a.queueMs >= 55, `${a.queueMs}`);
  const off = fakePool(1, 1);
  const nb = new Batcher(off.pool, { maxBatch: 1, maxWaitMs: 60, maxQueue: 64 });
  const r = await nb.submit([item()], new AbortController().signal)[0];
  assert.ok(r.queueMs < 30, `${r.queueMs}`);
});

test('batcher: past maxQueue a request is refused whole with 503 + Retry-After', async () => {
  const { pool } = fakePool(1, 30);
  const b = new Batcher(pool, { maxBatch: 1, maxWaitMs: 0, maxQueue: 3 });
  const ac = new AbortController();
  const held = [...b.submit([item()], ac.signal), ...b.submit([item(), item(), item()], ac.signal)]; // 1 to the worker, 3 queued
  assert.equal(b.depth, 3);
  assert.throws(() => b.submit([item()], ac.signal), (e: HttpError) => e.statusCode === 503 && e.code === 'CAFE_QUEUE_FULL' && Number(e.headers['retry-after']) >= 1);
  await Promise.all(held);
  assert.equal(b.depth, 0);
});

test('batcher: an aborted request leaves the queue before reaching a worker', async () => {
  const { pool, batches } = fakePool(1, 30);
  const b = new Batcher(pool, { maxBatch: 1, maxWaitMs: 0, maxQueue: 8 });
  const keep = b.submit([item()], new AbortController().signal)[0]; // occupies the worker
  const ac = new AbortController();
  const gone = b.submit([item(), item()], ac.signal);
  ac.abort(new HttpError(504, 'CAFE_TIMEOUT', 'late'));
  await assert.rejects(gone[0], /late/);
  await assert.rejects(gone[1], /late/);
  await keep;
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(batches, [1]);
});
