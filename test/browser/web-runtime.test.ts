// The browser Runtime's plumbing, without a browser: URL joining, fetch errors that name the URL, exists() with hosts
// that refuse HEAD, the argument checks, and the browser's encoder factory. (test/browser/browser.test.ts runs the
// whole thing in Chromium.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWebRuntime } from '../../src/browser/runtime.js';
import { webEncoders } from '../../src/browser/encoder.js';
import { CafeError } from '../../src/errors.js';

/** A fetch over an in-memory site; `refuseHead` answers HEAD with 405 as some static hosts do. */
function site(files: Record<string, string>, refuseHead = false): typeof fetch {
  return async (input, init) => {
    const url = String(input);
    if (url.startsWith('http://down/')) throw new TypeError('Failed to fetch');
    if (init?.method === 'HEAD' && refuseHead) return new Response(null, { status: 405 });
    const body = files[url];
    if (body === undefined) return new Response('not found', { status: 404 });
    return new Response(init?.method === 'HEAD' ? null : body, { status: 200 });
  };
}

test('web runtime: folders and files are URLs', () => {
  const rt = createWebRuntime({ humanModels: 'http://h/human/', fetch: site({}) });
  assert.equal(rt.name, 'web');
  assert.equal(rt.join('http://h/models/cafe', 'model.json'), 'http://h/models/cafe/model.json');
  assert.equal(rt.join('http://h/models/cafe/', 'sub/head.onnx'), 'http://h/models/cafe/sub/head.onnx');
  assert.equal(rt.dirname('http://h/human/faceres.json'), 'http://h/human/');
  assert.equal(rt.join(rt.dirname('http://h/human/faceres.json'), 'faceres.bin'), 'http://h/human/faceres.bin');
});

test('web runtime: read gives the bytes, or a CafeError naming the URL and the HTTP status', async () => {
  const rt = createWebRuntime({ humanModels: 'http://h/human/', fetch: site({ 'http://h/a.json': '{"x":1}' }) });
  assert.equal(new TextDecoder().decode(await rt.read('http://h/a.json')), '{"x":1}');
  await assert.rejects(rt.read('http://h/missing.json'), (e: Error) => e instanceof CafeError && e.message === 'http://h/missing.json: HTTP 404 (not found)');
  await assert.rejects(rt.read('http://down/x.json'), (e: Error) => e instanceof CafeError && /^http:\/\/down\/x\.json: cannot fetch \(Failed to fetch\)/.test(e.message));
});

test('web runtime: exists() asks with HEAD, and with GET where HEAD is refused', async () => {
  for (const refuseHead of [false, true]) {
    const rt = createWebRuntime({ humanModels: 'http://h/human/', fetch: site({ 'http://h/here.json': '{}' }, refuseHead) });
    assert.equal(await rt.exists('http://h/here.json'), true, `refuseHead ${refuseHead}`);
    assert.equal(await rt.exists('http://h/gone.json'), false, `refuseHead ${refuseHead}`);
    assert.equal(await rt.exists('http://down/x'), false);
  }
});

test('web runtime: bad options and unsupported encoders are clear errors', async () => {
  assert.throws(() => createWebRuntime({} as never), (e: Error) => e instanceof CafeError && /humanModels/.test(e.message));
  const rt = createWebRuntime({ humanModels: 'http://h/human/', fetch: site({}) });
  // No page here to resolve a relative URL against.
  await assert.rejects(rt.read('models/x.json'), (e: Error) => e instanceof CafeError && /not a URL/.test(e.message));
  await assert.rejects(webEncoders(rt)('clip-vit-b32', {}), (e: Error) => e instanceof CafeError && /cannot run in the browser/.test(e.message));
});
