// The browser build, in a real browser (headless Chromium): the bundle is built for platform 'browser' (a Node
// built-in, sharp or onnxruntime-node reachable from src/browser fails the build), served with the shipped model and
// human's models, and must give what Node gives: identical pixels (ImageData) -> same faces and scores within 1e-3;
// URL / Blob / <img> inputs (decoded by the browser) -> same faces and labels; bad inputs -> CafeErrors naming them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createRecognizer, type Recognition } from '../../src/recognizer/index.js';
import { packageDir } from '../../src/runtime/node-packages.js';
import { packageRoot } from '../../src/util/package-root.js';
import { NO_CHROMIUM, runPage } from './harness.js';

const ROOT = packageRoot();
const MODEL = join(ROOT, 'models', 'cafe-ferplus');
// A photo with five faces that ships inside @vladmandic/human (MIT): present wherever npm install ran.
const PHOTO = join(packageDir('@vladmandic/human'), 'assets', 'screenshot-facedetect.jpg');
const SKIP = NO_CHROMIUM || (existsSync(join(MODEL, 'model.json')) ? false : 'models/cafe-ferplus absent');

interface PageResult {
  ok: boolean;
  error?: string;
  loadMs: number;
  recognizeMs: number[];
  results: Record<'url' | 'blob' | 'img' | 'imagedata' | 'crop', Recognition>;
  errors: Record<string, { name: string; message: string } | null>;
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>cafe browser test</title><script type="module">
const post = (o) => fetch('/result', { method: 'POST', body: JSON.stringify(o) });
try {
  const cafe = await import('/dist/cafe.mjs');
  const { width, height } = await (await fetch('/photo.json')).json();
  const t0 = performance.now();
  const fer = await cafe.createRecognizer({ model: '/models/cafe-ferplus/', humanModels: '/human/' });
  const out = { ok: true, loadMs: performance.now() - t0, recognizeMs: [], results: {}, errors: {} };
  const timed = async (input, opts) => { const t = performance.now(); const r = await fer.recognize(input, opts); out.recognizeMs.push(performance.now() - t); return r; };
  out.results.url = await timed('/photo.jpg');
  out.results.blob = await timed(await (await fetch('/photo.jpg')).blob());
  const img = new Image();
  img.src = '/photo.jpg';
  await img.decode();
  out.results.img = await timed(img);
  const rgba = new Uint8ClampedArray(await (await fetch('/photo.rgba')).arrayBuffer());
  out.results.imagedata = await timed(new ImageData(rgba, width, height));
  out.results.crop = await fer.recognize({ width: 96, height: 96, channels: 3, data: new Uint8Array(96 * 96 * 3).fill(120) }, { detect: false });
  const bad = [['text', new Blob(['this is not an image'])], ['empty', new Blob([])], ['missing', '/nothing/here.jpg'], ['raw', { width: 10, height: 10, channels: 3, data: new Uint8Array(5) }], ['number', 42]];
  for (const [k, input] of bad) {
    try { await fer.recognize(input); out.errors[k] = null; } catch (e) { out.errors[k] = { name: e.name, message: e.message }; }
  }
  await fer.dispose();
  for (const [k, opts] of [['noModel', { model: '/models/nothing/', humanModels: '/human/' }], ['noHuman', { model: '/models/cafe-ferplus/', humanModels: '/nowhere/' }]]) {
    try { await (await cafe.createRecognizer(opts)).dispose(); out.errors[k] = null; } catch (e) { out.errors[k] = { name: e.name, message: e.message }; }
  }
  await post(out);
} catch (e) {
  await post({ ok: false, error: String((e && e.stack) || e) });
}
</script>`;

let work: string;
let page: PageResult;

before(async () => {
  if (SKIP) return;
  work = mkdtempSync(join(tmpdir(), 'cafe-browser-'));
  const { buildBrowser } = await import('../../scripts/build-browser.mjs');
  const built = await buildBrowser({ out: join(work, 'dist'), minified: true });
  const leaked = built.inputs.filter((i: string) => /(^|\/)(sharp|onnxruntime-node)\/|^node:|src\/runtime\/node\.ts/.test(i));
  assert.deepEqual(leaked, [], 'Node-only modules in the browser bundle');
  const { data, info } = await sharp(PHOTO).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const run = await runPage<PageResult>({
    mounts: { '/dist/': join(work, 'dist'), '/models/': join(ROOT, 'models'), '/human/': join(packageDir('@vladmandic/human'), 'models') },
    pages: { '/test.html': PAGE, '/photo.jpg': readFileSync(PHOTO), '/photo.rgba': data, '/photo.json': JSON.stringify({ width: info.width, height: info.height }) },
    page: '/test.html',
  });
  page = run.result;
  assert.ok(page.ok, `the page failed: ${page.error}\n${run.log.slice(-3000)}`);
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const maxScoreDiff = (a: Recognition, b: Recognition) =>
  Math.max(...a.faces.flatMap((f, i) => Object.entries(f.scores).map(([k, v]) => Math.abs(v - b.faces[i].scores[k as keyof typeof f.scores]))));

test('browser: ImageData gives the faces and scores Node gives on the same pixels', { skip: SKIP }, async (t) => {
  const fer = await createRecognizer();
  try {
    const { data, info } = await sharp(PHOTO).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const node = await fer.recognize({ width: info.width, height: info.height, channels: 4, data });
    const web = page.results.imagedata;
    assert.equal(node.faces.length, 5);
    assert.equal(web.faces.length, node.faces.length);
    web.faces.forEach((f, i) => {
      const g = node.faces[i];
      assert.equal(f.label, g.label);
      for (const k of ['x', 'y', 'width', 'height'] as const) assert.ok(Math.abs(f.box[k] - g.box[k]) < 0.05, `box.${k}: ${f.box[k]} vs ${g.box[k]}`);
      assert.ok(Math.abs(f.detectionScore! - g.detectionScore!) < 1e-4);
    });
    const d = maxScoreDiff(web, node);
    t.diagnostic(`max |p_browser - p_node| over ${web.faces.length} faces x 7 = ${d.toExponential(2)}`);
    assert.ok(d < 1e-3, `scores differ by ${d}`);
    const crop = await fer.recognize({ width: 96, height: 96, channels: 3, data: new Uint8Array(96 * 96 * 3).fill(120) }, { detect: false });
    assert.ok(maxScoreDiff(page.results.crop, crop) < 1e-3);
    assert.equal(page.results.crop.faces[0].detectionScore, null);
  } finally {
    await fer.dispose();
  }
});

test('browser: URL, Blob and <img> inputs are decoded by the browser and give Node\'s faces and labels', { skip: SKIP }, async (t) => {
  const fer = await createRecognizer();
  try {
    const node = await fer.recognize(PHOTO);
    for (const kind of ['url', 'blob', 'img'] as const) {
      const web = page.results[kind];
      assert.equal(web.width, node.width, kind);
      assert.equal(web.faces.length, node.faces.length, kind);
      web.faces.forEach((f, i) => {
        assert.equal(f.label, node.faces[i].label, `${kind} face ${i}`);
        assert.ok(Math.abs(f.box.x - node.faces[i].box.x) < 2 && Math.abs(f.box.width - node.faces[i].box.width) < 2, `${kind} face ${i} box`);
      });
      t.diagnostic(`${kind}: max |p_browser - p_node| = ${maxScoreDiff(web, node).toExponential(2)} (browser JPEG decoding vs libvips)`);
    }
    t.diagnostic(`browser: model load ${page.loadMs.toFixed(0)} ms; recognize ${page.recognizeMs.map((m) => m.toFixed(0)).join(', ')} ms (800x718, 5 faces)`);
  } finally {
    await fer.dispose();
  }
});

test('browser: bad inputs and missing models are CafeErrors that say what and where', { skip: SKIP }, () => {
  const e = page.errors;
  for (const k of ['text', 'empty', 'missing', 'raw', 'number', 'noModel', 'noHuman']) assert.equal(e[k]?.name, 'CafeError', `${k}: ${JSON.stringify(e[k])}`);
  assert.match(e.text!.message, /cannot decode image/);
  assert.match(e.empty!.message, /empty file/);
  assert.match(e.missing!.message, /\/nothing\/here\.jpg: HTTP 404/);
  assert.match(e.raw!.message, /10x10x3 with 5 bytes/);
  assert.match(e.noModel!.message, /models\/nothing\/model\.json: HTTP 404[\s\S]*not a cafe model folder/);
  assert.match(e.noHuman!.message, /nowhere\/faceres\.json[\s\S]*humanModels URL/);
});
