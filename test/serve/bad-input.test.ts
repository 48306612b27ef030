// The bad-input corpus: each request gets a JSON 4xx naming the problem, and the server answers the next good
// request. Zero-byte, truncated, text, SVG, a decompression-bomb header, malformed and oversized multipart, wrong
// content types, invalid base64, a URL instead of bytes, bad JSON, oversized bodies, too many images, and a body
// that trickles in slowly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type CafeServer } from '../../src/serve/app.js';
import { blobOf, pngBombHeader, post, rawRequest, smallFacePhoto } from './fixtures.js';

const MAX_BODY = 1 << 20;
let server: CafeServer;
let url: string;
let photo: Buffer;

before(async () => {
  photo = await smallFacePhoto();
  server = await createServer({ port: 0, workers: 1, maxBodyBytes: MAX_BODY, maxPixels: 10_000_000, maxImagesPerRequest: 3, receiveTimeoutMs: 1500 });
  url = await server.listen();
});

after(async () => {
  await server?.close();
});

async function stillServes() {
  const r = await post(`${url}/v1/recognize`, photo, 'image/jpeg');
  assert.equal(r.status, 200, 'the next good request is answered');
  assert.ok((await r.json()).result.faces.length >= 1);
}

async function expectError(r: Response, status: number, code: string | RegExp, message?: RegExp) {
  const text = await r.text();
  assert.equal(r.status, status, text);
  const j = JSON.parse(text);
  assert.equal(j.statusCode, status);
  if (typeof code === 'string') assert.equal(j.code, code);
  else assert.match(j.code, code);
  if (message) assert.match(j.message, message);
  await stillServes();
}

const multipartBody = (boundary: string, parts: string) => `--${boundary}\r\n${parts}`;

const corpus: Array<[string, () => Promise<Response>, number, string | RegExp, RegExp?]> = [
  ['zero-byte raw body', () => post(`${url}/v1/recognize`, new Uint8Array(0), 'image/jpeg'), 400, 'CAFE_IMAGE_EMPTY', /empty/],
  ['truncated JPEG', () => post(`${url}/v1/recognize`, photo.subarray(0, photo.length >> 2), 'image/jpeg'), 400, 'CAFE_IMAGE_DECODE', /body: cannot decode image/],
  ['text sent as image/jpeg', () => post(`${url}/v1/recognize`, 'hello, I am not a photo', 'image/jpeg'), 415, 'CAFE_IMAGE_FORMAT', /looks like text/],
  ['SVG (can reference files and URLs)', () => post(`${url}/v1/recognize`, '<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>', 'image/svg+xml'), 415, 'CAFE_IMAGE_FORMAT', /SVG/],
  ['PDF', () => post(`${url}/v1/recognize`, '%PDF-1.4\n1 0 obj\n', 'image/jpeg'), 415, 'CAFE_IMAGE_FORMAT', /PDF/],
  ['huge dimensions (30000 x 30000 PNG header)', () => post(`${url}/v1/recognize`, pngBombHeader(30000, 30000), 'image/png'), 413, 'CAFE_IMAGE_TOO_LARGE', /30000x30000 = 900\.0 megapixels/],
  ['wrong content type text/plain', () => post(`${url}/v1/recognize`, photo, 'text/plain'), 415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE'],
  ['wrong content type application/xml', () => post(`${url}/v1/recognize`, '<a/>', 'application/xml'), 415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE'],
  ['invalid base64', () => post(`${url}/v1/recognize`, JSON.stringify({ image: 'this is *not* base64' }), 'application/json'), 400, 'CAFE_BASE64', /image: not valid base64/],
  ['a URL instead of the image (no fetching)', () => post(`${url}/v1/recognize`, JSON.stringify({ image: 'http://169.254.169.254/latest/meta-data' }), 'application/json'), 400, 'CAFE_URL_NOT_FETCHED', /never fetches URLs/],
  ['base64 of text', () => post(`${url}/v1/recognize`, JSON.stringify({ image: Buffer.from('just words').toString('base64') }), 'application/json'), 415, 'CAFE_IMAGE_FORMAT'],
  ['malformed JSON', () => post(`${url}/v1/recognize`, '{"image": ', 'application/json'), 400, /FST_ERR_CTP_INVALID_JSON_BODY|CAFE_BAD_REQUEST|FST_/],
  ['JSON without image', () => post(`${url}/v1/recognize`, JSON.stringify({ picture: 'x' }), 'application/json'), 400, 'CAFE_BAD_REQUEST', /image/],
  ['raw body over maxBodyBytes', () => post(`${url}/v1/recognize`, Buffer.alloc(MAX_BODY + 1, 0xff), 'image/jpeg'), 413, 'FST_ERR_CTP_BODY_TOO_LARGE'],
  ['JSON body over its limit', () => post(`${url}/v1/recognize`, JSON.stringify({ image: 'A'.repeat(2 * MAX_BODY) }), 'application/json'), 413, 'FST_ERR_CTP_BODY_TOO_LARGE'],
  ['base64 image over maxBodyBytes', () => post(`${url}/v1/recognize`, JSON.stringify({ image: Buffer.alloc(MAX_BODY + 3).toString('base64') }), 'application/json'), 413, 'CAFE_BODY_TOO_LARGE', /above the limit/],
  ['multipart without a boundary', () => post(`${url}/v1/recognize`, 'abc', 'multipart/form-data'), 400, /CAFE_MULTIPART|FST_/],
  ['malformed multipart (unterminated part)', () => post(`${url}/v1/recognize`, multipartBody('XyZ', 'Content-Disposition: form-data; name="image"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff'), 'multipart/form-data; boundary=XyZ'), 400, 'CAFE_MULTIPART', /malformed multipart/],
  ['multipart with no file part', () => {
    const fd = new FormData();
    fd.append('note', 'no file here');
    return fetch(`${url}/v1/recognize`, { method: 'POST', body: fd });
  }, 400, 'CAFE_NO_IMAGE'],
  ['multipart file over maxBodyBytes', () => {
    const fd = new FormData();
    fd.append('image', blobOf(Buffer.alloc(MAX_BODY + 10, 0xff)), 'big.jpg');
    return fetch(`${url}/v1/recognize`, { method: 'POST', body: fd });
  }, 413, 'CAFE_BODY_TOO_LARGE'],
  ['too many images in a batch', () => post(`${url}/v1/recognize/batch`, JSON.stringify({ images: Array(4).fill(photo.toString('base64')) }), 'application/json'), 413, 'CAFE_TOO_MANY_IMAGES'],
  ['too many files in a multipart batch', () => {
    const fd = new FormData();
    for (let i = 0; i < 4; i++) fd.append('images', blobOf(photo), `${i}.jpg`);
    return fetch(`${url}/v1/recognize/batch`, { method: 'POST', body: fd });
  }, 413, 'CAFE_TOO_MANY_IMAGES'],
  ['two files where one is expected', () => {
    const fd = new FormData();
    fd.append('image', blobOf(photo), 'a.jpg');
    fd.append('image', blobOf(photo), 'b.jpg');
    return fetch(`${url}/v1/recognize`, { method: 'POST', body: fd });
  }, 413, 'CAFE_TOO_MANY_IMAGES'],
];

for (const [name, send, status, code, message] of corpus) {
  test(`bad input: ${name} -> ${status}, then the server answers`, async () => expectError(await send(), status, code, message));
}

test('bad input: a body trickling in slowly -> 408 within receiveTimeoutMs, then the server answers', async () => {
  const { hostname, port } = new URL(url);
  const head = `POST /v1/recognize HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: image/jpeg\r\nContent-Length: ${photo.length}\r\n\r\n`;
  // 1 byte every 100 ms: the whole photo would take hours.
  const chunks = [head, ...Array.from({ length: 200 }, (_, i) => photo.subarray(i, i + 1))];
  const t0 = performance.now();
  const r = await rawRequest(url, chunks, 100, 10_000);
  assert.equal(r.status, 408, r.text.slice(0, 300));
  assert.match(r.text, /"code":"CAFE_RECEIVE_TIMEOUT"/);
  assert.ok(performance.now() - t0 < 5000, `408 after ${performance.now() - t0} ms`);
  await stillServes();
});

test('after the corpus: no worker died, errors were counted by kind', async () => {
  const t = await (await fetch(`${url}/metrics`)).text();
  assert.match(t, /^cafe_workers_ready 1$/m);
  assert.doesNotMatch(t, /CAFE_WORKER_CRASHED|CAFE_INTERNAL/);
  for (const code of ['CAFE_RECEIVE_TIMEOUT', 'CAFE_IMAGE_FORMAT', 'CAFE_IMAGE_TOO_LARGE', 'CAFE_BASE64', 'CAFE_MULTIPART', 'FST_ERR_CTP_INVALID_MEDIA_TYPE']) {
    assert.match(t, new RegExp(`cafe_errors_total\\{code="${code}"\\} [1-9]`), code);
  }
});
