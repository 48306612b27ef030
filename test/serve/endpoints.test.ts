// Every endpoint of `cafe serve` on an ephemeral loopback port: recognize (raw, multipart, JSON base64, data URL,
// ?detect=false) against in-process recognize() on the same bytes, batch, model, health, readiness, metrics, the
// OpenAPI document, dynamic batching (concurrent requests share a model call), and a graceful close with a request
// in flight.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type CafeServer } from '../../src/serve/app.js';
import { createRecognizer } from '../../src/recognizer/recognizer.js';
import type { Recognition } from '../../src/recognizer/core.js';
import { EXPRESSIONS } from '../../src/labels.js';
import { blobOf, faceCrop, post, sample, smallFacePhoto } from './fixtures.js';

let server: CafeServer;
let url: string;
let photo: Buffer;
let crop: Buffer;
let reference: Recognition;
let referenceCrop: Recognition;

before(async () => {
  [photo, crop] = await Promise.all([smallFacePhoto(), faceCrop()]);
  // maxWaitMs long enough that concurrent test requests reliably meet in one batch.
  server = await createServer({ port: 0, workers: 1, maxBatch: 4, maxWaitMs: 150 });
  url = await server.listen();
  const fer = await createRecognizer({ threads: 1 });
  reference = await fer.recognize(photo);
  referenceCrop = await fer.recognize(crop, { detect: false });
  await fer.dispose();
});

after(async () => {
  await server?.close();
});

function sameAsReference(got: Recognition, want: Recognition) {
  assert.equal(got.width, want.width);
  assert.equal(got.height, want.height);
  assert.equal(got.faces.length, want.faces.length);
  got.faces.forEach((f, i) => {
    assert.equal(f.label, want.faces[i].label);
    for (const e of EXPRESSIONS) assert.ok(Math.abs(f.scores[e] - want.faces[i].scores[e]) < 1e-5, `${e}: ${f.scores[e]} vs ${want.faces[i].scores[e]}`);
    assert.ok(Math.abs(f.box.x - want.faces[i].box.x) < 1e-3);
  });
}

test('binds to loopback by default', () => {
  assert.equal(server.options.host, '127.0.0.1');
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
});

test('POST /v1/recognize, raw image/jpeg: the result of in-process recognize(), model name and timings', async () => {
  const r = await post(`${url}/v1/recognize`, photo, 'image/jpeg');
  assert.equal(r.status, 200);
  const j = await r.json();
  assert.ok(reference.faces.length >= 1, 'the fixture has a face');
  sameAsReference(j.result, reference);
  assert.equal(j.model, server.model.name);
  for (const k of ['queueMs', 'decodeMs', 'detectMs', 'inferenceMs', 'totalMs']) assert.ok(j.timings[k] >= 0, k);
  assert.ok(j.timings.totalMs >= j.timings.inferenceMs);
  const f = j.result.faces[0];
  assert.ok(EXPRESSIONS.includes(f.label));
  assert.ok(Math.abs(EXPRESSIONS.reduce((s, e) => s + f.scores[e], 0) - 1) < 1e-4);
  assert.equal(f.landmarks.length, 6);
});

test('POST /v1/recognize, multipart/form-data and JSON base64 (plain and data: URL) give the same result', async () => {
  const fd = new FormData();
  fd.append('image', blobOf(photo, 'image/jpeg'), 'photo.jpg');
  const a = await fetch(`${url}/v1/recognize`, { method: 'POST', body: fd });
  assert.equal(a.status, 200);
  sameAsReference((await a.json()).result, reference);
  const b = await post(`${url}/v1/recognize`, JSON.stringify({ image: photo.toString('base64') }), 'application/json');
  assert.equal(b.status, 200);
  sameAsReference((await b.json()).result, reference);
  const c = await post(`${url}/v1/recognize`, JSON.stringify({ image: `data:image/jpeg;base64,${photo.toString('base64')}` }), 'application/json');
  assert.equal(c.status, 200);
  sameAsReference((await c.json()).result, reference);
});

test('POST /v1/recognize?detect=false scores the whole image as one crop', async () => {
  const r = await post(`${url}/v1/recognize?detect=false`, crop, 'image/png');
  assert.equal(r.status, 200);
  const j = await r.json();
  sameAsReference(j.result, referenceCrop);
  assert.deepEqual(j.result.faces[0].box, { x: 0, y: 0, width: 96, height: 96 });
  assert.equal(j.result.faces[0].detectionScore, null);
  assert.equal((await post(`${url}/v1/recognize?detect=maybe`, crop, 'image/png')).status, 400);
});

test('POST /v1/recognize/batch: JSON and multipart; a bad image fails its own entry only', async () => {
  const r = await post(`${url}/v1/recognize/batch`, JSON.stringify({ images: [photo.toString('base64'), 'not base64!', crop.toString('base64')] }), 'application/json');
  assert.equal(r.status, 200);
  const j = await r.json();
  assert.equal(j.results.length, 3);
  sameAsReference(j.results[0].result, reference);
  assert.equal(j.results[1].ok, false);
  assert.equal(j.results[1].error.code, 'CAFE_BASE64');
  assert.match(j.results[1].error.message, /images\[1\]/);
  assert.equal(j.results[2].ok, true);
  const fd = new FormData();
  fd.append('images', blobOf(photo), 'a.jpg');
  fd.append('images', blobOf(Buffer.from('hello')), 'b.txt');
  const m = await fetch(`${url}/v1/recognize/batch`, { method: 'POST', body: fd });
  assert.equal(m.status, 200);
  const mj = await m.json();
  sameAsReference(mj.results[0].result, reference);
  assert.equal(mj.results[1].error.code, 'CAFE_IMAGE_FORMAT');
  assert.match(mj.results[1].error.message, /b\.txt/);
});

test('dynamic batching: concurrent requests are scored in one model call', async () => {
  const rs = await Promise.all(Array.from({ length: 4 }, () => post(`${url}/v1/recognize?detect=false`, crop, 'image/png').then((r) => r.json())));
  for (const j of rs) sameAsReference(j.result, referenceCrop);
  assert.ok(Math.max(...rs.map((j) => j.batchSize)) > 1, `batch sizes ${rs.map((j) => j.batchSize)}`);
});

test('inference runs off the event loop: /healthz answers while a large photo is being scored', async () => {
  const big = sample(1); // 1920 x 1280, several faces: hundreds of ms of decode + detection + model
  let scoredAt = 0;
  const scoring = post(`${url}/v1/recognize`, big, 'image/jpeg').then(async (r) => {
    scoredAt = performance.now();
    return r.status;
  });
  await new Promise((r) => setTimeout(r, 20));
  const h = await fetch(`${url}/healthz`);
  const healthAt = performance.now();
  assert.equal(h.status, 200);
  assert.equal(await scoring, 200);
  assert.ok(healthAt < scoredAt, 'healthz answered before the photo was scored');
});

test('GET /v1/model: classes, encoder, training data, limits', async () => {
  const j = await (await fetch(`${url}/v1/model`)).json();
  assert.deepEqual(j.classes, [...EXPRESSIONS]);
  assert.equal(j.name, server.model.name);
  assert.ok(Array.isArray(j.trainingData));
  assert.equal(j.limits.maxBatch, 4);
  assert.ok(j.limits.formats.includes('jpeg') && !j.limits.formats.includes('svg'));
});

test('GET /healthz and /readyz', async () => {
  assert.deepEqual(await (await fetch(`${url}/healthz`)).json(), { status: 'ok' });
  const r = await fetch(`${url}/readyz`);
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { status: 'ready', workers: 1 });
});

test('GET /metrics: Prometheus text with requests, latency histograms, queue depth, batch sizes, errors by kind', async () => {
  await post(`${url}/v1/recognize`, Buffer.from('plain text'), 'image/jpeg'); // one CAFE_IMAGE_FORMAT error
  const r = await fetch(`${url}/metrics`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /text\/plain/);
  const t = await r.text();
  assert.match(t, /cafe_http_requests_total\{method="POST",route="\/v1\/recognize",status_code="200"\} \d+/);
  assert.match(t, /cafe_http_request_duration_seconds_bucket\{le="0.5",method="POST",route="\/v1\/recognize",status_code="200"\}/);
  assert.match(t, /^cafe_queue_depth 0$/m);
  assert.match(t, /^cafe_workers_ready 1$/m);
  assert.match(t, /cafe_batch_size_count [1-9]/);
  assert.match(t, /cafe_inference_duration_seconds_count [1-9]/);
  assert.match(t, /cafe_errors_total\{code="CAFE_IMAGE_FORMAT"\} [1-9]/);
  assert.match(t, /cafe_process_resident_memory_bytes \d+/);
});

test('GET /openapi.json: an OpenAPI 3 document of every route with its schemas', async () => {
  const r = await fetch(`${url}/openapi.json`);
  assert.equal(r.status, 200);
  const doc = await r.json();
  assert.match(doc.openapi, /^3\./);
  for (const p of ['/v1/recognize', '/v1/recognize/batch', '/v1/model', '/healthz', '/readyz', '/metrics']) assert.ok(doc.paths[p], p);
  assert.ok(!doc.paths['/openapi.json']);
  const body = doc.paths['/v1/recognize'].post.requestBody.content;
  assert.deepEqual(Object.keys(body).sort(), ['application/json', 'image/*', 'multipart/form-data']);
  assert.ok(doc.paths['/v1/recognize'].post.parameters.some((p: { name: string }) => p.name === 'detect'));
  for (const s of ['Recognition', 'RecognizeResponse', 'BatchResponse', 'Error', 'Timings']) assert.ok(doc.components.schemas[s], s);
  assert.deepEqual(doc.components.schemas.Recognition.properties.faces.items.properties.label.enum, [...EXPRESSIONS]);
  assert.ok(doc.paths['/v1/recognize'].post.responses['415']);
});

test('unknown route: JSON 404 naming it', async () => {
  const r = await fetch(`${url}/v2/nothing`);
  assert.equal(r.status, 404);
  assert.match((await r.json()).message, /GET \/v2\/nothing/);
});

// Last: closes the server.
test('close(): the request in flight finishes, new connections are refused, workers stop', async () => {
  const inflight = post(`${url}/v1/recognize`, photo, 'image/jpeg');
  // Close once the photo is in the server (queued or in a worker), not merely sent.
  for (let i = 0; i < 1000 && server.pool.busyCount === 0 && server.batcher.depth === 0; i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(server.pool.busyCount + server.batcher.depth > 0, 'the request reached the server');
  const closing = server.close();
  const r = await inflight;
  assert.equal(r.status, 200);
  sameAsReference((await r.json()).result, reference);
  await closing;
  await assert.rejects(fetch(`${url}/healthz`));
  assert.equal(server.pool.readyCount, 0);
});
