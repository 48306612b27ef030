// Limits that need their own server settings: the bounded queue (503 + Retry-After), the per-request deadline
// (504), the optional API key (401; probes and the API description stay open), options validation, and
// `cafe serve` itself: loopback by default, SIGTERM lets the request in flight finish and exits 0.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createServer, type CafeServer } from '../../src/serve/app.js';
import { resolveServeOptions } from '../../src/serve/options.js';
import { post, smallFacePhoto } from './fixtures.js';

const KEY = 'test-key-0123456789';
const auth = { authorization: `Bearer ${KEY}` };
let server: CafeServer;
let url: string;
let photo: Buffer;

before(async () => {
  photo = await smallFacePhoto();
  server = await createServer({ port: 0, workers: 1, maxBatch: 1, maxQueue: 2, maxImagesPerRequest: 2, apiKey: KEY });
  url = await server.listen();
});

after(async () => {
  await server?.close();
});

test('API key: 401 without or with a wrong key (before the body is read), 200 with it', async () => {
  const none = await post(`${url}/v1/recognize`, photo, 'image/jpeg');
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('www-authenticate'), 'Bearer');
  assert.equal((await none.json()).code, 'CAFE_UNAUTHORIZED');
  const wrong = await post(`${url}/v1/recognize`, photo, 'image/jpeg', { authorization: 'Bearer nope-nope-nope' });
  assert.equal(wrong.status, 401);
  assert.equal((await fetch(`${url}/v1/model`)).status, 401);
  assert.equal((await fetch(`${url}/metrics`)).status, 401);
  assert.equal((await fetch(`${url}/metrics`, { headers: auth })).status, 200);
  const ok = await post(`${url}/v1/recognize`, photo, 'image/jpeg', auth);
  assert.equal(ok.status, 200);
});

test('API key: /healthz, /readyz and /openapi.json stay open', async () => {
  for (const p of ['/healthz', '/readyz', '/openapi.json']) assert.equal((await fetch(`${url}${p}`)).status, 200, p);
  const doc = await (await fetch(`${url}/openapi.json`)).json();
  assert.deepEqual(doc.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer', description: 'only when the server was started with an API key' });
});

test('bounded queue: past maxQueue requests get 503 with Retry-After, the rest are answered, then the server recovers', async () => {
  const rs = await Promise.all(Array.from({ length: 10 }, () => post(`${url}/v1/recognize`, photo, 'image/jpeg', auth)));
  const codes = rs.map((r) => r.status);
  assert.ok(codes.every((c) => c === 200 || c === 503), String(codes));
  assert.ok(codes.filter((c) => c === 503).length >= 1, `no 503 in ${codes}`);
  assert.ok(codes.filter((c) => c === 200).length >= 3, `too few 200 in ${codes}`);
  const busy = rs.find((r) => r.status === 503)!;
  assert.ok(Number(busy.headers.get('retry-after')) >= 1);
  const j = await busy.json();
  assert.equal(j.code, 'CAFE_QUEUE_FULL');
  assert.match(j.message, /maxQueue 2/);
  await Promise.all(rs.filter((r) => r !== busy).map((r) => r.arrayBuffer()));
  assert.equal((await post(`${url}/v1/recognize`, photo, 'image/jpeg', auth)).status, 200);
  const t = await (await fetch(`${url}/metrics`, { headers: auth })).text();
  assert.match(t, /cafe_errors_total\{code="CAFE_QUEUE_FULL"\} [1-9]/);
  assert.match(t, /^cafe_queue_depth 0$/m);
});

test('per-request deadline: 504 naming timeoutMs; the worker lives on', async () => {
  const quick = await createServer({ port: 0, workers: 1, timeoutMs: 1 });
  try {
    const u = await quick.listen();
    for (let i = 0; i < 2; i++) {
      const r = await post(`${u}/v1/recognize`, photo, 'image/jpeg');
      assert.equal(r.status, 504);
      const j = await r.json();
      assert.equal(j.code, 'CAFE_TIMEOUT');
      assert.match(j.message, /1 ms \(timeoutMs\)/);
    }
    assert.equal((await fetch(`${u}/readyz`)).status, 200);
  } finally {
    await quick.close();
  }
});

test('a model folder that is not one: createServer rejects naming it', async () => {
  await assert.rejects(createServer({ port: 0, workers: 2, model: '/nonexistent/model-folder' }), /\/nonexistent\/model-folder.*not a cafe model folder/);
});

test('options are validated', () => {
  assert.throws(() => resolveServeOptions({ maxBatch: 0 }), /maxBatch/);
  assert.throws(() => resolveServeOptions({ port: 70000 }), /port/);
  assert.throws(() => resolveServeOptions({ apiKey: 'short' }), /apiKey/);
  assert.throws(() => resolveServeOptions({ maxQueue: 4, maxImagesPerRequest: 8 }), /maxQueue/);
  assert.equal(resolveServeOptions({}).host, '127.0.0.1');
});

test('cafe serve: binds 127.0.0.1, answers, and on SIGTERM finishes the request in flight and exits 0', async () => {
  const cli = join(import.meta.dirname, '..', 'recognizer', 'run-cli.mts');
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', '--port', '0', '--workers', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const u = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no URL within 60 s: ${stderr}`)), 60_000);
      child.stderr.on('data', () => {
        const m = /on (http:\/\/[^\s]+) /.exec(stderr);
        if (m) {
          clearTimeout(t);
          resolve(m[1]);
        }
      });
    });
    assert.match(u, /^http:\/\/127\.0\.0\.1:\d+$/);
    const inflight = post(`${u}/v1/recognize`, photo, 'image/jpeg');
    // SIGTERM once the photo is in the server (queued or in a worker), not merely sent.
    for (let i = 0; i < 500; i++) {
      const m = await (await fetch(`${u}/metrics`)).text();
      if (/^cafe_workers_busy [1-9]/m.test(m) || /^cafe_queue_depth [1-9]/m.test(m)) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGTERM');
    const r = await inflight;
    assert.equal(r.status, 200);
    assert.ok((await r.json()).result.faces.length >= 1);
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /SIGTERM: finishing requests in flight/);
    assert.match(stderr, /stopped/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
